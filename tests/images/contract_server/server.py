"""A small SageMaker container on Python's http.server, for ``byoc check``'s tests.

``train`` sleeps TRAIN_SECONDS, then writes /opt/ml/model/model.txt (SIGTERM ends it at
once). ``serve`` keeps SageMaker's serving contract, except for what FLAWS (comma-separated)
names:
  ignore-bind-port  listen on $PORT instead of $SAGEMAKER_BIND_TO_PORT
  ping-before-load  answer /ping with 200 while the model is still loading
  write-model-dir   write a cache file into /opt/ml/model while loading
The model "loads" for LOAD_SECONDS; /invocations answers one CSV line per request line.
"""

import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FLAWS = set(filter(None, os.environ.get("FLAWS", "").split(",")))
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "0.5"))
TRAIN_SECONDS = float(os.environ.get("TRAIN_SECONDS", "2"))
MODEL_DIR = Path("/opt/ml/model")
loaded = threading.Event()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path != "/ping":
            self.answer(404, b"")
        elif loaded.is_set() or "ping-before-load" in FLAWS:
            self.answer(200, b"")
        else:
            self.answer(503, b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/invocations":
            self.answer(404, b"")
        elif not loaded.is_set():
            self.answer(503, b'{"error": "the model is not loaded yet"}', "application/json")
        else:
            rows = body.count(b"\n") + (not body.endswith(b"\n"))
            self.answer(200, b"1\n" * rows, "text/csv")

    def answer(self, status, body, content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 128


def train():
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    time.sleep(TRAIN_SECONDS)
    (MODEL_DIR / "model.txt").write_text("trained\n")


def serve():
    variable = "PORT" if "ignore-bind-port" in FLAWS else "SAGEMAKER_BIND_TO_PORT"
    server = Server(("", int(os.environ.get(variable, "8080"))), Handler)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if "write-model-dir" in FLAWS:
        (MODEL_DIR / "cache.bin").write_bytes(b"cache")
    time.sleep(LOAD_SECONDS)
    loaded.set()
    print("model loaded", flush=True)
    stop.wait()
    server.shutdown()


if __name__ == "__main__":
    commands = {"train": train, "serve": serve}
    if sys.argv[1:] not in ([name] for name in commands):
        sys.exit(f"usage: {sys.argv[0]} train|serve")
    commands[sys.argv[1]]()
