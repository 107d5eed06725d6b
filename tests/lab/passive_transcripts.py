#!/usr/bin/env python3
"""The clients' own transcripts for passive_lab_test.sh, turned into one
JSON line per connection, and compared with tlsweep passive's records.

  curl FILE...          `curl -v` output (one connection per file): the
                        mail shape of passive_clients.py (client_port, port,
                        plaintext_verbs, tls_version, cipher). "> " lines are
                        what curl sent; those before its first "(OUT), TLS
                        handshake, Client hello" line crossed in plaintext.
  sclient FILE...       `openssl s_client -debug -brief` output, files named
                        sclient_LOCALPORT_SERVERPORT.txt (stdout: -debug)
                        and .err beside it (stderr: -brief): the chat shape
                        (client_port, port, client_plain, server_plain,
                        tls_version, cipher). -debug dumps every byte
                        s_client wrote and read on the socket; those before
                        its first write of a TLS handshake record (0x16)
                        crossed in plaintext.
  irssi DIR...          irssi's transcript (tests/lab/passive_irssi.pl:
                        the rawlog's "<< " sent and ">> " received lines,
                        the local port from the kernel's socket table, the
                        TLS version and suite irssi printed), directories
                        named irssi_SERVERPORT: the chat shape. The rawlog
                        goes on inside TLS: the lines before irssi's own
                        "--> Now talking encrypted" crossed in plaintext,
                        none on 6697.
  check-chat RECORDS TRANSCRIPTS...
                        every chat transcript (s_client, slixmpp, irssi)
                        against its connection's record, field by field;
                        exits 1 on any difference or a transcript without a
                        record.
  check-tshark-chat RECORDS TSHARK_FIELDS
                        every XMPP and IRC record against tshark's
                        dissection (the fields TSHARK_CHAT_FIELDS names, in
                        that order, '|'-separated), connection by
                        connection: STARTTLS offered (XMPP: the features
                        carry the TLS namespace; IRC: CAP LS lists tls),
                        asked (<starttls/>, STARTTLS), accepted (<proceed/>,
                        670), an auth in the clear (<auth/>; PASS or
                        AUTHENTICATE), the first ClientHello's JA3 and the
                        last ServerHello's suite.

  tshark-fields         prints TSHARK_CHAT_FIELDS as tshark's -e options.

usage: passive_transcripts.py curl|sclient|irssi|check-chat|check-tshark-chat|tshark-fields ARGS...
"""
import json
import os
import re
import sys

IMPLICIT_TLS_PORTS = {465, 993, 995, 5223, 6697}
XMPP_PORTS = {5222, 5223, 5269}


def curl(paths):
    for path in paths:
        verbs, tls_started, line = [], False, {"client": "curl"}
        for text in open(path, errors="replace").read().splitlines():
            m = re.match(r"\* Connected to \S+ \(\S+\) port (\d+)", text)
            if m:
                line["port"] = int(m.group(1))
            if "(OUT), TLS handshake, Client hello" in text:
                tls_started = True
            m = re.match(r"\* SSL connection using (\S+) / (\S+)", text)
            if m:
                line["tls_version"], line["cipher"] = m.group(1), m.group(2)
            if text.startswith("> ") and not tls_started:
                words = text[2:].split()
                if line.get("port") in (143, 993) and len(words) >= 2:
                    words = words[1:]  # the IMAP tag
                if words:
                    verbs.append(words[0].upper())
        line["client_port"] = int(re.search(r"curl_(\d+)", path).group(1))
        line["plaintext_verbs"] = verbs
        print(json.dumps(line))


def sclient(paths):
    head = re.compile(r"^(read from|write to) 0x[0-9a-f]+ \[0x[0-9a-f]+\] \(\d+ bytes => (-?\d+)")
    dump = re.compile(r"^[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})")
    for path in paths:
        local, server = map(int, re.search(r"sclient_(\d+)_(\d+)", path).groups())
        # (direction, bytes) per socket read or write, in order.
        ops, line = [], {"client": "s_client", "client_port": local, "port": server}
        text_lines = open(path, errors="replace").read().splitlines()
        text_lines += open(path[:-len(".txt")] + ".err", errors="replace").read().splitlines()
        for text in text_lines:
            m = head.match(text)
            if m:
                ops.append((m.group(1), bytearray()))
                continue
            m = dump.match(text)
            if m and ops:
                ops[-1][1].extend(bytes.fromhex("".join(re.findall(r"[0-9a-f]{2}", m.group(1)))))
                continue
            m = re.match(r"(Protocol version|Ciphersuite): (\S+)", text)
            if m:
                line["tls_version" if m.group(1) == "Protocol version" else "cipher"] = m.group(2)
        client, server_bytes = bytearray(), bytearray()
        for direction, data in ops:
            if direction == "write to" and data[:1] == b"\x16":
                break
            (client if direction == "write to" else server_bytes).extend(data)
        line["client_plain"] = client.decode("utf-8", "replace")
        line["server_plain"] = server_bytes.decode("utf-8", "replace")
        print(json.dumps(line))


def irssi(dirs):
    for d in dirs:
        port = int(re.search(r"irssi_(\d+)", d).group(1))
        line = {"client": "irssi", "port": port, "client_plain": "", "server_plain": ""}
        for text in open(os.path.join(d, "transcript")).read().splitlines():
            if text.startswith("socket "):
                line["client_port"] = int(text.split()[1])
            elif text.startswith("tls ") and text != "tls none":
                line["tls_version"], line["cipher"] = text.split()[1:3]
        plain = port not in IMPLICIT_TLS_PORTS
        for text in open(os.path.join(d, "transcript.raw"), errors="replace").read().splitlines():
            if text.startswith("--> Now talking encrypted"):
                plain = False
            if not plain:
                break
            if text.startswith("<< "):
                line["client_plain"] += text[3:] + "\r\n"
            elif text.startswith(">> "):
                line["server_plain"] += text[3:] + "\r\n"
        print(json.dumps(line))


def irc_command(text):
    words = text.split()
    if words and words[0].startswith(":"):
        words = words[1:]
    return words[0].upper() if words else ""


def want_chat(t):
    """What a chat transcript says the record must hold."""
    port, c, s = t["port"], t["client_plain"], t["server_plain"]
    want = {"port": port, "implicit_tls": port in IMPLICIT_TLS_PORTS,
            "tls": "tls_version" in t}
    if t.get("tls_version") == "TLSv1.3":
        want["cipher"] = t["cipher"]
    if port in XMPP_PORTS:
        m = re.search(r"<auth [^>]*mechanism=['\"]([^'\"]+)", c)
        want.update({
            "starttls_offered": "<starttls" in s.split("<proceed")[0],
            "starttls_attempted": "<starttls" in c,
            "starttls_accepted": "<proceed" in s,
            "starttls_required": "<required" in s,
            # SASL inside TLS is not visible; before it, its mechanism is.
            "auth_mechanism": m.group(1) if m else None,
        })
        m = re.search(r"<stream:stream [^>]*\bid=['\"]([^'\"]+)", s)
        want["stream_id"] = m.group(1) if m else None
    else:
        client_cmds = [irc_command(x) for x in c.split("\r\n") if x]
        server_lines = [x for x in s.split("\r\n") if x]
        offered = any(irc_command(x) == "CAP" and re.search(r"\bLS\b", x) and
                      re.search(r"[: ]tls(=\S*)?(\s|$)", x.split(" :", 1)[-1] + " ")
                      for x in server_lines)
        want.update({
            "starttls_offered": offered,
            "starttls_attempted": "STARTTLS" in client_cmds,
            "starttls_accepted": any(irc_command(x) == "670" for x in server_lines),
            "auth_before_tls": bool({"PASS", "AUTHENTICATE"} & set(client_cmds)),
            "banner": server_lines[0] if server_lines else None,
        })
    return want


def got_chat(r, want):
    res = r["result"]
    st = res.get("starttls", {})
    hello = res.get("tls", {}).get("handshake_log", {}).get("server_hello", {})
    got = {"port": r["port"], "implicit_tls": res.get("implicit_tls", False),
           "tls": bool(hello)}
    if "cipher" in want:
        got["cipher"] = hello.get("cipher_suite", {}).get("name")
    got.update({"starttls_offered": st.get("offered", False),
                "starttls_attempted": st.get("attempted", False),
                "starttls_accepted": st.get("accepted", False)})
    auth = res.get("auth")
    if r["port"] in XMPP_PORTS:
        got["starttls_required"] = res.get("starttls_required", False)
        got["auth_mechanism"] = auth["mechanism"] if auth and auth.get("before_tls") else None
        got["stream_id"] = res.get("stream", {}).get("id")
    else:
        got["auth_before_tls"] = bool(auth and auth.get("before_tls"))
        got["banner"] = res.get("banner")
    return got


# The tshark fields check-tshark-chat reads; the trailer last, as it may
# hold the separator.
TSHARK_CHAT_FIELDS = ["tcp.srcport", "tcp.dstport", "xmpp.xmlns", "xmpp.starttls",
                      "xmpp.proceed", "xmpp.auth", "irc.request.command",
                      "irc.response.command", "tls.handshake.type", "tls.handshake.ja3_full",
                      "tls.handshake.ciphersuite", "irc.response.trailer"]
CHAT_PORTS = XMPP_PORTS | {6667, 6697}


def check_tshark_chat(records_path, tshark_path):
    seen = {}
    for text in open(tshark_path, errors="replace").read().splitlines():
        f = dict(zip(TSHARK_CHAT_FIELDS, text.split("|", len(TSHARK_CHAT_FIELDS) - 1)))
        src, dst = int(f["tcp.srcport"]), int(f["tcp.dstport"])
        from_client = dst in CHAT_PORTS
        cp = src if from_client else dst
        v = seen.setdefault(cp, {"starttls_offered": False, "starttls_attempted": False,
                                 "starttls_accepted": False, "auth_before_tls": False,
                                 "ja3": None, "suite": None})
        requests = set(f["irc.request.command"].upper().split(","))
        responses = set(f["irc.response.command"].upper().split(","))
        if from_client:
            v["starttls_attempted"] |= bool(f["xmpp.starttls"]) or "STARTTLS" in requests
            v["auth_before_tls"] |= bool(f["xmpp.auth"]) or bool({"PASS", "AUTHENTICATE"} & requests)
        else:
            v["starttls_accepted"] |= bool(f["xmpp.proceed"]) or "670" in responses
            v["starttls_offered"] |= (
                (not f["xmpp.proceed"] and "urn:ietf:params:xml:ns:xmpp-tls" in f["xmpp.xmlns"])
                or ("CAP" in responses and "tls" in re.split(r"[ ,]", f["irc.response.trailer"])))
        types = f["tls.handshake.type"].split(",")
        if from_client and "1" in types and v["ja3"] is None:
            v["ja3"] = f["tls.handshake.ja3_full"]
        if not from_client and "2" in types:
            v["suite"] = int(f["tls.handshake.ciphersuite"].split(",")[0], 16)
    ok, n = True, 0
    for r in map(json.loads, open(records_path)):
        if r["port"] not in CHAT_PORTS:
            continue
        n += 1
        res, cp = r["result"], r["client_port"]
        st, auth = res.get("starttls", {}), res.get("auth")
        mine = {"starttls_offered": st.get("offered", False),
                "starttls_attempted": st.get("attempted", False),
                "starttls_accepted": st.get("accepted", False),
                "auth_before_tls": bool(auth and auth.get("before_tls")),
                "ja3": res.get("tls", {}).get("client_hello", {}).get("ja3"),
                "suite": res.get("tls", {}).get("handshake_log", {}).get("server_hello", {})
                         .get("cipher_suite", {}).get("value")}
        theirs = seen.get(cp)
        same = mine == theirs
        ok &= same
        print("same" if same else "DIFFERENT", r["protocol"], r["port"], cp,
              {k: v for k, v in mine.items() if k != "ja3"} if same else (mine, theirs))
    print("chat records:", n, "tshark chat client ports:", len(seen))
    return ok and n > 0 and n == len(seen)


def check_chat(records_path, transcript_paths):
    recs = {r["client_port"]: r for r in map(json.loads, open(records_path))}
    ok, n = True, 0
    for path in transcript_paths:
        for t in map(json.loads, open(path)):
            n += 1
            r = recs.get(t.get("client_port"))
            if r is None:
                print("no record for", t)
                ok = False
                continue
            want = want_chat(t)
            got = got_chat(r, want)
            same = want == got
            ok &= same
            print("same" if same else "DIFFERENT", t["client"], t["port"], t["client_port"],
                  got if same else {k: (got.get(k), want[k]) for k in want if got.get(k) != want[k]})
    print("chat transcripts:", n)
    return ok and n > 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "curl":
        curl(args)
    elif cmd == "sclient":
        sclient(args)
    elif cmd == "irssi":
        irssi(args)
    elif cmd == "tshark-fields":
        print(" ".join("-e " + f for f in TSHARK_CHAT_FIELDS))
    elif cmd == "check-tshark-chat":
        sys.exit(0 if check_tshark_chat(args[0], args[1]) else 1)
    elif cmd == "check-chat":
        sys.exit(0 if check_chat(args[0], args[1:]) else 1)
    else:
        sys.exit("usage: passive_transcripts.py curl|sclient|irssi|check-chat|check-tshark-chat|"
                 "tshark-fields ARGS...")
