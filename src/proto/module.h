// The contract between a protocol module (SMTP, IMAP, POP3, XMPP, IRC) and the
// session that drives it.
//
// Modules are sans-I/O: they never touch a socket, a clock or OpenSSL. The
// session hands them plaintext bytes and events (connected, TLS up, peer
// closed, deadline expired) and they answer with ModuleActions: bytes to send,
// whether to start TLS after sending them, whether the dialogue is over. This
// lets the same module run over kernel sockets (`tlsweep grab`) and over
// tlsweep's userspace TCP on DPDK, and lets unit tests replay server
// transcripts byte by byte.
//
// Every module is written for hostile peers: input is bounded (a maximum line
// length and a maximum of bytes per session, see ModuleOptions), never
// asserted on, and any violation ends the record with a status while keeping
// what was learned. A module never sends credentials, AUTH / LOGIN /
// AUTHENTICATE, MAIL FROM or RCPT TO, and ends politely (QUIT / LOGOUT /
// </stream:stream>) whenever the peer is still listening.
#ifndef TLSWEEP_PROTO_MODULE_H_
#define TLSWEEP_PROTO_MODULE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "proto/module_result.h"

namespace tlsweep {

// What the module asks its driver (the session) to do after each event.
struct ModuleActions {
  // Plaintext bytes to send now; the session encrypts them once TLS is up.
  // Several events may append to the same ModuleActions.
  std::string send;
  // After sending `send`, start the TLS handshake. The session must not call
  // OnData again before OnTlsEstablished or OnTlsFailed: plaintext the peer
  // sends after its "go ahead" reply is discarded by the module (and counted),
  // never interpreted, so a STARTTLS injection cannot plant replies.
  bool start_tls = false;
  // The dialogue is over: the session closes after sending `send`.
  bool finished = false;
};

// Upper bound on one protocol line (without CR LF). SMTP reply lines are
// limited to 512 octets by RFC 5321 4.5.3.1.5, IRC lines to 512 plus 8191 of
// IRCv3 tags, and RFC 2683 3.2.1.5 asks IMAP clients to accept lines of 8000
// octets; real EHLO / CAPABILITY lines stay far below 8 KiB. Also bounds one
// XML token (a tag or a text run) for XMPP.
inline constexpr size_t kDefaultMaxLineLength = 8192;

// Upper bound on plaintext bytes read from one peer in one session, across
// both sides of the TLS upgrade. A complete dialogue (banner, two capability
// listings, a few replies; an XMPP stream header and two feature lists) is
// under 8 KiB in practice; 64 KiB leaves room for chatty banners and IRC
// notices while keeping 1000 in-flight sessions under 64 MiB of buffers.
inline constexpr size_t kDefaultMaxSessionBytes = 64 * 1024;

// Per-run settings of the modules.
struct ModuleOptions {
  // SMTP EHLO argument. "tlsweep.invalid" is reserved (RFC 6761), so it never
  // claims somebody else's name.
  std::string ehlo_name = "tlsweep.invalid";
  // XMPP stream `to=`; when empty, server_name, then target_address is used.
  std::string xmpp_domain;
  // XMPP server-to-server stream `from=`; omitted when empty.
  std::string xmpp_from;
  // Name of the server when known (e.g. --server-name), used as XMPP `to=`
  // fallback.
  std::string server_name;
  // The peer's address as text ("192.0.2.1"); the last `to=` fallback.
  std::string target_address;
  size_t max_line_length = kDefaultMaxLineLength;
  size_t max_session_bytes = kDefaultMaxSessionBytes;
};

// One application-protocol dialogue with one server. Not thread-safe; one
// instance per session, events in the order they happen.
class ProtocolModule {
 public:
  virtual ~ProtocolModule() = default;

  // Registered module name: "smtp", "submission", "imaps", "xmpp-server", ...
  virtual std::string_view name() const = 0;
  // True for 465, 993, 995, 5223, 6697: TLS from the first byte.
  virtual bool implicit_tls() const = 0;

  // TCP (and for implicit TLS: the handshake) is up.
  virtual void OnConnected(ModuleActions* a) = 0;
  // Plaintext from the peer; any fragment (a byte, half a line, several
  // replies at once).
  virtual void OnData(std::string_view plaintext, ModuleActions* a) = 0;
  // After start_tls: the handshake is done, continue (EHLO again, ...).
  virtual void OnTlsEstablished(ModuleActions* a) = 0;
  // After start_tls: the handshake failed. The session records why.
  virtual void OnTlsFailed() = 0;
  // The peer closed (FIN or RST).
  virtual void OnPeerClosed() = 0;
  // The session's deadline for the current phase expired.
  virtual void OnTimeout() = 0;

  // True once the module set `finished` or one of the terminal events
  // (TLS failed, peer closed, timeout) arrived.
  virtual bool done() const = 0;
  // Final status once done(); kUnknownError before.
  virtual GrabStatus status() const = 0;
  // What the module waits for now ("banner", "ehlo", "starttls",
  // "tls-handshake", "capabilities-after-tls", "done", ...), so the session
  // can pick the phase deadline and the record can say where a grab stopped.
  virtual std::string_view phase() const = 0;

  // What the dialogue learned so far (output/ makes it the record's
  // "result").
  virtual ModuleResult Result() const = 0;
};

}  // namespace tlsweep

#endif  // TLSWEEP_PROTO_MODULE_H_
