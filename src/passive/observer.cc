// See observer.h.
#include "passive/observer.h"

#include <cstdint>
#include <optional>
#include <span>

#include "passive/observers.h"

namespace tlsweep {
namespace {

// A command or reply line longer than this is not a mail dialogue: RFC 5321
// 4.5.3.1.5 allows 512 bytes for an SMTP reply line and RFC 2449 512 for
// POP3; IMAP sets no limit, but Dovecot refuses client lines over 64 KiB
// and capability lines are far shorter. 8 KiB keeps margin for long
// CAPABILITY lines and costs one bounded buffer per direction.
constexpr size_t kMaxLine = 8192;

// A ClientHello spans at most kMaxClientHelloRecord bytes of handshake
// message; split over records it brings one 5-byte header per record, and
// real clients split it in at most a few.
constexpr size_t kMaxClientHelloStream = kMaxClientHelloRecord + 64;

}  // namespace

void LineSplitter::Gap() {
  partial_.clear();
  skip_ = 0;
  resync_ = true;
}

Observer::Observer(std::string module, bool implicit_tls)
    : client_lines_(kMaxLine), server_lines_(kMaxLine) {
  obs_.module = std::move(module);
  obs_.implicit_tls = implicit_tls;
  if (implicit_tls) StartTls();
}

void Observer::ClientData(std::string_view bytes) {
  if (phase_ == Phase::kPlaintext) bytes.remove_prefix(ClientPlaintext(bytes));
  if (phase_ == Phase::kTls && !bytes.empty()) ClientTls(bytes);
}

void Observer::ServerData(std::string_view bytes) {
  if (phase_ == Phase::kPlaintext) bytes.remove_prefix(ServerPlaintext(bytes));
  if (phase_ == Phase::kTls && !bytes.empty()) ServerTls(bytes);
}

size_t Observer::ClientPlaintext(std::string_view bytes) {
  const size_t used =
      client_lines_.Feed(bytes, [this](std::string_view line) { return OnClientLine(line); });
  if (client_lines_.too_long()) StopReading("line-too-long");
  return used;
}

size_t Observer::ServerPlaintext(std::string_view bytes) {
  const size_t used =
      server_lines_.Feed(bytes, [this](std::string_view line) { return OnServerLine(line); });
  if (server_lines_.too_long()) StopReading("line-too-long");
  return used;
}

void Observer::PlaintextGap(bool client) {
  (client ? client_lines_ : server_lines_).Gap();
}

void Observer::ClientGap(uint32_t /*bytes*/) {
  if (phase_ == Phase::kPlaintext) {
    obs_.gap_in_dialogue = true;
    PlaintextGap(true);
  } else if (phase_ == Phase::kTls && !client_tls_done_) {
    obs_.tls.client_gap = true;
    client_tls_done_ = true;
    client_hello_bytes_ = {};
    MaybeDone();
  }
}

void Observer::ServerGap(uint32_t /*bytes*/) {
  if (phase_ == Phase::kPlaintext) {
    obs_.gap_in_dialogue = true;
    PlaintextGap(false);
  } else if (phase_ == Phase::kTls && !server_tls_done_) {
    obs_.tls.server_gap = true;
    if (flight_ != nullptr) TakeFlight();
    server_tls_done_ = true;
    flight_.reset();
    MaybeDone();
  }
}

void Observer::End() {
  if (phase_ == Phase::kTls && flight_ != nullptr && !server_tls_done_) {
    flight_->Finish();
    TakeFlight();
    server_tls_done_ = true;
    flight_.reset();
  }
}

void Observer::PickUpInTls() {
  obs_.midstream_pickup = MidstreamPickup::kClientHello;
  StartTls();
}

void Observer::PickUpInPlaintext() {
  obs_.midstream_pickup = MidstreamPickup::kPlaintextDialogue;
  SkipGreeting();
}

PassiveAuth& Observer::NewAuth(std::string_view method) {
  const bool crossed = obs_.auth.has_value() && obs_.auth->plaintext_credentials;
  PassiveAuth& auth = obs_.auth.emplace();
  auth.method = std::string(method);
  auth.before_tls = true;
  auth.plaintext_credentials = crossed;
  return auth;
}

void Observer::StartTls() {
  phase_ = Phase::kTls;
  obs_.tls_started = true;
}

void Observer::StopReading(std::string_view error) {
  phase_ = Phase::kDone;
  if (obs_.error.empty()) obs_.error = std::string(error);
}

void Observer::ClientTls(std::string_view bytes) {
  if (client_tls_done_) return;
  const size_t room = kMaxClientHelloStream - client_hello_bytes_.size();
  const size_t take = std::min(room, bytes.size());
  client_hello_bytes_.insert(client_hello_bytes_.end(), bytes.begin(), bytes.begin() + take);
  ClientHelloParse r = ParseClientHello(client_hello_bytes_, &obs_.tls.client_hello);
  if (r == ClientHelloParse::kIncomplete && client_hello_bytes_.size() == kMaxClientHelloStream) {
    r = ClientHelloParse::kMalformed;
  }
  obs_.tls.client_hello_result = r;
  if (r == ClientHelloParse::kIncomplete) return;
  client_tls_done_ = true;
  client_hello_bytes_ = {};
  MaybeDone();
}

void Observer::ServerTls(std::string_view bytes) {
  if (server_tls_done_) return;
  // The flight buffer (FlightLimits::max_flight_bytes) lives only while a
  // handshake is being read.
  if (flight_ == nullptr) flight_ = std::make_unique<ServerFlightParser>();
  const FlightVerdict v = flight_->Feed(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  obs_.tls.server_verdict = v;
  if (v == FlightVerdict::kIncomplete) return;
  TakeFlight();
  server_tls_done_ = true;
  flight_.reset();
  MaybeDone();
}

void Observer::TakeFlight() {
  PassiveTls& t = obs_.tls;
  t.server_verdict = flight_->verdict();
  const ServerFlight& f = flight_->flight();
  // No trust store in a passive observer: the chain is recorded, not verified.
  t.server = SummarizeServerFlight(f, nullptr, {});
  t.certificate_count = f.certificate_count;
  t.abbreviated_handshake = flight_->verdict() == FlightVerdict::kAbbreviatedHandshake;
  t.psk_selected = f.has_server_hello && f.server_hello.pre_shared_key;
  // RFC 5246 7.4.1.3: a server that resumes echoes the client's session
  // id. (A TLS 1.3 server echoes it always, RFC 8446 4.1.3; there the PSK
  // says resumption.)
  const ParsedClientHello& ch = t.client_hello;
  const ServerHelloInfo& sh = f.server_hello;
  t.session_id_echoed = f.has_server_hello && sh.version < kTls13Version &&
                        t.client_hello_result == ClientHelloParse::kOk &&
                        ch.session_id_length > 0 &&
                        sh.session_id_length == ch.session_id_length &&
                        std::equal(ch.session_id_bytes.begin(),
                                   ch.session_id_bytes.begin() + ch.session_id_length,
                                   sh.session_id.begin());
}

void Observer::MaybeDone() {
  if (client_tls_done_ && server_tls_done_) phase_ = Phase::kDone;
}

std::unique_ptr<Observer> MakeObserver(std::string_view name) {
  if (name == "smtp" || name == "submission") return MakeSmtpObserver(std::string(name), false);
  if (name == "smtps") return MakeSmtpObserver(std::string(name), true);
  if (name == "imap") return MakeImapObserver(std::string(name), false);
  if (name == "imaps") return MakeImapObserver(std::string(name), true);
  if (name == "pop3") return MakePop3Observer(std::string(name), false);
  if (name == "pop3s") return MakePop3Observer(std::string(name), true);
  if (name == "irc") return MakeIrcObserver(std::string(name), false);
  if (name == "ircs") return MakeIrcObserver(std::string(name), true);
  if (name == "xmpp") return MakeXmppObserver(std::string(name), false, false);
  if (name == "xmpp-server") return MakeXmppObserver(std::string(name), false, true);
  if (name == "xmpps") return MakeXmppObserver(std::string(name), true, false);
  return nullptr;
}

bool PicksUpMidDialogue(std::string_view name) {
  return name == "smtp" || name == "submission" || name == "imap" || name == "pop3" ||
         name == "irc";
}

}  // namespace tlsweep

namespace tlsweep {

std::string SaslMechanismName(std::string_view word) {
  if (word.empty() || word.size() > 20) return "";
  std::string name;
  for (char c : word) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return "";
    name.push_back(c);
  }
  return name;
}

bool IsPlaintextMechanism(std::string_view mechanism) {
  return mechanism == "PLAIN" || mechanism == "LOGIN";
}

std::optional<uint64_t> TrailingLiteral(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  line.remove_suffix(1);
  if (!line.empty() && line.back() == '+') line.remove_suffix(1);
  const size_t brace = line.rfind('{');
  if (brace == std::string_view::npos) return std::nullopt;
  const std::string_view digits = line.substr(brace + 1);
  // RFC 3501 9: number = 1*DIGIT, an unsigned 32-bit value.
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > UINT32_MAX) return std::nullopt;
  return n;
}

}  // namespace tlsweep
