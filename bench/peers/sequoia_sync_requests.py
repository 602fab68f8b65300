"""The way Parrot's Sequoia API reference gets pictures off a Sequoia, as a peer for `camctl sync`.

Sequential Python `requests`, file by file, exactly as the reference's Python examples do it (list with
/file, /file/<medium>, /file/<medium>/<folder>; download each file with stream=True and
shutil.copyfileobj). Usage: python3 sequoia_sync_requests.py http://127.0.0.1:PORT OUT_DIR
Prints one JSON line: {"files": N, "bytes": B, "seconds": S}.
"""
import json
import os
import shutil
import sys
import time

import requests

base, out = sys.argv[1].rstrip('/'), sys.argv[2]
start = time.monotonic()
files = 0
total = 0
session = requests  # the examples call requests.get directly: a new connection per request
media = [k for k in session.get(base + '/file').json() if k.startswith('/')]
for medium in media:
    folders = [k for k in session.get(base + '/file' + medium).json() if k.startswith('/')]
    for folder in sorted(folders):
        listing = session.get(base + '/file' + folder).json()
        for path in sorted(k for k in listing if k.startswith('/')):
            r = session.get(base + '/download' + path, stream=True)
            if r.status_code != 200:
                sys.exit('download of %s failed: HTTP %d' % (path, r.status_code))
            local = os.path.join(out, path.lstrip('/'))
            os.makedirs(os.path.dirname(local), exist_ok=True)
            with open(local, 'wb') as f:
                r.raw.decode_content = True
                shutil.copyfileobj(r.raw, f)
            files += 1
            total += os.path.getsize(local)
print(json.dumps({'files': files, 'bytes': total, 'seconds': time.monotonic() - start}))
