#!/usr/bin/python3
"""A real XMPP client (slixmpp, Debian's python3-slixmpp) against the
lab's Prosody for passive_lab_test.sh: one connection on 5222 with
STARTTLS and one on 5223 with TLS from the first byte, each logging in
with a JID and password after TLS (the lab's Prosody has no such user:
the SASL exchange fails, inside TLS, which is part of what is observed).

Runs under Debian's /usr/bin/python3, where the package installs slixmpp.

The transcript is the client's own: every write slixmpp makes (send_raw)
and every read (data_received) while its transport is not yet TLS is
kept, so what crossed in plaintext is what the library sent and got. One
JSON line per connection on stdout: local port, server port, the
plaintext each way (client_plain, server_plain: stream headers, features,
<starttls/>, <proceed/>), the SASL mechanism the client chose (from its
own <auth/>, sent inside TLS here), TLS version and cipher as the
client's ssl module saw them, and how the session ended (failed_auth).

usage: passive_xmpp_client.py SERVER_IP DOMAIN USER PASSWORD
"""
import asyncio
import json
import re
import ssl
import sys

import slixmpp

SERVER, DOMAIN, USER, PASSWORD = sys.argv[1:5]
# Each connection gives up after this long: the lab answers in
# milliseconds; the whole test must stay short.
TIMEOUT_S = 10


class Client(slixmpp.ClientXMPP):
    def __init__(self, port, direct_tls):
        super().__init__("%s@%s/passive-lab" % (USER, DOMAIN), PASSWORD)
        self.port, self.direct_tls = port, direct_tls
        self.line = {"client": "slixmpp", "port": port, "client_plain": "", "server_plain": "",
                     "sasl_mechanism": None}
        self.done = asyncio.get_event_loop().create_future()
        # The lab CA is not the point here: the record is.
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.add_event_handler("session_start", lambda _: self.finish("session_start"))
        self.add_event_handler("failed_auth", lambda _: self.finish("failed_auth"))
        self.add_event_handler("disconnected", lambda _: self.finish("disconnected"))

    def connection_made(self, transport):
        if "client_port" not in self.line:
            self.line["client_port"] = transport.get_extra_info("sockname")[1]
        super().connection_made(transport)

    def plaintext(self):
        """True while the transport is plain TCP (before STARTTLS, or never)."""
        return self.transport is not None and not self.transport.get_extra_info("ssl_object")

    def send_raw(self, data):
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        if self.plaintext():
            self.line["client_plain"] += text
        m = re.search(r"<auth [^>]*mechanism=['\"]([^'\"]+)", text)
        if m and self.line["sasl_mechanism"] is None:
            self.line["sasl_mechanism"] = m.group(1)
        tls = self.transport is not None and self.transport.get_extra_info("ssl_object")
        if tls and "tls_version" not in self.line:
            self.line["tls_version"] = tls.version()
            self.line["cipher"] = tls.cipher()[0]
        super().send_raw(data)

    def data_received(self, data):
        if self.plaintext():
            self.line["server_plain"] += data.decode("utf-8", "replace")
        super().data_received(data)

    def finish(self, how):
        self.line.setdefault("end", how)
        if not self.done.done():
            self.done.set_result(None)


async def run(port, direct_tls):
    c = Client(port, direct_tls)
    c.connect((SERVER, port), use_ssl=direct_tls, force_starttls=not direct_tls)
    try:
        await asyncio.wait_for(c.done, TIMEOUT_S)
    except asyncio.TimeoutError:
        c.line["end"] = "timeout"
    c.disconnect()
    await asyncio.sleep(0.5)
    print(json.dumps(c.line), flush=True)


async def main():
    await run(5222, False)
    await run(5223, True)


asyncio.get_event_loop().run_until_complete(main())
