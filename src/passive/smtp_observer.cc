// SMTP and SUBMISSION (25, 587; 465 inside TLS) seen from the wire.
//
// Replies are "NNN-text" lines ending with "NNN text" (RFC 5321 4.2.1) and
// are matched to the client's commands in order, which also holds for
// pipelined commands (RFC 2920 3.1: replies come in command order). The
// observer records the greeting, the EHLO keywords and AUTH mechanisms
// before TLS, STARTTLS and the client's AUTH mechanism; it stops at the
// first MAIL, RCPT, DATA or BDAT, after which only the envelope and the
// message follow, which it must not read.
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

// As the active module (proto/smtp.cc): real EHLO replies have under 20.
constexpr size_t kMaxReplyLines = 256;
// Commands awaiting replies: RFC 2920 lets a client send a group of
// commands at once; real groups are a handful (MAIL, RCPT..., DATA).
constexpr size_t kMaxPending = 64;

enum class Command : uint8_t { kEhlo, kStartTls, kAuth, kOther };

class SmtpObserver final : public Observer {
 public:
  SmtpObserver(std::string name, bool implicit_tls) : Observer(std::move(name), implicit_tls) {}

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
    if (verb == "MAIL" || verb == "RCPT" || verb == "DATA" || verb == "BDAT") {
      StopReading();
      return false;
    }
    Command c = Command::kOther;
    if (verb == "EHLO") {
      c = Command::kEhlo;
    } else if (verb == "STARTTLS") {
      c = Command::kStartTls;
      starttls().attempted = true;
    } else if (verb == "AUTH") {
      c = Command::kAuth;
      PassiveAuth& auth = NewAuth("sasl");
      auth.mechanism = words.size() > 1 ? SaslMechanismName(words[1]) : "";
      // RFC 4954 4: an initial response follows the mechanism.
      auth.plaintext_credentials |= words.size() > 2 && IsPlaintextMechanism(auth.mechanism);
      in_auth_ = true;
    }
    if (pending_.size() < kMaxPending) pending_.push_back(c);
    return true;
  }

  bool OnServerLine(std::string_view line) override {
    if (line.size() < 3 || !IsDigit(line[0]) || !IsDigit(line[1]) || !IsDigit(line[2]) ||
        (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
      StopReading("malformed-reply");
      return false;
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (lines_.empty()) code_ = code;
    if (lines_.size() < kMaxReplyLines) {
      lines_.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
    }
    if (line.size() > 3 && line[3] == '-') return true;
    const bool more = OnReply();
    lines_.clear();
    return more;
  }

  bool OnReply() {
    if (!greeting_seen_) {
      greeting_seen_ = true;
      obs_.banner = Text();
      return true;
    }
    if (pending_.empty()) return true;  // unsolicited (a 421 at shutdown)
    const Command c = pending_.front();
    if (c == Command::kAuth && code_ == 334) return true;  // the exchange goes on
    pending_.erase(pending_.begin());
    switch (c) {
      case Command::kEhlo:
        if (code_ == 250) RecordExtensions();
        return true;
      case Command::kStartTls:
        starttls().reply = Text();
        starttls().accepted = code_ == 220;
        if (code_ != 220) return true;
        StartTls();
        return false;
      case Command::kAuth:
        in_auth_ = false;
        obs_.auth->succeeded = code_ / 100 == 2;
        return true;
      case Command::kOther:
        return true;
    }
    return true;
  }

  // Line 0 of a 250 EHLO reply is the greeting; the others are keywords.
  void RecordExtensions() {
    CapabilitySet& caps = obs_.before_tls;
    caps = CapabilitySet();
    caps.seen = true;
    if (!obs_.implicit_tls) starttls();  // a listing: STARTTLS offered or not
    for (size_t i = 1; i < lines_.size(); ++i) {
      if (AddSmtpExtension(lines_[i], &caps) == ListedItem::kStartTls && !obs_.implicit_tls) {
        starttls().offered = true;
      }
    }
  }

  // The reply as the active module records it: "250-a\n250 b".
  std::string Text() const {
    std::string out;
    for (size_t i = 0; i < lines_.size(); ++i) {
      out += std::to_string(code_);
      out += i + 1 < lines_.size() ? "-" : " ";
      out += lines_[i];
      if (i + 1 < lines_.size()) out += "\n";
    }
    return out;
  }

  PassiveStartTls& starttls() {
    if (!obs_.starttls.has_value()) obs_.starttls.emplace();
    return *obs_.starttls;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  void SkipGreeting() override { greeting_seen_ = true; }

  bool greeting_seen_ = false;
  bool in_auth_ = false;
  int code_ = 0;
  std::vector<std::string> lines_;
  std::vector<Command> pending_;
};

}  // namespace

std::unique_ptr<Observer> MakeSmtpObserver(std::string name, bool implicit_tls) {
  return std::make_unique<SmtpObserver>(std::move(name), implicit_tls);
}

}  // namespace tlsweep
