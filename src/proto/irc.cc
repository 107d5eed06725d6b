// IRC module: "CAP LS 302" and "STARTTLS" (670 proceed, 691 failed), TLS,
// "CAP LS 302" again inside TLS, QUIT.
//
// IRC servers talk first (NOTICE AUTH lines) and do not wait for the client,
// and STARTTLS has no capability that every server advertises (the IRCv3 "tls"
// cap was withdrawn), so the module sends both commands at once and reads the
// answers in order: the CAP LS listing (possibly continued with "CAP * LS *"
// lines), then 670 / 691, or 421 / 451 naming STARTTLS from servers that do
// not know it. Nothing is sent that registers a connection (no NICK, USER,
// PASS) and no SASL AUTHENTICATE: the listing shows the mechanisms
// ("sasl=PLAIN,EXTERNAL") without using them. PINGs are answered with PONG so
// a server that pings before registration does not drop us.
//
// Errors: "ERROR :Closing link ..." is server-busy when its text says the
// server is full (InspIRCd's "No more connections allowed from your host via
// this connect class", "Too many connections", "Server full"), otherwise
// application-error; so are the refusal numerics 463 ERR_NOPERMFORHOST and
// 465 ERR_YOUREBANNEDCREEP (RFC 2812 5.2). 263 RPL_TRYAGAIN (RFC 2812 5.1,
// "Please wait a while and try again") is server-busy. The line is kept in
// `error`. A 421/451 naming STARTTLS is a complete answer (the command is
// unknown), so it stays no-starttls.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/module_base.h"
#include "proto/modules.h"
#include "proto/text.h"

namespace tlsweep {
namespace {

using proto_text::AsciiUpper;
using proto_text::EqualsIgnoreCase;
using proto_text::SplitOn;
using proto_text::SplitWords;

constexpr std::string_view kQuit = "QUIT\r\n";

// Bounds the capabilities kept per listing (real servers send about 20) and
// the NOTICE lines kept as the banner.
constexpr size_t kMaxCapabilities = 256;
constexpr size_t kMaxBannerLines = 16;
// IRC parameters: at most 15 per message (RFC 2812 2.3).
constexpr size_t kMaxParams = 15;
// PINGs answered per grab. A server PINGs once at registration (the
// anti-spoofing cookie of InspIRCd, UnrealIRCd, Solanum) and then every
// minute or two, so a grab of seconds sees one or two; answering every PING
// would let a server make us send as many bytes as it sends. Past the bound
// the grab ends as a protocol error. A token longer than an IRC message
// (512 bytes with CRLF, RFC 2812 2.3) is refused the same way: with both
// bounds the PONGs of one grab stay under 4 * 512 bytes.
constexpr size_t kMaxPongs = 4;
constexpr size_t kMaxPingToken = 510 - std::string_view("PONG :").size();

struct Message {
  std::string_view prefix;
  std::string_view command;
  std::vector<std::string_view> params;  // the trailing one included
};

// Parses "[@tags] [:prefix] COMMAND params [:trailing]"; false when there is
// no command.
bool ParseMessage(std::string_view line, Message* m) {
  if (!line.empty() && line[0] == '@') {
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return false;
    line.remove_prefix(sp + 1);
  }
  line = proto_text::Trim(line);
  if (!line.empty() && line[0] == ':') {
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return false;
    m->prefix = line.substr(1, sp - 1);
    line = proto_text::Trim(line.substr(sp + 1));
  }
  size_t sp = line.find(' ');
  m->command = line.substr(0, sp);
  if (m->command.empty()) return false;
  line =
      sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  while (!line.empty() && m->params.size() < kMaxParams) {
    line = proto_text::Trim(line);
    if (line.empty()) break;
    if (line[0] == ':') {
      m->params.push_back(line.substr(1));
      break;
    }
    sp = line.find(' ');
    m->params.push_back(line.substr(0, sp));
    line =
        sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  }
  return true;
}

bool IsNumeric(std::string_view command) {
  return command.size() == 3 && command[0] >= '0' && command[0] <= '9' &&
         command[1] >= '0' && command[1] <= '9' && command[2] >= '0' &&
         command[2] <= '9';
}

class IrcModule final : public LineModule {
 public:
  IrcModule(std::string name, bool implicit_tls, const ModuleOptions& options)
      : LineModule(std::move(name), implicit_tls, options) {}

  void Start(ModuleActions* a) override {
    if (implicit_tls()) {
      SendLine(a, "CAP LS 302");
      set_phase("cap-ls");
      return;
    }
    SendLine(a, "CAP LS 302");
    SendLine(a, "STARTTLS");
    starttls_attempted_ = true;
    set_phase("starttls");
  }

  void ResumeAfterTls(ModuleActions* a) override {
    if (!cap_supported_) {
      Finish(GrabStatus::kSuccess, kQuit, a);
      return;
    }
    SendLine(a, "CAP LS 302");
    set_phase("cap-ls-after-tls");
  }

 protected:
  void OnLine(std::string_view line, ModuleActions* a) override {
    if (proto_text::Trim(line).empty()) return;
    Message m;
    if (!ParseMessage(line, &m)) {
      if (!got_line_) banner_ = std::string(line);
      Fail(GrabStatus::kProtocolError, "not an IRC message", a);
      return;
    }
    const bool first = !got_line_;
    got_line_ = true;
    const std::string command = AsciiUpper(m.command);
    if (!IsNumeric(command) && command != "NOTICE" && command != "PING" &&
        command != "CAP" && command != "ERROR" && command != "PRIVMSG" &&
        command != "MODE" && command != "PONG") {
      if (first) {
        banner_ = std::string(line);
        Fail(GrabStatus::kProtocolError, "not an IRC message", a);
        return;
      }
      return;  // unknown command later on: ignore
    }
    if (!tls_up_ || implicit_tls()) {
      if (banner_lines_ < kMaxBannerLines && (command == "NOTICE" || first)) {
        if (!banner_.empty()) banner_ += "\n";
        banner_ += line;
        ++banner_lines_;
      }
    }
    if (command == "PING") {
      const std::string_view token =
          m.params.empty() ? std::string_view() : m.params.back();
      if (pongs_ == kMaxPongs || token.size() > kMaxPingToken) {
        Fail(GrabStatus::kProtocolError,
             pongs_ == kMaxPongs ? "too many PINGs" : "PING token too long",
             a);
        return;
      }
      ++pongs_;
      SendLine(a, "PONG :" + std::string(token));
      return;
    }
    if (command == "ERROR") {
      error_ = std::string(line);
      Fail(proto_text::SaysServerBusy(line) ? GrabStatus::kServerBusy
                                            : GrabStatus::kApplicationError,
           "server sent ERROR", a);
      return;
    }
    if (command == "263" || command == "463" || command == "465") {
      error_ = std::string(line);
      Finish(command == "263" ? GrabStatus::kServerBusy
                              : GrabStatus::kApplicationError,
             kQuit, a);
      return;
    }
    if (command == "CAP") {
      OnCap(m, a);
      return;
    }
    if (command == "670" && !tls_up_) {
      starttls_offered_ = true;
      starttls_reply_ = std::string(line);
      RequestStartTls(a);
      return;
    }
    if (command == "691" && !tls_up_) {
      starttls_offered_ = true;
      starttls_reply_ = std::string(line);
      Finish(GrabStatus::kStartTlsRefused, kQuit, a);
      return;
    }
    if ((command == "421" || command == "451") && m.params.size() >= 2) {
      if (EqualsIgnoreCase(m.params[1], "CAP")) {
        cap_supported_ = false;
        if (tls_up_) Finish(GrabStatus::kSuccess, kQuit, a);
        return;
      }
      if (EqualsIgnoreCase(m.params[1], "STARTTLS") && !tls_up_) {
        starttls_reply_ = std::string(line);
        Finish(GrabStatus::kNoStartTls, kQuit, a);
        return;
      }
    }
  }

  ModuleExtras Extras() const override {
    IrcExtras extras;
    extras.cap_supported = cap_supported_;
    if (!implicit_tls() && before_tls_.seen) extras.tls_cap = tls_cap_;
    return extras;
  }

 private:
  // "CAP <target> LS [*] :caps": a "*" before the list means more follows.
  void OnCap(const Message& m, ModuleActions* a) {
    if (m.params.size() < 3 || !EqualsIgnoreCase(m.params[1], "LS")) return;
    CapabilitySet& caps = current_caps();
    if (!in_listing_) {
      caps = CapabilitySet();
      in_listing_ = true;
    }
    caps.seen = true;
    const bool more = m.params.size() >= 4 && m.params[2] == "*";
    for (std::string_view cap : SplitWords(m.params.back())) {
      if (caps.capabilities.size() >= kMaxCapabilities) break;
      caps.capabilities.emplace_back(cap);
      const size_t eq = cap.find('=');
      const std::string_view key = cap.substr(0, eq);
      if (EqualsIgnoreCase(key, "tls") && !tls_up_) tls_cap_ = true;
      if (EqualsIgnoreCase(key, "sasl") && eq != std::string_view::npos) {
        for (std::string_view mech : SplitOn(cap.substr(eq + 1), ',')) {
          caps.AddMechanism(mech);
        }
      }
    }
    if (more) return;
    in_listing_ = false;
    if (tls_up_) Finish(GrabStatus::kSuccess, kQuit, a);
  }

  bool got_line_ = false;
  size_t banner_lines_ = 0;
  size_t pongs_ = 0;
  bool cap_supported_ = true;
  bool tls_cap_ = false;
  bool in_listing_ = false;
};

}  // namespace

std::unique_ptr<ProtocolModule> MakeIrcModule(std::string name,
                                              bool implicit_tls,
                                              const ModuleOptions& options) {
  return std::make_unique<IrcModule>(std::move(name), implicit_tls, options);
}

}  // namespace tlsweep
