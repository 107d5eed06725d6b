// POP3 (110; 995 inside TLS) seen from the wire.
//
// Single-line replies start "+OK" or "-ERR"; CAPA's reply is a dot-ended
// listing (RFC 2449 5): "STLS" offers STARTTLS (RFC 2595 4), "SASL m1 m2"
// lists mechanisms, "USER" allows USER/PASS. Replies come in command order
// (RFC 2449 6.6, PIPELINING). The observer stops once authentication
// succeeds: mailbox listings and messages follow.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "passive/observers.h"
#include "proto/capabilities.h"
#include "proto/text.h"

namespace tlsweep {
namespace {

using proto_text::AsciiUpper;
using proto_text::SplitWords;
using proto_text::StartsWithIgnoreCase;

// Pipelined commands awaiting replies (RFC 2449 6.6); as for SMTP, real
// groups are a handful.
constexpr size_t kMaxPending = 64;
// CAPA lines kept; real listings have about ten.
constexpr size_t kMaxCapabilities = 256;

enum class Command : uint8_t { kCapa, kStls, kPass, kApop, kAuth, kOther };

class Pop3Observer final : public Observer {
 public:
  Pop3Observer(std::string name, bool implicit_tls) : Observer(std::move(name), implicit_tls) {}

 private:
  bool OnClientLine(std::string_view line) override {
    if (in_auth_) {  // a SASL response: never looked into
      if (line != "*" && IsPlaintextMechanism(obs_.auth->mechanism)) {
        obs_.auth->plaintext_credentials = true;
      }
      return true;
    }
    const std::vector<std::string_view> words = SplitWords(line);
    const std::string verb = words.empty() ? "" : AsciiUpper(words[0]);
    Command c = Command::kOther;
    if (verb == "CAPA") {
      c = Command::kCapa;
    } else if (verb == "STLS") {
      c = Command::kStls;
      starttls().attempted = true;
    } else if (verb == "USER") {
      NewAuth("pop3-user");
    } else if (verb == "PASS") {
      c = Command::kPass;
      if (!obs_.auth.has_value() || obs_.auth->method != "pop3-user") {
        NewAuth("pop3-user");
      }
      obs_.auth->plaintext_credentials = true;
    } else if (verb == "APOP") {
      c = Command::kApop;
      NewAuth("pop3-apop");
    } else if (verb == "AUTH" && words.size() > 1) {  // bare AUTH lists mechanisms
      c = Command::kAuth;
      PassiveAuth& auth = NewAuth("sasl");
      auth.mechanism = SaslMechanismName(words[1]);
      auth.plaintext_credentials |= words.size() > 2 && IsPlaintextMechanism(auth.mechanism);
      in_auth_ = true;
    }
    if (pending_.size() < kMaxPending) pending_.push_back(c);
    return true;
  }

  bool OnServerLine(std::string_view line) override {
    if (!greeting_seen_) {
      greeting_seen_ = true;
      obs_.banner = std::string(line);
      return true;
    }
    if (in_listing_) {
      if (line == ".") {
        in_listing_ = false;
      } else {
        RecordCapability(line);
      }
      return true;
    }
    const bool ok = StartsWithIgnoreCase(line, "+OK");
    const bool err = StartsWithIgnoreCase(line, "-ERR");
    if (!ok && !err) {
      if (in_auth_ && line.starts_with("+")) return true;  // "+ challenge"
      StopReading("malformed-reply");
      return false;
    }
    if (pending_.empty()) return true;
    const Command c = pending_.front();
    pending_.erase(pending_.begin());
    switch (c) {
      case Command::kCapa:
        if (ok) {
          in_listing_ = true;
          obs_.before_tls = CapabilitySet();
          obs_.before_tls.seen = true;
          if (!obs_.implicit_tls) starttls();  // a listing: STARTTLS offered or not
        }
        return true;
      case Command::kStls:
        starttls().reply = std::string(line);
        starttls().accepted = ok;
        if (!ok) return true;
        StartTls();
        return false;
      case Command::kPass:
      case Command::kApop:
      case Command::kAuth:
        in_auth_ = false;
        obs_.auth->succeeded = ok;
        if (!ok) return true;
        StopReading();
        return false;
      case Command::kOther:
        return true;
    }
    return true;
  }

  void RecordCapability(std::string_view line) {
    CapabilitySet& caps = obs_.before_tls;
    if (caps.capabilities.size() >= kMaxCapabilities) return;
    if (AddPop3Capability(line, &caps) == ListedItem::kStartTls && !obs_.implicit_tls) {
      starttls().offered = true;
    }
  }

  PassiveStartTls& starttls() {
    if (!obs_.starttls.has_value()) obs_.starttls.emplace();
    return *obs_.starttls;
  }

  void SkipGreeting() override { greeting_seen_ = true; }

  bool greeting_seen_ = false;
  bool in_listing_ = false;
  bool in_auth_ = false;
  std::vector<Command> pending_;
};

}  // namespace

std::unique_ptr<Observer> MakePop3Observer(std::string name, bool implicit_tls) {
  return std::make_unique<Pop3Observer>(std::move(name), implicit_tls);
}

}  // namespace tlsweep
