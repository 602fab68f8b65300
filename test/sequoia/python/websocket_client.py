import websocket
import json
import sys

sequoia_ip = sys.argv[1]


def on_message(ws, message):
    data = json.loads(message)
    print(json.dumps(data, indent = 4))
    sys.stdout.flush()

    if data['status'] == "ping":
        ws.send("pong")

def on_error(ws, error):
    print("error:" + str(error))

def on_close(ws, *args):
    print("### closed ###")

def on_open(ws):
    print("### opened ###")
    sys.stdout.flush()

ws = websocket.WebSocketApp('ws://' + sequoia_ip + '/websocket',
        on_open    = on_open,
        on_message = on_message,
        on_error   = on_error,
        on_close   = on_close)

ws.run_forever()
