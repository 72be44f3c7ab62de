#!/usr/bin/env python3
"""Loopback stand-in for the AWS tests: scripted answers (faults), IMDSv2
and container-credential endpoints. Listens on 127.0.0.1 (a free port),
prints the port, serves until SIGTERM. Arguments CERT KEY: https.

Control (POST, JSON bodies):
  /__script  a list of answers used in order by the next non-control
             requests: {"status", "headers": {}, "body", "drop": true (close
             without answering), "date_offset": seconds (Date header)}
  /__config  {"secret", "token", "auth"}: what the credential endpoints
             hand out and the Authorization the container endpoint wants
  /__log     answers the recorded requests [{method, path, headers, len}]
  /__reset   forgets script and log
Without a script entry an S3-style request gets 200 and an empty body.
"""
import email.utils
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"script": [], "log": [], "config": {}, "container_calls": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _answer(self, status, body=b"", headers=None, date_offset=0):
        if isinstance(body, str):
            body = body.encode()
        self.send_response_only(status)
        self.send_header("Date", email.utils.formatdate(
            time.time() + date_offset, usegmt=True))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _control(self, body):
        with lock:
            if self.path == "/__script":
                state["script"].extend(json.loads(body or b"[]"))
                return self._answer(200, "{}")
            if self.path == "/__config":
                state["config"].update(json.loads(body or b"{}"))
                return self._answer(200, "{}")
            if self.path == "/__log":
                return self._answer(200, json.dumps(state["log"]))
            if self.path == "/__reset":
                state["script"].clear()
                state["log"].clear()
                state["container_calls"] = 0
                return self._answer(200, "{}")
        return self._answer(404, "{}")

    def _creds(self, akid):
        cfg = state["config"]
        exp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        return json.dumps({"Code": "Success", "Type": "AWS-HMAC",
                           "AccessKeyId": akid,
                           "SecretAccessKey": cfg.get("secret", "standin-secret"),
                           "Token": cfg.get("token", "standin-token"),
                           "Expiration": exp})

    def _metadata(self):
        cfg = state["config"]
        p = self.path
        if p == "/latest/api/token" and self.command == "PUT":
            if cfg.get("imds_v1_only"):
                return self._answer(403, "")
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self._answer(400, "")
            return self._answer(200, "imds-session-token")
        if not p.startswith("/latest/meta-data/"):
            return False
        if not cfg.get("imds_v1_only") and \
                self.headers.get("X-aws-ec2-metadata-token") != "imds-session-token":
            return self._answer(401, "")
        if p == "/latest/meta-data/iam/security-credentials/":
            return self._answer(200, "role-a\n")
        if p == "/latest/meta-data/iam/security-credentials/role-a":
            return self._answer(200, self._creds("ASIAIMDSEXAMPLE"))
        if p == "/latest/meta-data/placement/region":
            return self._answer(200, "eu-central-1")
        return self._answer(404, "")

    def _handle(self):
        body = self._body()
        if self.path.startswith("/__"):
            return self._control(body)
        with lock:
            if self.path.startswith("/latest/"):
                if self._metadata() is not False:
                    return
            if self.path == "/container-creds":
                want = state["config"].get("auth")
                if want and self.headers.get("Authorization") != want:
                    return self._answer(401, "{}")
                state["container_calls"] += 1
                return self._answer(200, self._creds(
                    "ASIACONTAINER%d" % state["container_calls"]))
            state["log"].append({
                "method": self.command, "path": self.path, "len": len(body),
                "headers": {k.lower(): v for k, v in self.headers.items()}})
            step = state["script"].pop(0) if state["script"] else {}
        if step.get("drop"):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self._answer(step.get("status", 200), step.get("body", ""),
                     step.get("headers"), step.get("date_offset", 0))

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


def watch_parent(parent):
    # a killed test leaves no stand-in behind
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def main():
    threading.Thread(target=watch_parent, args=(os.getppid(),),
                     daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if len(sys.argv) == 3:  # CERT KEY: serve https
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
