#!/usr/bin/env python3
"""Hostile TCP peers for the lab, run inside the target namespace.

usage: hostile_peers.py ADDRESS RAW_ADDRESS IFACE

On ADDRESS (configured on IFACE), kernel sockets:
  2501  accepts and never sends
  2502  sends a multi-line SMTP greeting that never ends
  2503  accepts, reads the TLS ClientHello, then resets (SO_LINGER 0)
Implicit TLS (SMTP inside, Python's ssl over memory BIOs so that the bytes
on the wire can be rewritten), with certificates made at start-up:
  2509  a normal server (TLS 1.2, one certificate): the baseline
  2510  the same, its handshake records (up to ChangeCipherSpec) re-framed
        into records of one byte each
  2511  a chain of 100 certificates (leaf, 98 intermediates, root)
  2512  a leaf certificate of 1 MiB (a private extension holds the bulk)
  2518  after the handshake, application data without end, as fast as TCP
        takes it
Plaintext dialogues:
  2513  SMTP: an EHLO reply of 10,000 lines
  2514  IMAP: 10,000 "* CAPABILITY" lines before the tagged OK
  2515  POP3: a CAPA listing of 10,000 lines
  2516  a greeting that never ends its line, as fast as TCP takes it
  2517  a greeting that never ends its line, one byte every 50 ms
  2519  XMPP: stream features nested 100,000 elements deep
  2520  XMPP: a DTD declaring nested entities ("billion laughs")
  2521  IRC: numerics without end, as fast as TCP takes it
On RAW_ADDRESS (not configured: the kernel ignores it), a raw-socket peer on
IFACE answers a SYN to port 2504 with a SYN-ACK, sends a banner and then
advertises a zero window forever, acknowledging each window probe.
Runs until killed.
"""
import datetime
import select
import shutil
import signal
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time

try:  # Debian: python3-cryptography (scripts/lib/deps.sh); only the TLS peers need it
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
except ImportError as missing:
    x509 = None
    CRYPTOGRAPHY_MISSING = str(missing)

ADDRESS, RAW_ADDRESS, IFACE = sys.argv[1], sys.argv[2], sys.argv[3]


def serve(port, handler):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((ADDRESS, port))
    listener.listen(64)

    def run(conn):
        # A hostile peer's client gives up on it: resets, EOF and TLS alerts
        # are the expected end of every conversation here.
        try:
            handler(conn)
        except (OSError, EOFError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def loop():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=run, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def silent(conn):
    while conn.recv(4096):
        pass


def endless(conn):
    try:
        conn.sendall(b"220-tlsweep hostile lab peer\r\n")
        while True:
            conn.sendall(b"220-" + b"x" * 60 + b"\r\n")
    except OSError:
        pass


def reset(conn):
    conn.recv(4096)  # the ClientHello
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


# ---- Certificates, made at start-up (EC P-256: fast to make and sign) ----

CERT_DIR = tempfile.mkdtemp(prefix="hostile-peers-")


def make_cert(subject, issuer, key, signer, ca, extension=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if extension is not None:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(signer, hashes.SHA256())


def tls_context(name, certs, key, max_version=None):
    """A server context presenting `certs` (leaf first) with `key`."""
    cert_file = "%s/%s.crt" % (CERT_DIR, name)
    key_file = "%s/%s.key" % (CERT_DIR, name)
    with open(cert_file, "wb") as f:
        for cert in certs:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if max_version is not None:
        ctx.maximum_version = max_version
    ctx.load_cert_chain(cert_file, key_file)
    return ctx


def contexts():
    key = ec.generate_private_key(ec.SECP256R1())
    normal = tls_context("normal", [make_cert("hostile.lab", "hostile.lab", key, key, False)],
                         key, ssl.TLSVersion.TLSv1_2)
    # Leaf, 98 intermediates, a self-signed root: each signed by the next.
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(100)]
    names = ["hostile.lab"] + ["hostile chain CA %d" % i for i in range(1, 100)]
    chain = [make_cert(names[i], names[min(i + 1, 99)], keys[i], keys[min(i + 1, 99)], i > 0)
             for i in range(100)]
    chain100 = tls_context("chain100", chain, keys[0])
    # 1 MiB in a private extension (OID under the documentation PEN 32473,
    # RFC 5612) makes a well-formed certificate of just over 1 MiB.
    bulk = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.32473.1"),
                                      b"x" * (1 << 20))
    big = tls_context("cert1m", [make_cert("hostile.lab", "hostile.lab", key, key, False, bulk)],
                      key)
    return normal, chain100, big


class TlsServerConn:
    """A server-side TLS session over memory BIOs on a connected socket.
    With reframe, every handshake record the server sends before its
    ChangeCipherSpec (all of a TLS 1.2 first flight) leaves as records of
    one byte each."""

    def __init__(self, conn, ctx, reframe=False):
        self.sock = conn
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.reframe = reframe
        self.pending = b""
        self.ccs_sent = False
        self.lines = b""

    def _reframed(self, data):
        self.pending += data
        out = []
        while len(self.pending) >= 5:
            n = int.from_bytes(self.pending[3:5], "big")
            if len(self.pending) < 5 + n:
                break
            record, self.pending = self.pending[:5 + n], self.pending[5 + n:]
            if record[0] == 20:
                self.ccs_sent = True
            if record[0] == 22 and not self.ccs_sent:
                out.extend(record[:3] + b"\x00\x01" + record[i:i + 1] for i in range(5, 5 + n))
            else:
                out.append(record)
        return b"".join(out)

    def flush(self):
        data = self.outgoing.read()
        if self.reframe:
            data = self._reframed(data)
        if data:
            self.sock.sendall(data)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.incoming.write(data)

    def handshake(self):
        while True:
            try:
                self.tls.do_handshake()
                self.flush()
                return
            except ssl.SSLWantReadError:
                self.flush()
                self._fill()

    def send(self, data):
        self.tls.write(data)
        self.flush()

    def readline(self):
        while b"\n" not in self.lines:
            try:
                self.lines += self.tls.read(65536)
            except ssl.SSLWantReadError:
                self.flush()
                self._fill()
        line, self.lines = self.lines.split(b"\n", 1)
        return line.strip()


def smtp_dialogue(send, readline):
    """The SMTP of a plain server: banner, EHLO reply, 221 to QUIT."""
    send(b"220 hostile.lab ESMTP\r\n")
    while True:
        command = readline().upper()
        if command.startswith(b"EHLO"):
            send(b"250-hostile.lab\r\n250 AUTH PLAIN\r\n")
        elif command.startswith(b"QUIT"):
            send(b"221 bye\r\n")
            return
        else:
            send(b"502 no\r\n")


def tls_smtp(ctx, reframe=False):
    def handler(conn):
        tls = TlsServerConn(conn, ctx, reframe)
        tls.handshake()
        smtp_dialogue(tls.send, tls.readline)
    return handler


def tls_flood(ctx):
    def handler(conn):
        tls = TlsServerConn(conn, ctx)
        tls.handshake()
        block = b"220-" + b"x" * 60 + b"\r\n"
        block *= 16384 // len(block)
        while True:
            tls.send(block)
    return handler


def reader(conn):
    buf = [b""]

    def readline():
        while b"\n" not in buf[0]:
            data = conn.recv(4096)
            if not data:
                raise EOFError
            buf[0] += data
        line, buf[0] = buf[0].split(b"\n", 1)
        return line.strip()
    return readline


CAPS = 10000


def smtp_caps(conn):
    readline = reader(conn)
    conn.sendall(b"220 hostile.lab ESMTP\r\n")
    while not readline().upper().startswith(b"EHLO"):
        conn.sendall(b"502 no\r\n")
    conn.sendall(b"".join(b"250-X-CAP-%05d\r\n" % i for i in range(CAPS - 1)) +
                 b"250 STARTTLS\r\n")
    while readline():
        conn.sendall(b"502 no\r\n")


def imap_caps(conn):
    readline = reader(conn)
    conn.sendall(b"* OK hostile.lab ready\r\n")
    while True:
        tag = readline().split(b" ")[0]
        conn.sendall(b"".join(b"* CAPABILITY IMAP4rev1 X-CAP-%05d\r\n" % i
                              for i in range(CAPS)) + tag + b" OK done\r\n")


def pop3_caps(conn):
    readline = reader(conn)
    conn.sendall(b"+OK hostile.lab ready\r\n")
    while True:
        readline()
        conn.sendall(b"+OK\r\n" + b"".join(b"X-CAP-%05d\r\n" % i for i in range(CAPS)) +
                     b".\r\n")


def unended_fast(conn):
    conn.sendall(b"220 hostile.lab ")
    block = b"x" * 65536
    while True:
        conn.sendall(block)


def unended_slow(conn):
    conn.sendall(b"220 hostile.lab ")
    while True:
        conn.sendall(b"x")
        time.sleep(0.05)


XMPP_HEADER = (b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
               b"xmlns:stream='http://etherx.jabber.org/streams' id='hostile' "
               b"from='hostile.lab' version='1.0'>")


def xmpp_nest(conn):
    conn.recv(4096)  # the client's stream header
    conn.sendall(XMPP_HEADER + b"<stream:features>" + b"<a>" * 100000)
    while conn.recv(4096):
        pass


def xmpp_entities(conn):
    conn.recv(4096)
    dtd = b"<!DOCTYPE stream:stream [<!ENTITY lol0 'lol'>"
    for i in range(1, 10):
        dtd += b"<!ENTITY lol%d '%s'>" % (i, b"&lol%d;" % (i - 1) * 10)
    dtd += b"]>"
    conn.sendall(b"<?xml version='1.0'?>" + dtd + XMPP_HEADER[len(b"<?xml version='1.0'?>"):] +
                 b"<stream:features>&lol9;</stream:features>")
    while conn.recv(4096):
        pass


def irc_flood(conn):
    conn.sendall(b":hostile.lab NOTICE * :*** Looking up your hostname...\r\n")
    n = 0
    while True:
        conn.sendall(b"".join(b":hostile.lab 372 * :- flood line %d\r\n" % (n + i)
                              for i in range(1000)))
        n += 1000


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(eth_src, eth_dst, src, dst, sport, dport, seq, ack, flags, window, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, window, 0, 0) + payload
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return eth_dst + eth_src + b"\x08\x00" + ip + tcp


def zero_window_peer():
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    raw.bind((IFACE, 0))
    my_mac = raw.getsockname()[4]
    conns = {}  # (client ip, client port) -> (our next seq, their next seq)
    banner = b"220 zero window\r\n"
    while True:
        data = raw.recv(4096)
        if len(data) < 54 or data[23] != 6 or socket.inet_ntoa(data[30:34]) != RAW_ADDRESS:
            continue
        ihl = (data[14] & 0x0F) * 4
        sport, dport, seq, _, _, flags = struct.unpack("!HHIIBB", data[14 + ihl:14 + ihl + 14])
        if dport != 2504:
            continue
        client = socket.inet_ntoa(data[26:30])
        key = (client, sport)

        def reply(our_seq, ack, tcp_flags, payload=b""):
            raw.send(frame(my_mac, data[6:12], RAW_ADDRESS, client, 2504, sport, our_seq, ack,
                           tcp_flags, 0, payload))

        if flags & 0x04:  # RST: the client gave up
            conns.pop(key, None)
        elif flags & 0x02:  # SYN: SYN-ACK and the banner, both with window 0
            reply(999, seq + 1, 0x12)
            reply(1000, seq + 1, 0x18, banner)
            conns[key] = (1000 + len(banner), seq + 1)
        elif key in conns:
            # A window probe: accept none of it, window still 0.
            reply(conns[key][0], conns[key][1], 0x10)


if __name__ == "__main__":
    # Killed with SIGTERM: leave no certificates behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        # The first peers need no certificates: up before the slow part.
        serve(2501, silent)
        serve(2502, endless)
        serve(2503, reset)
        threading.Thread(target=zero_window_peer, daemon=True).start()
        if x509 is not None:
            normal, chain100, big = contexts()
            serve(2509, tls_smtp(normal))
            serve(2510, tls_smtp(normal, reframe=True))
            serve(2511, tls_smtp(chain100))
            serve(2512, tls_smtp(big))
            serve(2518, tls_flood(normal))
        else:
            print("hostile peers: no TLS peers (2509-2512, 2518): %s" % CRYPTOGRAPHY_MISSING,
                  file=sys.stderr, flush=True)
        serve(2513, smtp_caps)
        serve(2514, imap_caps)
        serve(2515, pop3_caps)
        serve(2516, unended_fast)
        serve(2517, unended_slow)
        serve(2519, xmpp_nest)
        serve(2520, xmpp_entities)
        serve(2521, irc_flood)
        print("hostile peers ready", flush=True)
        select.select([], [], [])
    finally:
        shutil.rmtree(CERT_DIR, ignore_errors=True)
