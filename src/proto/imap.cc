// IMAP module: greeting, "a CAPABILITY", "b STARTTLS", "c CAPABILITY" inside
// TLS, "d LOGOUT".
//
// Capabilities come from untagged "* CAPABILITY" responses and from
// "[CAPABILITY ...]" response codes (RFC 3501 7.1), which Dovecot puts in its
// greeting and in tagged OKs. The fixed one-letter tags make a transcript easy
// to read and let the module tell its own tagged replies apart. Never sent:
// LOGIN, AUTHENTICATE, anything after LOGOUT.
//
// Errors (RFC 3501 7.1): a BYE (greeting or untagged, before we send LOGOUT)
// or a tagged NO/BAD to CAPABILITY ends the dialogue as application-error, or
// server-busy when its text says so ([SYS/TEMP], "Connection queue full",
// "Too many connections": proto_text::SaysServerBusy); the line is kept in `bye`
// or in `error`. Never no-starttls, which needs a CAPABILITY listing the
// server completed with OK. Only a NO/BAD to STARTTLS is starttls-refused
// (or server-busy, by the same texts).
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/module_base.h"
#include "proto/modules.h"
#include "proto/capabilities.h"
#include "proto/text.h"

namespace tlsweep {
namespace {

using proto_text::AsciiUpper;
using proto_text::EqualsIgnoreCase;
using proto_text::SplitWords;

constexpr std::string_view kLogout = "d LOGOUT\r\n";

// Bounds the capability atoms kept per listing (real servers send under 40).
constexpr size_t kMaxCapabilities = 256;

class ImapModule final : public LineModule {
 public:
  ImapModule(std::string name, bool implicit_tls, const ModuleOptions& options)
      : LineModule(std::move(name), implicit_tls, options) {}

  void Start(ModuleActions* /*a*/) override {
    state_ = State::kGreeting;
    set_phase("greeting");
  }

  void ResumeAfterTls(ModuleActions* a) override {
    SendLine(a, "c CAPABILITY");
    state_ = State::kCapability;
    set_phase("capability-after-tls");
  }

 protected:
  void OnLine(std::string_view line, ModuleActions* a) override {
    const std::vector<std::string_view> words = SplitWords(line);
    if (words.empty()) return;  // tolerate blank lines
    if (state_ == State::kGreeting || state_ == State::kConnect) {
      OnGreeting(line, words, a);
      return;
    }
    if (words[0] == "*") {
      if (words.size() >= 2 && EqualsIgnoreCase(words[1], "CAPABILITY")) {
        RecordCapabilities(words, 2);
      } else if (words.size() >= 2 && EqualsIgnoreCase(words[1], "BYE")) {
        bye_ = std::string(line);
        // The server is closing: no LOGOUT of ours is pending before kDone.
        if (state_ != State::kDone) Fail(ErrorStatus(line), "server said BYE", a);
      } else {
        MaybeResponseCodeCapabilities(line);
      }
      return;
    }
    if (words[0] == "+") return;  // continuation request: not expected, ignore
    if (words.size() < 2) {
      Fail(GrabStatus::kProtocolError, "malformed IMAP response", a);
      return;
    }
    const std::string_view tag = words[0];
    const std::string cond = AsciiUpper(words[1]);
    if (cond != "OK" && cond != "NO" && cond != "BAD") {
      Fail(GrabStatus::kProtocolError, "malformed IMAP response", a);
      return;
    }
    if (state_ == State::kCapability && tag == CapabilityTag()) {
      if (cond != "OK") {
        // No complete listing: nothing is known about STARTTLS.
        error_ = "CAPABILITY refused: " + std::string(line);
        Finish(ErrorStatus(line), kLogout, a);
        return;
      }
      MaybeResponseCodeCapabilities(line);
      OnCapabilityDone(a);
    } else if (state_ == State::kStartTls && tag == "b") {
      starttls_reply_ = std::string(line);
      if (cond == "OK") {
        state_ = State::kDone;
        RequestStartTls(a);
      } else {
        Finish(proto_text::SaysServerBusy(line) ? GrabStatus::kServerBusy
                                                : GrabStatus::kStartTlsRefused,
               kLogout, a);
      }
    }
    // Other tags: not ours; ignore.
  }

  bool PlaintextAuthBeforeTls() const override {
    // LOGIN (a cleartext password) is allowed unless LOGINDISABLED.
    return !before_tls_.login_disabled.value_or(false) ||
           before_tls_.OffersPlaintextMechanism();
  }

  ModuleExtras Extras() const override {
    ImapExtras extras;
    extras.bye = bye_;
    // LOGINDISABLED on the side the study reads: before TLS for STARTTLS
    // ports, inside TLS for implicit ones.
    const CapabilitySet& caps = implicit_tls() ? after_tls_ : before_tls_;
    if (caps.seen) extras.login_disabled = caps.login_disabled.value_or(false);
    return extras;
  }

 private:
  enum class State { kConnect, kGreeting, kCapability, kStartTls, kDone };

  // Status of a BYE or of a NO/BAD that is not about STARTTLS.
  static GrabStatus ErrorStatus(std::string_view line) {
    return proto_text::SaysServerBusy(line) ? GrabStatus::kServerBusy
                                            : GrabStatus::kApplicationError;
  }

  std::string_view CapabilityTag() const {
    return tls_up_ && !implicit_tls() ? "c" : "a";
  }

  void OnGreeting(std::string_view line,
                  const std::vector<std::string_view>& words,
                  ModuleActions* a) {
    banner_ = std::string(line);
    if (words[0] != "*" || words.size() < 2) {
      Fail(GrabStatus::kProtocolError, "not an IMAP greeting", a);
      return;
    }
    const std::string cond = AsciiUpper(words[1]);
    if (cond == "BYE") {
      bye_ = std::string(line);
      Fail(ErrorStatus(line), "server said BYE", a);
      return;
    }
    if (cond != "OK" && cond != "PREAUTH") {
      Fail(GrabStatus::kProtocolError, "not an IMAP greeting", a);
      return;
    }
    MaybeResponseCodeCapabilities(line);
    SendLine(a, "a CAPABILITY");
    state_ = State::kCapability;
    set_phase(tls_up_ ? "capability-after-tls" : "capability");
  }

  // "[CAPABILITY atom ...]" anywhere in a status response.
  void MaybeResponseCodeCapabilities(std::string_view line) {
    const size_t open = line.find('[');
    if (open == std::string_view::npos) return;
    const size_t close = line.find(']', open);
    if (close == std::string_view::npos) return;
    const std::vector<std::string_view> words =
        SplitWords(line.substr(open + 1, close - open - 1));
    if (words.empty() || !EqualsIgnoreCase(words[0], "CAPABILITY")) return;
    RecordCapabilities(words, 1);
  }

  // A new listing replaces an older one of the same side (the server's
  // latest answer wins; greeting capabilities are often abbreviated).
  void RecordCapabilities(const std::vector<std::string_view>& words,
                          size_t first) {
    CapabilitySet& caps = current_caps();
    caps = CapabilitySet();
    caps.seen = true;
    caps.login_disabled = false;
    for (size_t i = first;
         i < words.size() && caps.capabilities.size() < kMaxCapabilities; ++i) {
      if (AddImapCapability(words[i], &caps) == ListedItem::kStartTls && !tls_up_)
        starttls_offered_ = true;
    }
  }

  void OnCapabilityDone(ModuleActions* a) {
    if (tls_up_) {
      state_ = State::kDone;
      Finish(GrabStatus::kSuccess, kLogout, a);
      return;
    }
    if (!starttls_offered_) {
      Finish(GrabStatus::kNoStartTls, kLogout, a);
      return;
    }
    SendLine(a, "b STARTTLS");
    starttls_attempted_ = true;
    state_ = State::kStartTls;
    set_phase("starttls");
  }

  State state_ = State::kConnect;
  std::string bye_;
};

}  // namespace

std::unique_ptr<ProtocolModule> MakeImapModule(std::string name,
                                               bool implicit_tls,
                                               const ModuleOptions& options) {
  return std::make_unique<ImapModule>(std::move(name), implicit_tls, options);
}

}  // namespace tlsweep
