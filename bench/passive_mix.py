#!/usr/bin/env python3
"""Writes a capture of a realistic mix for `tlsweep passive` throughput
(bench/RESULTS.md 12.passdpdk15): mostly non-mail traffic, which the
analyzer drops at the port map, plus many copies of the mail sessions of
a template capture (tests/passive/passive_capture's, or a lab capture),
each copy with its own client address so every copy is a flow of its own.

Non-mail frames are TCP on ports 443 and 80 with the simple IMIX sizes
(7 x 64, 4 x 594, 1 x 1518 bytes on the wire; Agilent/Spirent's "simple
IMIX", mean 353.8 bytes), the share of mail frames is --mail-share.

usage: passive_mix.py TEMPLATE.pcap OUT.pcap [--frames N] [--mail-share F]
"""
import argparse
import random
import struct

MAIL_PORTS = {25, 110, 143, 465, 587, 993, 995, 5222, 5223, 5269, 6667, 6697}
IMIX = [60] * 7 + [590] * 4 + [1514] * 1  # captured length (no FCS)


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xa1b2c3d4, 0xa1b23c4d), "little-endian pcap expected"
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        frames.append(bytearray(data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return frames


def other_frame(rng, length):
    f = bytearray(length)
    f[0:12] = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
    f[12:14] = b"\x08\x00"
    ip = 14
    f[ip] = 0x45
    struct.pack_into(">H", f, ip + 2, length - 14)
    f[ip + 8] = 64
    f[ip + 9] = 6
    struct.pack_into(">II", f, ip + 12, 0xc0a80000 | rng.getrandbits(16), 0x0a640000 | rng.getrandbits(12))
    tcp = ip + 20
    struct.pack_into(">HHII", f, tcp, 1024 + rng.getrandbits(14), rng.choice((443, 80)),
                     rng.getrandbits(32), rng.getrandbits(32))
    f[tcp + 12] = 0x50
    f[tcp + 13] = 0x10
    return f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("template")
    ap.add_argument("out")
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--mail-share", type=float, default=0.1)
    a = ap.parse_args()
    rng = random.Random(1)
    template = read_pcap(a.template)
    # One copy of the template's sessions per block; blocks are spread
    # through the non-mail frames in order.
    mail_frames = int(a.frames * a.mail_share)
    copies = max(1, mail_frames // len(template))
    out = open(a.out, "wb")
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    ts = 1_700_000_000 * 1_000_000
    mail_every = a.frames // (copies * len(template)) if copies else 0
    copy, pos = 0, 0
    for i in range(a.frames):
        if mail_every and i % mail_every == 0 and copy < copies:
            f = bytearray(template[pos])
            # The client is the side whose port is not a mail port.
            sport, dport = struct.unpack_from(">HH", f, 34)
            client_at = 26 if dport in MAIL_PORTS else 30
            struct.pack_into(">I", f, client_at, 0x0b000000 + copy)
            pos += 1
            if pos == len(template):
                pos, copy = 0, copy + 1
        else:
            f = other_frame(rng, rng.choice(IMIX))
        ts += 1
        out.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(f), len(f)))
        out.write(f)
    print(f"{a.frames} frames, {copies} copies of {len(template)} template frames")


main()
