// SMTP module: banner, EHLO, STARTTLS, EHLO again inside TLS, QUIT.
//
// Replies are assembled from "NNN-text" continuation lines up to the final
// "NNN text" line (RFC 5321 4.2.1), so a multi-line 220 banner and the EHLO
// extension list are each one reply however they arrive. The EHLO keywords
// are recorded as sent; AUTH mechanisms come from "AUTH ..." and from the
// pre-standard "AUTH=..." form old Exchange and qmail servers still send,
// merged in the order offered. Nothing after EHLO is sent except STARTTLS and
// QUIT: no AUTH, no MAIL FROM, no RCPT TO.
//
// Error replies are classed by code (RFC 5321 4.2.1, 4.2.3): a 4yz to the
// banner or to EHLO is transient (Postfix's "421 4.7.0 ... too many
// connections", 421 "Service not available") and recorded as server-busy; a
// 5yz there (554 "No SMTP service", "Access denied") is application-error.
// Only a non-421 answer to STARTTLS (454 "TLS not available", 5xx) is
// starttls-refused: 421 there closes the session whatever we sent.
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


constexpr std::string_view kQuit = "QUIT\r\n";

// Bounds the lines kept per reply; a 250 reply with more extensions than this
// is cut (the byte bound still applies). Real EHLO replies have under 20.
constexpr size_t kMaxReplyLines = 256;

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // text after "NNN-" / "NNN "

  std::string Text() const {
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
      out += std::to_string(code);
      out += i + 1 < lines.size() ? "-" : " ";
      out += lines[i];
      if (i + 1 < lines.size()) out += "\n";
    }
    return out;
  }
};

class SmtpModule final : public LineModule {
 public:
  SmtpModule(std::string name, bool implicit_tls, const ModuleOptions& options)
      : LineModule(std::move(name), implicit_tls, options) {}

  void Start(ModuleActions* /*a*/) override {
    state_ = State::kBanner;
    set_phase("banner");
  }

  void ResumeAfterTls(ModuleActions* a) override {
    SendEhlo(a);
    state_ = State::kEhloAfterTls;
    set_phase("ehlo-after-tls");
  }

 protected:
  void OnLine(std::string_view line, ModuleActions* a) override {
    // "NNN", "NNN text" or "NNN-text" with NNN in 200..599.
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
        line[1] > '9' || line[2] < '0' || line[2] > '9' ||
        (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
      if (state_ == State::kBanner && banner_.empty())
        banner_ = std::string(line);
      Fail(GrabStatus::kProtocolError, "not an SMTP reply", a);
      return;
    }
    const int code =
        (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (reply_.lines.empty()) reply_.code = code;
    if (reply_.lines.size() < kMaxReplyLines) {
      reply_.lines.emplace_back(line.size() > 4 ? line.substr(4)
                                                : std::string_view());
    }
    if (line.size() > 3 && line[3] == '-') return;  // continuation
    Reply reply = std::move(reply_);
    reply_ = Reply();
    OnReply(reply, a);
  }

  ModuleExtras Extras() const override {
    return SmtpExtras{.ehlo = ehlo_, .ehlo_after_tls = ehlo_after_tls_};
  }

 private:
  enum class State {
    kConnect,
    kBanner,
    kEhlo,
    kStartTls,
    kEhloAfterTls,
    kDone
  };

  void SendEhlo(ModuleActions* a) { SendLine(a, "EHLO " + options_.ehlo_name); }

  // Status of an error reply to the banner or EHLO: 4yz (transient, RFC 5321
  // 4.2.1) is server-busy, 5yz a refusal.
  static GrabStatus ErrorStatus(const Reply& reply) {
    return reply.code / 100 == 4 ? GrabStatus::kServerBusy
                                 : GrabStatus::kApplicationError;
  }

  void OnReply(const Reply& reply, ModuleActions* a) {
    switch (state_) {
      case State::kConnect:
      case State::kBanner:
        banner_ = reply.Text();
        if (reply.code != 220) {
          Finish(ErrorStatus(reply), kQuit, a);
          return;
        }
        SendEhlo(a);
        // Implicit TLS (465): the first EHLO already runs inside TLS.
        state_ = tls_up_ ? State::kEhloAfterTls : State::kEhlo;
        set_phase(tls_up_ ? "ehlo-after-tls" : "ehlo");
        return;
      case State::kEhlo:
        ehlo_ = reply.Text();
        if (reply.code != 250) {
          error_ = "EHLO rejected";
          Finish(ErrorStatus(reply), kQuit, a);
          return;
        }
        RecordExtensions(reply, &before_tls_);
        if (!starttls_offered_) {
          Finish(GrabStatus::kNoStartTls, kQuit, a);
          return;
        }
        SendLine(a, "STARTTLS");
        starttls_attempted_ = true;
        state_ = State::kStartTls;
        set_phase("starttls");
        return;
      case State::kStartTls:
        starttls_reply_ = reply.Text();
        if (reply.code != 220) {
          Finish(reply.code == 421 ? GrabStatus::kServerBusy
                                   : GrabStatus::kStartTlsRefused,
                 kQuit, a);
          return;
        }
        state_ = State::kDone;
        RequestStartTls(a);
        return;
      case State::kEhloAfterTls:
        ehlo_after_tls_ = reply.Text();
        if (reply.code != 250) {
          error_ = "EHLO after TLS rejected";
          Finish(ErrorStatus(reply), kQuit, a);
          return;
        }
        RecordExtensions(reply, &after_tls_);
        state_ = State::kDone;
        Finish(GrabStatus::kSuccess, kQuit, a);
        return;
      case State::kDone:
        return;  // unsolicited reply after the dialogue: ignore
    }
  }

  // Line 0 of a 250 EHLO reply is the greeting; the others are keywords.
  void RecordExtensions(const Reply& reply, CapabilitySet* caps) {
    caps->seen = true;
    for (size_t i = 1; i < reply.lines.size(); ++i) {
      if (AddSmtpExtension(reply.lines[i], caps) == ListedItem::kStartTls &&
          caps == &before_tls_) {
        starttls_offered_ = true;
      }
    }
  }

  State state_ = State::kConnect;
  Reply reply_;
  std::string ehlo_;
  std::string ehlo_after_tls_;
};

}  // namespace

std::unique_ptr<ProtocolModule> MakeSmtpModule(std::string name,
                                               bool implicit_tls,
                                               const ModuleOptions& options) {
  return std::make_unique<SmtpModule>(std::move(name), implicit_tls, options);
}

}  // namespace tlsweep
