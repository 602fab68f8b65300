import requests
import json
import sys

sequoia_ip = sys.argv[1]

r = requests.get('http://' + sequoia_ip + '/calibration')

print(json.dumps(r.json(), indent = 4))
