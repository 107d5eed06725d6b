// IMAP (143; 993 inside TLS) seen from the wire.
//
// Capabilities come from untagged "* CAPABILITY" responses and from
// "[CAPABILITY ...]" response codes in the greeting or a tagged OK (RFC 3501
// 7.1, 7.2.1). Commands are matched to their tagged completions by tag.
// Literals ("{N}" at a line's end, RFC 3501 4.3) are skipped by count on
// both sides: a LOGIN password or an APPEND'ed message never reaches a line
// parser. The observer stops once authentication succeeds: the mailbox
// follows, which it must not read.
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
using proto_text::EqualsIgnoreCase;
using proto_text::SplitWords;
using proto_text::StartsWithIgnoreCase;

// Tags are short (Dovecot refuses tags over 100 bytes); a longer one is
// not matched and so not followed.
constexpr size_t kMaxTag = 100;

class ImapObserver final : public Observer {
 public:
  ImapObserver(std::string name, bool implicit_tls) : Observer(std::move(name), implicit_tls) {}

 private:
  bool OnClientLine(std::string_view line) override {
    const std::optional<uint64_t> literal = TrailingLiteral(line);
    if (literal.has_value()) client_lines().SkipBytes(*literal);
    if (in_auth_) {  // an AUTHENTICATE response: never looked into
      if (line != "*" && IsPlaintextMechanism(obs_.auth->mechanism)) {
        obs_.auth->plaintext_credentials = true;
      }
      return true;
    }
    const std::vector<std::string_view> words = SplitWords(line);
    if (words.size() < 2 || words[0].size() > kMaxTag) return true;
    const std::string command = AsciiUpper(words[1]);
    if (command == "STARTTLS") {
      starttls().attempted = true;
      starttls_tag_ = std::string(words[0]);
    } else if (command == "LOGIN") {
      PassiveAuth& auth = NewAuth("imap-login");
      auth.plaintext_credentials = true;  // user and password, as text or literals
      auth_tag_ = std::string(words[0]);
    } else if (command == "AUTHENTICATE") {
      PassiveAuth& auth = NewAuth("sasl");
      auth.mechanism = words.size() > 2 ? SaslMechanismName(words[2]) : "";
      // RFC 4959: a SASL-IR initial response follows the mechanism.
      auth.plaintext_credentials |= words.size() > 3 && IsPlaintextMechanism(auth.mechanism);
      auth_tag_ = std::string(words[0]);
      in_auth_ = true;
    }
    return true;
  }

  bool OnServerLine(std::string_view line) override {
    const std::optional<uint64_t> literal = TrailingLiteral(line);
    if (literal.has_value()) server_lines().SkipBytes(*literal);
    const std::vector<std::string_view> words = SplitWords(line);
    if (words.empty()) return true;
    if (!greeting_seen_) {
      greeting_seen_ = true;
      obs_.banner = std::string(line);
      RecordCapabilityCode(line);
      return true;
    }
    if (words[0] == "*") {
      if (words.size() >= 2 && EqualsIgnoreCase(words[1], "CAPABILITY")) {
        RecordCapabilities(words, 2);
      }
      return true;
    }
    if (words[0] == "+") return true;  // a continuation request
    if (words.size() < 2) return true;
    const bool ok = EqualsIgnoreCase(words[1], "OK");
    if (!starttls_tag_.empty() && words[0] == starttls_tag_) {
      starttls_tag_.clear();
      starttls().reply = std::string(Rest(line, words[1]));
      starttls().accepted = ok;
      if (!ok) return true;
      StartTls();
      return false;
    }
    if (!auth_tag_.empty() && words[0] == auth_tag_) {
      auth_tag_.clear();
      in_auth_ = false;
      obs_.auth->succeeded = ok;
      if (!ok) return true;
      StopReading();
      return false;
    }
    if (ok) RecordCapabilityCode(line);
    return true;
  }

  // "[CAPABILITY a b c]" inside a greeting or a tagged OK.
  void RecordCapabilityCode(std::string_view line) {
    const size_t open = line.find('[');
    if (open == std::string_view::npos) return;
    const size_t close = line.find(']', open);
    if (close == std::string_view::npos) return;
    const std::string_view code = line.substr(open + 1, close - open - 1);
    if (!StartsWithIgnoreCase(code, "CAPABILITY ")) return;
    RecordCapabilities(SplitWords(code), 1);
  }

  void RecordCapabilities(const std::vector<std::string_view>& words, size_t first) {
    CapabilitySet& caps = obs_.before_tls;
    caps = CapabilitySet();
    caps.seen = true;
    caps.login_disabled = false;
    if (!obs_.implicit_tls) starttls();  // a listing: STARTTLS offered or not
    for (size_t i = first; i < words.size(); ++i) {
      if (AddImapCapability(words[i], &caps) == ListedItem::kStartTls && !obs_.implicit_tls) {
        starttls().offered = true;
      }
    }
  }

  // `line` from the word `from` (a view into it) on: the reply without the
  // client's tag.
  static std::string_view Rest(std::string_view line, std::string_view from) {
    return line.substr(static_cast<size_t>(from.data() - line.data()));
  }

  PassiveStartTls& starttls() {
    if (!obs_.starttls.has_value()) obs_.starttls.emplace();
    return *obs_.starttls;
  }

  void SkipGreeting() override { greeting_seen_ = true; }

  bool greeting_seen_ = false;
  bool in_auth_ = false;
  std::string starttls_tag_;
  std::string auth_tag_;
};

}  // namespace

std::unique_ptr<Observer> MakeImapObserver(std::string name, bool implicit_tls) {
  return std::make_unique<ImapObserver>(std::move(name), implicit_tls);
}

}  // namespace tlsweep
