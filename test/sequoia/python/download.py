import requests
import shutil
import os.path
import sys

sequoia_ip = sys.argv[1]

# To download a single file
img = sys.argv[2]

r = requests.get('http://' + sequoia_ip + '/download/' + img, stream=True)

if r.status_code == 200:
    with open(os.path.basename(img), 'wb') as f:
        r.raw.decode_content = True
        shutil.copyfileobj(r.raw, f)

# To download an entire directory
directory = sys.argv[3]

r = requests.get('http://' + sequoia_ip + '/download/' + directory, stream=True)

if r.status_code == 200:
    with open(os.path.basename(directory) + '.zip', 'wb') as f:
        r.raw.decode_content = True
        shutil.copyfileobj(r.raw, f)
