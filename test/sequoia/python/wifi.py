import requests
import json
import sys

sequoia_ip = sys.argv[1]

r = requests.get('http://' + sequoia_ip + '/wifi')

print(json.dumps(r.json(), indent = 4))

# To change SSID:
r = requests.post('http://' + sequoia_ip + '/wifi', json = {"ssid": "new_ssid"})

print(json.dumps(r.json(), indent = 4))
