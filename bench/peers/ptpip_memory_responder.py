#!/usr/bin/env python3
"""The smallest PTP/IP responder that gphoto2 downloads a file from: gphoto2's ceiling.

One object held in memory, answered with the fewest system calls a responder can make: a whole
GetPartialObject / GetObject transaction (StartData, EndData with the payload, CmdResponse) goes
out in ONE sendmsg straight from the in-memory buffer, with no file read, no event loop and no
per-transaction allocation. Whatever gphoto2 reaches against this is what gphoto2 itself allows;
bench/ptp.bench.ts compares our responder with it.

It answers only what `gphoto2 --get-file` issues against a PTP/IP camera (OpenSession,
GetDeviceInfo, GetStorageIDs, GetStorageInfo, GetObjectHandles, GetObjectInfo, GetObject,
GetPartialObject, CloseSession; everything else OperationNotSupported). DeviceInfo lists
GetPartialObject like the emulated cameras, so gphoto2 takes the same 1 MiB GetPartialObject path
(camlibs/ptp2/library.c, camera_get_file: BLOBSIZE loop when GetPartialObject is supported).

Usage: ptpip_memory_responder.py FILE [PORT]   (PORT 0 or absent = a free port)
Prints `port N` once listening, then serves initiators one after another until killed.
Loopback only.
"""
import socket
import struct
import sys

STORAGE = 0x00010001
FOLDER = 1
FILE = 2
OP_NAMES = [0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x1007, 0x1008, 0x1009, 0x101B]


def ptp_str(s):
    if not s:
        return b"\x00"
    units = s.encode("utf-16-le") + b"\x00\x00"
    return bytes([len(units) // 2]) + units


def u16_array(values):
    return struct.pack("<I", len(values)) + b"".join(struct.pack("<H", v) for v in values)


def device_info():
    return (
        struct.pack("<HIH", 100, 0x1B, 100)
        + ptp_str("")
        + struct.pack("<H", 0)
        + u16_array(OP_NAMES)
        + u16_array([])
        + u16_array([])
        + u16_array([])
        + u16_array([0x3001, 0x380D])
        + ptp_str("camctl bench")
        + ptp_str("memory responder")
        + ptp_str("1.0")
        + ptp_str("0")
    )


def storage_info(size):
    return struct.pack("<HHHQQI", 3, 2, 0, 2 * size, size, 0xFFFFFFFF) + ptp_str("internal") + ptp_str("")


def object_info(handle, size, name):
    if handle == FOLDER:
        fmt, parent, assoc, csize, fname = 0x3001, 0, 1, 0, "0000"
    else:
        fmt, parent, assoc, csize, fname = 0x380D, FOLDER, 0, size, name
    return (
        struct.pack("<IHHIHIIIIIIIHII", STORAGE, fmt, 0, min(csize, 0xFFFFFFFF), 0, 0, 0, 0, 0, 0, 0, parent, assoc, 0, 0)
        + ptp_str(fname)
        + ptp_str("20180413T080658")
        + ptp_str("20180413T080658")
        + ptp_str("")
    )


def response(code, tid, params=()):
    return struct.pack("<IIHI", 14 + 4 * len(params), 7, code, tid) + b"".join(struct.pack("<I", p) for p in params)


def data_phase(tid, payload):
    """StartData and EndData headers for a phase sent as one EndData packet."""
    n = len(payload)
    return struct.pack("<IIIQ", 20, 9, tid, n), struct.pack("<III", 12 + n, 12, tid)


def read_exact(sock, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise EOFError
        got += k
    return bytes(buf)


def read_packet(sock):
    length, ptype = struct.unpack("<II", read_exact(sock, 8))
    return ptype, read_exact(sock, length - 8) if length > 8 else b""


def serve(cmd, evt_listener, blob, name):
    view = memoryview(blob)
    size = len(blob)
    ptype, _ = read_packet(cmd)
    if ptype != 1:
        return
    guid = b"\x11" * 16
    cname = "mem".encode("utf-16-le") + b"\x00\x00"
    ack = struct.pack("<I", 1) + guid + cname + struct.pack("<I", 0x00010000)
    cmd.sendall(struct.pack("<II", 8 + len(ack), 2) + ack)
    evt, _ = evt_listener.accept()
    evt.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ptype, _ = read_packet(evt)
    if ptype != 3:
        evt.close()
        return
    evt.sendall(struct.pack("<II", 8, 4))
    try:
        while True:
            ptype, body = read_packet(cmd)
            if ptype != 6:
                continue
            _phase, code, tid = struct.unpack_from("<IHI", body)
            params = struct.unpack_from("<%dI" % ((len(body) - 10) // 4), body, 10)
            p = list(params) + [0] * (5 - len(params))
            payload = None
            rparams = ()
            rcode = 0x2001
            if code in (0x1002, 0x1003):
                pass
            elif code == 0x1001:
                payload = device_info()
            elif code == 0x1004:
                payload = struct.pack("<II", 1, STORAGE)
            elif code == 0x1005:
                payload = storage_info(size)
            elif code == 0x1007:
                parent = p[2]
                handles = {0xFFFFFFFF: [FOLDER], FOLDER: [FILE], 0: [FOLDER, FILE]}.get(parent, [])
                payload = struct.pack("<%dI" % (len(handles) + 1), len(handles), *handles)
            elif code == 0x1008:
                if p[0] in (FOLDER, FILE):
                    payload = object_info(p[0], size, name)
                else:
                    rcode = 0x2009
            elif code == 0x1009 and p[0] == FILE:
                payload = view
            elif code == 0x101B and p[0] == FILE:
                off = min(p[1], size)
                end = min(size, off + p[2])
                payload = view[off:end]
                rparams = (end - off,)
            else:
                rcode = 0x2005
            parts = []
            if payload is not None:
                parts.extend(data_phase(tid, payload))
                parts.append(payload)
            parts.append(response(rcode, tid, rparams))
            # One sendmsg for the whole transaction (a blocking socket takes it all; the rest only
            # runs if a signal interrupted it part-way).
            total = sum(len(x) for x in parts)
            sent = cmd.sendmsg(parts)
            if sent < total:
                cmd.sendall(memoryview(b"".join(bytes(x) for x in parts))[sent:])
    except (EOFError, ConnectionError):
        pass
    finally:
        evt.close()


def main():
    path = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with open(path, "rb") as f:
        blob = f.read()
    name = path.rsplit("/", 1)[-1]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(4)
    print("port %d" % listener.getsockname()[1], flush=True)
    while True:
        cmd, _ = listener.accept()
        cmd.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            serve(cmd, listener, blob, name)
        finally:
            cmd.close()


if __name__ == "__main__":
    main()
