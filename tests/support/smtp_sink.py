#!/usr/bin/python3
"""A loopback SMTP sink for the e-mail notifier tests (aiosmtpd): STARTTLS with --cert/--key and
required before AUTH and MAIL; AUTH PLAIN/LOGIN accepted for --user/--password only. Each message
is appended to --log as one JSON line (from, to, data, tls, auth). Prints "listening <port>"."""
import argparse, asyncio, json, socket, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

p = argparse.ArgumentParser()
p.add_argument("--log", required=True)
p.add_argument("--cert", required=True)
p.add_argument("--key", required=True)
p.add_argument("--user", default="")
p.add_argument("--password", default="")
a = p.parse_args()


class Handler:
    async def handle_DATA(self, server, session, envelope):
        with open(a.log, "a") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                "data": envelope.content.decode("utf-8", "replace"),
                                "tls": session.ssl is not None,
                                "auth": session.authenticated}) + "\n")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and \
        auth_data.login.decode() == a.user and auth_data.password.decode() == a.password
    return AuthResult(success=ok, handled=False)


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(a.cert, a.key)
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
c = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
               authenticator=authenticator if a.user else None, auth_require_tls=True,
               auth_required=bool(a.user))
c.start()
print("listening", port, flush=True)
while True:
    time.sleep(3600)
