#!/usr/bin/env python3
"""Runs a command and reports where its wall time went, as one JSON line on stdout.

  schedrun.py CMD [ARG...]
  → {"code": 0, "wall": 3.91, "cpu": 3.38, "runq": 0.21, "blocked": 0.32}

wall    seconds from start to exit;
cpu     seconds the process's main thread ran (/proc/PID/schedstat, field 1);
runq    seconds it was runnable but waited for a CPU (field 2): other work on the machine;
blocked the rest: sleeping in select/read, i.e. waiting for its peer (or the disk).

The figures are read from the exited process before it is reaped (waitid with WNOWAIT), so
nothing is lost to polling. The command's stdout goes to /dev/null, its stderr is inherited.
Linux only (schedstat needs CONFIG_SCHED_INFO, which every distribution kernel has).
"""
import json
import os
import subprocess
import sys
import time


def main():
    t0 = time.monotonic()
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    wall = time.monotonic() - t0
    try:
        with open("/proc/%d/schedstat" % proc.pid) as f:
            cpu_ns, runq_ns = (int(x) for x in f.read().split()[:2])
    except OSError:
        cpu_ns = runq_ns = -1
    code = proc.wait()
    cpu, runq = cpu_ns / 1e9, runq_ns / 1e9
    out = {"code": code, "wall": wall, "cpu": cpu, "runq": runq, "blocked": max(0.0, wall - cpu - runq) if cpu >= 0 else -1}
    print(json.dumps(out), flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
