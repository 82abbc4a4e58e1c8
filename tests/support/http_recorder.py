#!/usr/bin/python3
"""A loopback HTTP(S) receiver for the notifier tests: records every request as one JSON line
(method, path, headers, body) and answers with --status; --hang never answers. Prints
"listening <port>" on stdout once it accepts connections."""
import argparse, json, socketserver, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, HTTPServer

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=0)
p.add_argument("--log", required=True)
p.add_argument("--status", type=int, default=200)
p.add_argument("--hang", action="store_true")
p.add_argument("--cert")
p.add_argument("--key")
a = p.parse_args()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with lock, open(a.log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": {k.lower(): v for k, v in self.headers.items()},
                                "body": body.decode("utf-8", "replace")}) + "\n")
        if a.hang:
            time.sleep(3600)
        out = b"ok\n" if a.status < 300 else b"receiver says no\n"
        self.send_response(a.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = handle_any

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", a.port), Handler)
if a.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("listening", srv.server_address[1], flush=True)
srv.serve_forever()
