import requests
import sys

sequoia_ip = sys.argv[1]

# To delete a single file
img = sys.argv[2]

r = requests.get('http://' + sequoia_ip + '/delete/' + img)

# To delete an entire directory
directory = sys.argv[3]

r = requests.get('http://' + sequoia_ip + '/delete/' + directory)
