#!/usr/bin/env python3
"""A server that accepts connections and then never says anything.

For bench/run_bench.sh: every grab against it stays in flight until the
grabber's phase deadline, so the grabber's memory can be measured with N
connections open. With --cert/--key it completes the TLS handshake first
(an implicit-TLS port: the grabber then holds an established TLS session
while it waits for a banner that never comes); without, it is silent from
the first byte (the grabber waits for the banner in plaintext).

Listens on 0.0.0.0 (of the namespace it runs in) on every --port, reads and
discards whatever arrives, closes when the peer does. Prints "ready" once
listening, then every --stats seconds one line:
  t=SECONDS accepted=N open=N max_open=N tls_failed=N
and the same line on SIGTERM/SIGINT before it exits.

usage: hold_server.py --port 465 [--port ...] [--cert CRT --key KEY]
                      [--backlog 65535] [--stats 1]
"""
import argparse
import asyncio
import resource
import signal
import ssl
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, action="append", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--backlog", type=int, default=65535)
    ap.add_argument("--stats", type=float, default=1.0)
    args = ap.parse_args()

    # One descriptor per held connection, plus room.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1 << 17
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    ctx = None
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)

    start = time.monotonic()
    st = {"accepted": 0, "open": 0, "max_open": 0, "tls_failed": 0}

    def line():
        return ("t=%.1f accepted=%d open=%d max_open=%d tls_failed=%d" %
                (time.monotonic() - start, st["accepted"], st["open"], st["max_open"],
                 st["tls_failed"]))

    async def handle(reader, writer):
        # With TLS, asyncio has completed the handshake before calling us.
        st["accepted"] += 1
        st["open"] += 1
        st["max_open"] = max(st["max_open"], st["open"])
        try:
            while await reader.read(65536):
                pass
        except (ConnectionError, OSError, ssl.SSLError):
            pass
        finally:
            st["open"] -= 1
            writer.transport.abort()

    def on_error(loop, context):
        # Failed or timed-out handshakes (asyncio reports them here).
        st["tls_failed"] += 1

    async def run():
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(on_error)
        servers = []
        for port in args.port:
            servers.append(await asyncio.start_server(
                handle, "0.0.0.0", port, ssl=ctx, backlog=args.backlog,
                ssl_handshake_timeout=600 if ctx else None, reuse_address=True))
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print("ready", flush=True)
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), args.stats)
            except asyncio.TimeoutError:
                pass
            print(line(), flush=True)
        for s in servers:
            s.close()

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
