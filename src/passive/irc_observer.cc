// IRC (6667; 6697 inside TLS) seen from the wire.
//
// Lines are "[:prefix] COMMAND params [:trailing]" (RFC 1459 2.3.1). The
// capability listing is the server's answer to CAP LS (IRCv3 capability
// negotiation: "CAP * LS [*] :cap1 cap2", '*' before the list when more
// lines follow); "tls" in it offers STARTTLS, whose answer is numeric 670
// (go ahead) or 691 (failed). SASL runs as AUTHENTICATE (IRCv3 sasl-3.1:
// 903 success, 904 failure); a server password is PASS. The observer stops
// at 001 (RPL_WELCOME): registration is over and conversations follow,
// which it must not read.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "passive/observers.h"
#include "proto/text.h"

namespace tlsweep {
namespace {

using proto_text::AsciiUpper;
using proto_text::EqualsIgnoreCase;
using proto_text::SplitWords;

// CAP LS entries kept; IRCv3 servers list a few dozen.
constexpr size_t kMaxCapabilities = 256;

class IrcObserver final : public Observer {
 public:
  IrcObserver(std::string name, bool implicit_tls) : Observer(std::move(name), implicit_tls) {}

 private:
  bool OnClientLine(std::string_view line) override {
    const std::vector<std::string_view> words = SplitWords(line);
    if (words.empty()) return true;
    const std::string command = AsciiUpper(words[0]);
    if (command == "STARTTLS") {
      starttls().attempted = true;
    } else if (command == "PASS") {
      PassiveAuth& auth = NewAuth("irc-pass");
      auth.plaintext_credentials |= words.size() > 1;
    } else if (command == "AUTHENTICATE" && words.size() > 1) {
      if (!obs_.auth.has_value() || obs_.auth->method != "sasl") {
        PassiveAuth& auth = NewAuth("sasl");
        auth.mechanism = SaslMechanismName(words[1]);
      } else if (words[1] != "*" && IsPlaintextMechanism(obs_.auth->mechanism)) {
        obs_.auth->plaintext_credentials = true;  // the SASL response
      }
    }
    return true;
  }

  bool OnServerLine(std::string_view line) override {
    if (!greeting_seen_) {
      greeting_seen_ = true;
      obs_.banner = std::string(line);
    }
    std::vector<std::string_view> words = SplitWords(line);
    if (!words.empty() && words[0].starts_with(':')) words.erase(words.begin());
    if (words.empty()) return true;
    const std::string_view command = words[0];
    if (command == "001") {
      StopReading();
      return false;
    }
    if (command == "670" || command == "691") {
      starttls().reply = std::string(line);
      starttls().accepted = command == "670";
      if (command == "691") return true;
      StartTls();
      return false;
    }
    if ((command == "903" || command == "904") && obs_.auth.has_value()) {
      obs_.auth->succeeded = command == "903";
      return true;
    }
    // CAP <target> LS [*] :caps
    if (EqualsIgnoreCase(command, "CAP") && words.size() >= 3 && EqualsIgnoreCase(words[2], "LS")) {
      if (!in_listing_) {
        obs_.before_tls = CapabilitySet();
        obs_.before_tls.seen = true;
        if (!obs_.implicit_tls) starttls();  // a listing: STARTTLS offered or not
      }
      in_listing_ = words.size() >= 4 && words[3] == "*";
      const size_t colon = line.find(" :");
      if (colon == std::string_view::npos) return true;
      for (std::string_view cap : SplitWords(line.substr(colon + 2))) {
        if (obs_.before_tls.capabilities.size() >= kMaxCapabilities) break;
        obs_.before_tls.capabilities.emplace_back(cap);
        const std::string_view cap_name = cap.substr(0, cap.find('='));
        if (EqualsIgnoreCase(cap_name, "tls") && !obs_.implicit_tls) starttls().offered = true;
        // "sasl=PLAIN,EXTERNAL" (CAP LS 302) lists the mechanisms.
        if (EqualsIgnoreCase(cap_name, "sasl") && cap.size() > cap_name.size()) {
          for (std::string_view m : proto_text::SplitOn(cap.substr(cap_name.size() + 1), ',')) {
            obs_.before_tls.AddMechanism(m);
          }
        }
      }
    }
    return true;
  }

  PassiveStartTls& starttls() {
    if (!obs_.starttls.has_value()) obs_.starttls.emplace();
    return *obs_.starttls;
  }

  void SkipGreeting() override { greeting_seen_ = true; }

  bool greeting_seen_ = false;
  bool in_listing_ = false;
};

}  // namespace

std::unique_ptr<Observer> MakeIrcObserver(std::string name, bool implicit_tls) {
  return std::make_unique<IrcObserver>(std::move(name), implicit_tls);
}

}  // namespace tlsweep
