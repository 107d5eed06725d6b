// Observers: sans-I/O readers of both directions of one captured
// connection, one per application protocol (SMTP and SUBMISSION, IMAP,
// POP3, XMPP, IRC; and the TLS handshake on implicit-TLS ports).
//
// The base class owns what every protocol shares: splitting the plaintext
// dialogue into lines (bounded; IMAP literals skipped by count), switching
// both directions to TLS when the protocol says so, reading the client's
// ClientHello and the server's first flight (tls/client_hello.h,
// tls/server_flight.h), and stopping once nothing more can be learned: the
// rest of a TLS connection is encrypted, and a plaintext one reaches mail
// content after authentication, which no observer reads.
//
// Privacy by construction: a subclass sees client lines only to classify
// them (command names); it stores server text and names, never a client
// line (see observation.h).
#ifndef TLSWEEP_PASSIVE_OBSERVER_H_
#define TLSWEEP_PASSIVE_OBSERVER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "passive/observation.h"
#include "tls/server_flight.h"

namespace tlsweep {

// Splits a byte stream into lines (CR LF or bare LF), keeping at most one
// unfinished line of max_line bytes; can skip a counted number of bytes
// (an IMAP literal) instead of reading lines.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line) : max_line_(max_line) {}
  // Calls on_line(line) for each complete line of `data` until it returns
  // false; returns how many bytes of `data` were consumed (the rest
  // belongs to whatever comes after the plaintext dialogue). Sets
  // too_long() and consumes everything when a line exceeds max_line.
  template <typename F>
  size_t Feed(std::string_view data, F&& on_line);
  // Skips the next `n` bytes without reading lines.
  void SkipBytes(uint64_t n) { skip_ += n; }
  // Bytes were lost: the unfinished line and any skip are void, and the
  // bytes up to the next line end are dropped (they are a line's tail).
  void Gap();
  bool too_long() const { return too_long_; }

 private:
  size_t max_line_;
  std::string partial_;
  uint64_t skip_ = 0;
  bool resync_ = false;
  bool too_long_ = false;
};

class Observer {
 public:
  virtual ~Observer() = default;

  void ClientData(std::string_view bytes);
  void ServerData(std::string_view bytes);
  void ClientGap(uint32_t bytes);
  void ServerGap(uint32_t bytes);
  // The connection is over: an unfinished server flight is truncated.
  void End();
  // The capture began mid-connection and the client's next bytes are a
  // ClientHello: both directions are read as TLS from here; what came
  // before (a STARTTLS dialogue, if any) is unknown.
  void PickUpInTls();
  // The capture began mid-connection inside the plaintext dialogue and the
  // client's next bytes start a command line (the analyzer checks): lines
  // are read from here on both sides, the server's first line is not taken
  // for its greeting, and replies to commands sent before the capture
  // began are not matched to anything (the pending list starts empty).
  // Only for modules that PicksUpMidDialogue() names.
  void PickUpInPlaintext();

  // True once nothing more will be read (the flows' bytes are then only
  // counted).
  bool done() const { return phase_ == Phase::kDone; }
  const Observation& observation() const { return obs_; }

 protected:
  Observer(std::string module, bool implicit_tls);

  // Plaintext bytes of one direction; returns how many belong to the
  // plaintext dialogue (the rest is TLS, after StartTls()). The default
  // splits lines for OnClientLine / OnServerLine; XMPP reads XML instead.
  virtual size_t ClientPlaintext(std::string_view bytes);
  virtual size_t ServerPlaintext(std::string_view bytes);
  // Bytes of one direction's plaintext were lost (gap_in_dialogue is set).
  // The default resumes at the next line.
  virtual void PlaintextGap(bool client);

  // One plaintext line; false stops reading this chunk's lines (after
  // StartTls() or StopReading()).
  virtual bool OnClientLine(std::string_view line) = 0;
  virtual bool OnServerLine(std::string_view line) = 0;
  // The dialogue is joined in its middle (PickUpInPlaintext): the next
  // server line is not the greeting.
  virtual void SkipGreeting() {}

  // A new authentication attempt with `method`, before TLS. Credentials an
  // earlier attempt sent in the clear stay counted: they crossed.
  PassiveAuth& NewAuth(std::string_view method);
  // Both directions carry TLS from the next byte on.
  void StartTls();
  // Nothing more of interest in this connection.
  void StopReading(std::string_view error = "");
  LineSplitter& client_lines() { return client_lines_; }
  LineSplitter& server_lines() { return server_lines_; }
  bool in_plaintext() const { return phase_ == Phase::kPlaintext; }

  Observation obs_;

 private:
  enum class Phase : uint8_t { kPlaintext, kTls, kDone };
  void ClientTls(std::string_view bytes);
  void ServerTls(std::string_view bytes);
  void TakeFlight();
  void MaybeDone();

  Phase phase_ = Phase::kPlaintext;
  LineSplitter client_lines_;
  LineSplitter server_lines_;
  std::vector<uint8_t> client_hello_bytes_;
  std::unique_ptr<ServerFlightParser> flight_;
  bool client_tls_done_ = false;
  bool server_tls_done_ = false;
};

template <typename F>
size_t LineSplitter::Feed(std::string_view data, F&& on_line) {
  size_t pos = 0;
  while (pos < data.size() && !too_long_) {
    if (skip_ > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(skip_, data.size() - pos));
      skip_ -= n;
      pos += n;
      continue;
    }
    const size_t nl = data.find('\n', pos);
    const std::string_view piece =
        data.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!resync_ && partial_.size() + piece.size() > max_line_) {
      too_long_ = true;
      partial_.clear();
      return data.size();
    }
    if (nl == std::string_view::npos) {
      if (!resync_) partial_.append(piece);
      return data.size();
    }
    pos = nl + 1;
    if (resync_) {
      resync_ = false;
      continue;
    }
    std::string_view line = piece;
    if (!partial_.empty()) {
      partial_.append(piece);
      line = partial_;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool more = on_line(line);
    partial_.clear();
    if (!more) return pos;
  }
  return pos;
}

// The observer for port-map module `name` ("smtp", "submission", "smtps",
// "imap", "imaps", "pop3", "pop3s", "xmpp", "xmpp-server", "xmpps", "irc",
// "ircs"), or nullptr when there is none.
std::unique_ptr<Observer> MakeObserver(std::string_view name);

// Whether module `name`'s observer can join its plaintext dialogue in the
// middle (Observer::PickUpInPlaintext): the line protocols whose every
// client command stands alone (SMTP, SUBMISSION, IMAP, POP3, IRC). Not the
// implicit-TLS modules (no plaintext) nor XMPP (an XML stream cannot be
// read from its middle: its namespaces were declared at the start).
bool PicksUpMidDialogue(std::string_view name);

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_OBSERVER_H_
