import requests
import json
import sys

sequoia_ip = sys.argv[1]

payload = { "monochrome": {
                "mode": "manual",
                "green": {
                    "exp_us": 12000,
                    "iso": 800,
                },
                "red": {
                    "exp_us": 13000,
                    "iso": 200,
                },
                "red_edge": {
                    "exp_us": 14000,
                    "iso": 400,
                },
                "near_infrared": {
                    "exp_us": 15000,
                    "iso": 100,
                },
            },
            "rgb": {
                "mode": "manual",
                "exp_us": 2530,
                "iso": 200,
            },
          }
r = requests.post('http://' + sequoia_ip + '/manualmode', json = payload)
print(json.dumps(r.json(), indent=4))
print("----------------------------------")

r = requests.get('http://' + sequoia_ip + '/manualmode')
print(json.dumps(r.json(), indent = 4))
