import requests
import json
import sys

sequoia_ip = sys.argv[1]

print("/file:")
r = requests.get('http://' + sequoia_ip + '/file')
print(json.dumps(r.json(), indent = 4))

print("/file/internal:")
r = requests.get('http://' + sequoia_ip + '/file/internal')
print(json.dumps(r.json(), indent = 4))

print("/file/internal:")
r = requests.get('http://' + sequoia_ip + '/file/internal/0002')
print(json.dumps(r.json(), indent = 4))
