#!/usr/bin/env python3
"""Writes a pcap of a realistic traffic mix for `tlsweep passive` benchmarks.

Three shapes (bench/RESULTS.md sections 12.passrep15 and 12.passdpdk15):

  mix         mostly traffic passive mode drops early -- HTTPS bulk transfers
              (1514-byte data frames from port 443, a client ACK every second
              one) and DNS over UDP -- interleaved with complete mail sessions:
              SUBMISSION with STARTTLS, a ClientHello, the server's hello and
              then TLS application data; SMTP on 25 without TLS (EHLO, AUTH
              PLAIN, MAIL, RCPT, a DATA body); IMAP on 143 with STARTTLS.
              --mail-share sets the share of frames that belong to mail flows.
  concurrent  N mail flows all open at once: every flow's handshake and
              greeting first, then every flow's EHLO and reply, then every
              FIN: the flow table holds N flows at its peak (memory per flow).
  template    IMIX-sized non-mail TCP on ports 443 and 80 (Agilent/Spirent's
              "simple IMIX": 7 x 64, 4 x 594, 1 x 1518 bytes on the wire,
              mean 353.8), dropped at the port map, with copies of the mail
              sessions of a template capture (tests/passive/passive_capture's
              or a lab capture) spread through it, each copy with a client
              address of its own so that every copy is a flow of its own.

Frames are Ethernet/IPv4/TCP (or UDP) with checksums left 0: tlsweep passive
does not verify them (passive/analyzer.cc, as a capture of offloaded traffic
would need). Deterministic for a given seed. Standard library only.

usage: passive_mix_pcap.py mix OUT.pcap [--frames N] [--mail-share F] [--seed S]
       passive_mix_pcap.py concurrent OUT.pcap [--flows N]
       passive_mix_pcap.py template TEMPLATE.pcap OUT.pcap [--frames N] [--mail-share F]
"""
import argparse
import random
import struct
import sys

ETH = bytes.fromhex("020000000002" "020000000001" "0800")
TLS12 = 0x0303
MAIL_PORTS = {25, 110, 143, 465, 587, 993, 995, 5222, 5223, 5269, 6667, 6697}
IMIX = [60] * 7 + [590] * 4 + [1514] * 1  # captured length (no FCS)


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.t_us = 1_700_000_000 * 1_000_000
        self.frames = 0
        self.bytes = 0

    def frame(self, body, step_us=7):
        """Writes ETH + body; step_us of capture time since the last frame
        (7: about 140k frames/s, never idle)."""
        self.raw(ETH + body, step_us)

    def raw(self, data, step_us):
        self.t_us += step_us
        self.f.write(struct.pack("<IIII", self.t_us // 1_000_000, self.t_us % 1_000_000,
                                 len(data), len(data)))
        self.f.write(data)
        self.frames += 1
        self.bytes += len(data)

    def close(self):
        self.f.close()


def ipv4(src, dst, proto, payload_len):
    return struct.pack("!BBHHHBBHII", 0x45, 0, 20 + payload_len, 0, 0x4000, 64, proto, 0, src, dst)


def tcp(w, src, sport, dst, dport, seq, ack, flags, payload=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                      flags, 65535, 0, 0)
    w.frame(ipv4(src, dst, 6, 20 + len(payload)) + hdr + payload)


def udp(w, src, sport, dst, dport, payload):
    w.frame(ipv4(src, dst, 17, 8 + len(payload)) +
            struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


class Conn:
    """One TCP connection: yields frames one by one (so flows interleave)."""

    def __init__(self, client, cport, server, sport):
        self.c, self.cp, self.s, self.sp = client, cport, server, sport
        self.cseq, self.sseq = 1000, 5000

    def open(self, w):
        tcp(w, self.c, self.cp, self.s, self.sp, self.cseq, 0, SYN)
        tcp(w, self.s, self.sp, self.c, self.cp, self.sseq, self.cseq + 1, SYN | ACK)
        self.cseq += 1
        self.sseq += 1
        tcp(w, self.c, self.cp, self.s, self.sp, self.cseq, self.sseq, ACK)

    def client(self, w, data):
        for i in range(0, len(data), 1448):
            chunk = data[i:i + 1448]
            tcp(w, self.c, self.cp, self.s, self.sp, self.cseq, self.sseq, ACK | PSH, chunk)
            self.cseq += len(chunk)

    def server(self, w, data):
        for i in range(0, len(data), 1448):
            chunk = data[i:i + 1448]
            tcp(w, self.s, self.sp, self.c, self.cp, self.sseq, self.cseq, ACK | PSH, chunk)
            self.sseq += len(chunk)

    def ack(self, w):
        tcp(w, self.c, self.cp, self.s, self.sp, self.cseq, self.sseq, ACK)

    def bulk(self, w, steps, from_client, payload):
        """`steps` rounds of two segments payload(0), payload(1) from one side
        and the other side's ACK; a generator of steps."""
        send = self.client if from_client else self.server
        for _ in range(steps):
            send(w, payload(0)); yield
            send(w, payload(1)); yield
            if from_client:
                tcp(w, self.s, self.sp, self.c, self.cp, self.sseq, self.cseq, ACK)
            else:
                self.ack(w)
            yield

    def close(self, w):
        tcp(w, self.c, self.cp, self.s, self.sp, self.cseq, self.sseq, FIN | ACK)
        self.cseq += 1
        tcp(w, self.s, self.sp, self.c, self.cp, self.sseq, self.cseq, FIN | ACK)
        self.sseq += 1
        tcp(w, self.c, self.cp, self.s, self.sp, self.cseq, self.sseq, ACK)


def record(ctype, body):
    return struct.pack("!BHH", ctype, TLS12, len(body)) + body


def handshake(htype, body):
    return struct.pack("!B", htype) + len(body).to_bytes(3, "big") + body


def client_hello(rng):
    suites = [0x1301, 0x1302, 0xC02F, 0xC030, 0xC013, 0x009C, 0x002F, 0x000A]
    sni = b"mail.example.net"
    ext_sni = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    ext_groups = struct.pack("!HHHHH", 10, 6, 4, 29, 23)
    ext_sv = struct.pack("!HHBHH", 43, 5, 4, 0x0304, 0x0303)
    exts = ext_sni + ext_groups + ext_sv
    body = (struct.pack("!H", TLS12) + rng.randbytes(32) + b"\x00" +
            struct.pack("!H", 2 * len(suites)) + struct.pack("!%dH" % len(suites), *suites) +
            b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    return record(22, handshake(1, body))


def server_hello(rng):
    body = struct.pack("!H", TLS12) + rng.randbytes(32) + b"\x00" + struct.pack("!HB", 0xC02F, 0) + b"\x00\x00"
    return record(22, handshake(2, body) + handshake(14, b""))


def app_data(rng, n):
    return record(23, rng.randbytes(n))


def submission_session(w, conn, rng, steps):
    """SUBMISSION with STARTTLS and a TLS session; a generator of steps."""
    conn.open(w); yield
    conn.server(w, b"220 mx.example.net ESMTP\r\n"); yield
    conn.client(w, b"EHLO laptop\r\n"); yield
    conn.server(w, b"250-mx.example.net\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"); yield
    conn.client(w, b"STARTTLS\r\n"); yield
    conn.server(w, b"220 2.0.0 Ready to start TLS\r\n"); yield
    conn.client(w, client_hello(rng)); yield
    conn.server(w, server_hello(rng)); yield
    yield from conn.bulk(w, steps, True, lambda _: app_data(rng, 1380))
    conn.close(w)


def smtp_session(w, conn, rng, steps):
    conn.open(w); yield
    conn.server(w, b"220 mx.example.net ESMTP\r\n"); yield
    conn.client(w, b"EHLO laptop\r\n"); yield
    conn.server(w, b"250-mx.example.net\r\n250 AUTH PLAIN LOGIN\r\n"); yield
    conn.client(w, b"AUTH PLAIN AGJlbmNoAGJlbmNo\r\n"); yield
    conn.server(w, b"235 2.7.0 Authentication successful\r\n"); yield
    conn.client(w, b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"); yield
    conn.server(w, b"250 ok\r\n250 ok\r\n354 go ahead\r\n"); yield
    yield from conn.bulk(w, steps, True, lambda i: b"xy"[i:i + 1] * 1446 + b"\r\n")
    conn.client(w, b".\r\nQUIT\r\n"); yield
    conn.server(w, b"250 queued\r\n221 bye\r\n"); yield
    conn.close(w)


def imap_session(w, conn, rng, steps):
    conn.open(w); yield
    conn.server(w, b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"); yield
    conn.client(w, b"a STARTTLS\r\n"); yield
    conn.server(w, b"a OK Begin TLS negotiation now\r\n"); yield
    conn.client(w, client_hello(rng)); yield
    conn.server(w, server_hello(rng)); yield
    yield from conn.bulk(w, steps, False, lambda _: app_data(rng, 1380))
    conn.close(w)


def https_session(w, conn, rng, steps):
    """Non-mail bulk transfer: dropped at the first lookup (unmapped port)."""
    conn.open(w); yield
    conn.client(w, rng.randbytes(517)); yield
    yield from conn.bulk(w, steps, False, lambda _: rng.randbytes(1448))
    conn.close(w)


def mix(args):
    rng = random.Random(args.seed)
    w = Writer(args.out)
    active = []  # (is_mail, generator)
    mail_frames = other_frames = 0
    n = 0
    while w.frames < args.frames:
        # Keep about 64 sessions in flight, opening mail or other sessions so
        # that mail's share of frames tracks --mail-share.
        while len(active) < 64:
            n += 1
            client = 0x0A000000 | rng.randrange(1, 1 << 24)
            cport = 1024 + n % 60000
            server = 0xC0000200 | (n % 200)
            want_mail = mail_frames < args.mail_share * max(1, mail_frames + other_frames)
            if want_mail:
                kind = rng.choice((submission_session, smtp_session, imap_session))
                port = {submission_session: 587, smtp_session: 25, imap_session: 143}[kind]
                active.append((True, kind(w, Conn(client, cport, server, port), rng, rng.randrange(2, 12))))
            else:
                active.append((False, https_session(w, Conn(client, cport, server, 443), rng,
                                                    rng.randrange(20, 200))))
        i = rng.randrange(len(active))
        is_mail, gen = active[i]
        before = w.frames
        if rng.random() < 0.02:  # a DNS query and answer now and then (not TCP)
            udp(w, client, 53000, 0x08080808, 53, rng.randbytes(40))
            udp(w, 0x08080808, 53, client, 53000, rng.randbytes(120))
            other_frames += 2
            before = w.frames
        try:
            next(gen)
        except StopIteration:
            active.pop(i)
        if is_mail:
            mail_frames += w.frames - before
        else:
            other_frames += w.frames - before
    w.close()
    print("frames %d bytes %d mail frames %d (%.1f%%) sessions %d" %
          (w.frames, w.bytes, mail_frames, 100.0 * mail_frames / w.frames, n))


def concurrent(args):
    w = Writer(args.out)
    conns = [Conn(0x0A000000 | (i + 1), 1024 + i % 60000, 0xC0000200 | (i // 60000), 25)
             for i in range(args.flows)]
    for c in conns:
        c.open(w)
        c.server(w, b"220 mx.example.net ESMTP\r\n")
    for c in conns:
        c.client(w, b"EHLO laptop\r\n")
        c.server(w, b"250-mx.example.net\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n")
    for c in conns:
        c.close(w)
    w.close()
    print("frames %d bytes %d flows %d" % (w.frames, w.bytes, args.flows))


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "little-endian pcap expected"
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        frames.append(bytearray(data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return frames


def imix_frame(rng, length):
    """A TCP ACK of `length` captured bytes between random web clients and
    servers (zero-filled payload, IPv4 total length and TTL set, the rest of
    the headers 0)."""
    f = bytearray(length)
    f[0:14] = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
    f[14] = 0x45
    struct.pack_into("!H", f, 16, length - 14)
    f[22], f[23] = 64, 6
    struct.pack_into("!II", f, 26, 0xC0A80000 | rng.getrandbits(16),
                     0x0A640000 | rng.getrandbits(12))
    struct.pack_into("!HHII", f, 34, 1024 + rng.getrandbits(14), rng.choice((443, 80)),
                     rng.getrandbits(32), rng.getrandbits(32))
    f[46], f[47] = 0x50, ACK
    return f


def template(args):
    rng = random.Random(1)
    tmpl = read_pcap(args.template)
    # One copy of the template's sessions per block; the blocks are spread
    # through the non-mail frames in order.
    copies = max(1, int(args.frames * args.mail_share) // len(tmpl))
    mail_every = args.frames // (copies * len(tmpl))
    w = Writer(args.out)
    copy, pos = 0, 0
    for i in range(args.frames):
        if mail_every and i % mail_every == 0 and copy < copies:
            f = bytearray(tmpl[pos])
            # The client is the side whose port is not a mail port.
            dport = struct.unpack_from("!H", f, 36)[0]
            struct.pack_into("!I", f, 26 if dport in MAIL_PORTS else 30, 0x0B000000 + copy)
            pos += 1
            if pos == len(tmpl):
                pos, copy = 0, copy + 1
        else:
            f = imix_frame(rng, rng.choice(IMIX))
        w.raw(f, 1)
    w.close()
    print(f"{args.frames} frames, {copies} copies of {len(tmpl)} template frames")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="shape", required=True)
    m = sub.add_parser("mix")
    m.add_argument("out")
    m.add_argument("--frames", type=int, default=1_000_000)
    m.add_argument("--mail-share", type=float, default=0.1)
    m.add_argument("--seed", type=int, default=15)
    c = sub.add_parser("concurrent")
    c.add_argument("out")
    c.add_argument("--flows", type=int, default=100_000)
    t = sub.add_parser("template")
    t.add_argument("template")
    t.add_argument("out")
    t.add_argument("--frames", type=int, default=1_000_000)
    t.add_argument("--mail-share", type=float, default=0.1)
    args = p.parse_args()
    {"mix": mix, "concurrent": concurrent, "template": template}[args.shape](args)


if __name__ == "__main__":
    sys.exit(main())
