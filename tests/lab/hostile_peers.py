#!/usr/bin/env python3
"""Hostile TCP peers for the lab, run inside the target namespace.

usage: hostile_peers.py ADDRESS RAW_ADDRESS IFACE

On ADDRESS (configured on IFACE), kernel sockets:
  2501  accepts and never sends
  2502  sends a multi-line SMTP greeting that never ends
  2503  accepts, reads the TLS ClientHello, then resets (SO_LINGER 0)
On RAW_ADDRESS (not configured: the kernel ignores it), a raw-socket peer on
IFACE answers a SYN to port 2504 with a SYN-ACK, sends a banner and then
advertises a zero window forever, acknowledging each window probe.
Runs until killed.
"""
import select
import socket
import struct
import sys
import threading

ADDRESS, RAW_ADDRESS, IFACE = sys.argv[1], sys.argv[2], sys.argv[3]


def serve(port, handler):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((ADDRESS, port))
    listener.listen(64)

    def loop():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handler, args=(conn,), daemon=True).start()

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
    serve(2501, silent)
    serve(2502, endless)
    serve(2503, reset)
    threading.Thread(target=zero_window_peer, daemon=True).start()
    print("hostile peers ready", flush=True)
    select.select([], [], [])
