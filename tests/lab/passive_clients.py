#!/usr/bin/env python3
"""Python's own mail clients (smtplib, imaplib, poplib) against the lab's
Postfix and Dovecot for passive_lab_test.sh, each connection once, with
and without STARTTLS/STLS, implicit TLS, and plaintext logins before TLS.

The transcript is the client's own: every write on a plain (not yet TLS)
socket is logged per local port by wrapping socket.sendall, so what
crossed in plaintext is what the program sent, not what the test meant
to send. One JSON line per connection on stdout: local port, server port,
the command verbs sent in plaintext (IMAP without its tag), whether TLS
started and its version and cipher as the client's ssl module saw them.
Failures (LOGINDISABLED, a refused login) are part of what is observed.

usage: passive_clients.py USER PASSWORD
"""
import imaplib
import json
import poplib
import smtplib
import socket
import ssl
import sys

USER, PASSWORD = sys.argv[1], sys.argv[2]
SMTP, MAILSTORE = "10.77.0.10", "10.77.0.11"
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

plain_writes = {}  # local port -> bytes written before TLS
_sendall = socket.socket.sendall


def logging_sendall(self, data, *args):
    if not isinstance(self, ssl.SSLSocket):
        plain_writes.setdefault(self.getsockname()[1], bytearray()).extend(data)
    return _sendall(self, data, *args)


socket.socket.sendall = logging_sendall


def verbs(port, imap):
    out = []
    for line in bytes(plain_writes.get(port, b"")).split(b"\r\n"):
        words = line.decode("latin-1").split()
        if imap and len(words) >= 2:
            words = words[1:]
        if words:
            out.append(words[0].upper())
    return out


def report(sock, server_port, imap=False):
    line = {"client_port": sock.getsockname()[1], "port": server_port,
            "plaintext_verbs": verbs(sock.getsockname()[1], imap)}
    if isinstance(sock, ssl.SSLSocket):
        line["tls_version"] = sock.version()
        line["cipher"] = sock.cipher()[0]
    print(json.dumps(line), flush=True)


def attempt(f):
    try:
        f()
    except (smtplib.SMTPException, imaplib.IMAP4.error, poplib.error_proto, OSError):
        pass


def smtp_starttls_login():
    s = smtplib.SMTP(SMTP, 587, timeout=10)
    s.ehlo("client.lab")
    s.starttls(context=ctx)
    s.ehlo("client.lab")
    attempt(lambda: s.login(USER, PASSWORD))
    report(s.sock, 587)
    s.quit()


def smtp_plain_auth_login():
    # AUTH LOGIN with the user name as initial response, before any TLS
    # (the lab's Postfix refuses it: the name crosses anyway).
    s = smtplib.SMTP(SMTP, 587, timeout=10)
    s.ehlo("client.lab")
    s.docmd("AUTH", "LOGIN bGFi")
    report(s.sock, 587)
    s.quit()


def smtps_login():
    s = smtplib.SMTP_SSL(SMTP, 465, timeout=10, context=ctx)
    s.ehlo("client.lab")
    attempt(lambda: s.login(USER, PASSWORD))
    report(s.sock, 465)
    s.quit()


def imap_plain_login():
    # LOGIN before TLS although Dovecot says LOGINDISABLED.
    m = imaplib.IMAP4(MAILSTORE, 143, timeout=10)
    attempt(lambda: m._simple_command("LOGIN", USER, PASSWORD))
    report(m.sock, 143, imap=True)
    attempt(m.logout)


def imap_starttls_login():
    m = imaplib.IMAP4(MAILSTORE, 143, timeout=10)
    m.starttls(ssl_context=ctx)
    attempt(lambda: m.login(USER, PASSWORD))
    report(m.sock, 143, imap=True)
    attempt(m.logout)


def imaps_login():
    m = imaplib.IMAP4_SSL(MAILSTORE, 993, ssl_context=ctx, timeout=10)
    attempt(lambda: m.login(USER, PASSWORD))
    report(m.sock, 993, imap=True)
    attempt(m.logout)


def pop3_plain_user_pass():
    p = poplib.POP3(MAILSTORE, 110, timeout=10)
    attempt(lambda: p.user(USER))
    attempt(lambda: p.pass_(PASSWORD))
    report(p.sock, 110)
    attempt(p.quit)


def pop3_stls_user_pass():
    p = poplib.POP3(MAILSTORE, 110, timeout=10)
    p.stls(context=ctx)
    attempt(lambda: p.user(USER))
    attempt(lambda: p.pass_(PASSWORD))
    report(p.sock, 110)
    attempt(p.quit)


def pop3s_user_pass():
    p = poplib.POP3_SSL(MAILSTORE, 995, context=ctx, timeout=10)
    attempt(lambda: p.user(USER))
    attempt(lambda: p.pass_(PASSWORD))
    report(p.sock, 995)
    attempt(p.quit)


for client in (smtp_starttls_login, smtp_plain_auth_login, smtps_login, imap_plain_login,
               imap_starttls_login, imaps_login, pop3_plain_user_pass, pop3_stls_user_pass,
               pop3s_user_pass):
    try:
        client()
    except Exception as e:  # a client that could not even connect: said, not hidden
        print(json.dumps({"client": client.__name__, "error": repr(e)}), flush=True)
