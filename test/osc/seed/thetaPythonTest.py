# The Python examples of the THETA community guide to the THETA S API (sections 2.1, 7.2 and 7.3): basic_info, startSession,
# takePicture, state/latestFileUri, getImage into output.jpg, as printed there; print() for Python 3.
# listAll follows thetapylib's documented signature (the guide shows its doc, not its body).
import requests, json, pprint

def request(url_request):
    url_base = "http://192.168.1.1/osc/"
    url = url_base + url_request
    return url

def basic_info():
    protocols = [
        "state",
        "info"
    ]
    for protocol in protocols:
        print(60 * "=")
        print(protocol + " - Testing RICOH THETA API v2\n")
        url = request(protocol)
        if protocol == "info":
            req = requests.get(url)
        else:
            req = requests.post(url)
        pprint.pprint(req.json())

def startSession():
    url = request("commands/execute")
    body = json.dumps({"name": "camera.startSession",
         "parameters": {}
         })
    req = requests.post(url, data=body)
    response = req.json()
    print(60 * "=")
    print("startSession - Testing RICOH THETA API v2\n")
    pprint.pprint(response)
    sid = (response["results"]["sessionId"])
    print(sid)
    return sid

def takePicture(sid):
    url = request("commands/execute")
    body = json.dumps({"name": "camera.takePicture",
         "parameters": {
            "sessionId": sid
         }
         })
    req = requests.post(url, data=body)
    response = req.json()
    print(60 * "=")
    print("takePicture - Testing RICOH THETA API v2\n")
    pprint.pprint(response)

def state():
    url = request("state")
    req = requests.post(url)
    response = req.json()
    return response

def latestFileUri():
    state_data = state()["state"]
    latestFileUri = state_data["_latestFileUri"]
    return latestFileUri

def listAll(entryCount=3, detail=False, sortType='newest'):
    url = request("commands/execute")
    body = json.dumps({"name": "camera._listAll",
         "parameters": {
            "entryCount": entryCount,
            "detail": detail,
            "sort": sortType
         }
         })
    req = requests.post(url, data=body)
    response = req.json()
    pprint.pprint(response)
    return response

def getImage(fileUri):
    url = request("commands/execute")
    body = json.dumps({"name": "camera.getImage",
         "parameters": {
            "fileUri": fileUri,
#            "_type": "thumb"
            "_type": "image"
         }
         })
    with open('output.jpg', 'wb') as handle:
        response = requests.post(url, data=body, stream=True)
        for block in response.iter_content(1024):
            handle.write(block)

def main():
    basic_info()
    sid = startSession() #grab session ID
    takePicture(sid) #still image

if __name__ == '__main__':
    main()
