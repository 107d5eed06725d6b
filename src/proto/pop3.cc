// POP3 module: +OK greeting, CAPA, STLS, CAPA inside TLS, QUIT.
//
// CAPA (RFC 2449) answers "+OK" and a dot-terminated list; "SASL m1 m2" gives
// the mechanisms, "USER" means cleartext USER/PASS is allowed, "STLS"
// (RFC 2595) means STARTTLS. Never sent: USER, PASS, APOP, AUTH.
//
// A -ERR is never taken for a missing STLS: only a complete CAPA listing
// without STLS is no-starttls. A -ERR whose text says the server is busy
// ([SYS/TEMP] per RFC 3206; Dovecot's "Connection queue full") is
// server-busy wherever it comes; another -ERR to the greeting or to CAPA is
// application-error (its text in banner / capa_error), and to STLS
// starttls-refused.
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

using proto_text::StartsWithIgnoreCase;

constexpr std::string_view kQuit = "QUIT\r\n";

// Bounds the CAPA lines kept per listing (real servers send about 10).
constexpr size_t kMaxCapabilities = 256;

class Pop3Module final : public LineModule {
 public:
  Pop3Module(std::string name, bool implicit_tls, const ModuleOptions& options)
      : LineModule(std::move(name), implicit_tls, options) {}

  void Start(ModuleActions* /*a*/) override {
    state_ = State::kGreeting;
    set_phase("greeting");
  }

  void ResumeAfterTls(ModuleActions* a) override { SendCapa(a); }

 protected:
  void OnLine(std::string_view line, ModuleActions* a) override {
    switch (state_) {
      case State::kConnect:
      case State::kGreeting:
        banner_ = std::string(line);
        if (StartsWithIgnoreCase(line, "+OK")) {
          SendCapa(a);
        } else if (StartsWithIgnoreCase(line, "-ERR")) {
          Finish(ErrStatus(line, GrabStatus::kApplicationError), kQuit, a);
        } else {
          Fail(GrabStatus::kProtocolError, "not a POP3 greeting", a);
        }
        return;
      case State::kCapaStatus:
        if (StartsWithIgnoreCase(line, "+OK")) {
          CapabilitySet& caps = current_caps();
          caps = CapabilitySet();
          caps.seen = true;
          state_ = State::kCapaList;
        } else if (StartsWithIgnoreCase(line, "-ERR")) {
          // A busy server, or one without CAPA (pre-RFC 2449): either way
          // no listing was read, so nothing is known about STLS.
          capa_error_ = std::string(line);
          Finish(ErrStatus(line, GrabStatus::kApplicationError), kQuit, a);
        } else {
          Fail(GrabStatus::kProtocolError, "malformed CAPA reply", a);
        }
        return;
      case State::kCapaList:
        if (line == ".") {
          OnCapaDone(a);
          return;
        }
        if (!line.empty() && line[0] == '.')
          line.remove_prefix(1);  // dot-stuffing
        RecordCapability(line);
        return;
      case State::kStls:
        starttls_reply_ = std::string(line);
        if (StartsWithIgnoreCase(line, "+OK")) {
          state_ = State::kDone;
          RequestStartTls(a);
        } else if (StartsWithIgnoreCase(line, "-ERR")) {
          Finish(ErrStatus(line, GrabStatus::kStartTlsRefused), kQuit, a);
        } else {
          Fail(GrabStatus::kProtocolError, "malformed STLS reply", a);
        }
        return;
      case State::kDone:
        return;
    }
  }

  bool PlaintextAuthBeforeTls() const override {
    return user_before_tls_ || before_tls_.OffersPlaintextMechanism();
  }

  ModuleExtras Extras() const override {
    return Pop3Extras{.capa_error = capa_error_};
  }

 private:
  enum class State {
    kConnect,
    kGreeting,
    kCapaStatus,
    kCapaList,
    kStls,
    kDone
  };

  // Status of a -ERR line: server-busy when its text says so, else
  // `otherwise`.
  static GrabStatus ErrStatus(std::string_view line, GrabStatus otherwise) {
    return proto_text::SaysServerBusy(line) ? GrabStatus::kServerBusy
                                            : otherwise;
  }

  void SendCapa(ModuleActions* a) {
    SendLine(a, "CAPA");
    state_ = State::kCapaStatus;
    set_phase(tls_up_ ? "capa-after-tls" : "capa");
  }

  void RecordCapability(std::string_view line) {
    CapabilitySet& caps = current_caps();
    if (caps.capabilities.size() >= kMaxCapabilities) return;
    const ListedItem item = AddPop3Capability(line, &caps);
    if (item == ListedItem::kStartTls && !tls_up_) starttls_offered_ = true;
    if (item == ListedItem::kUser && !tls_up_) user_before_tls_ = true;
  }

  void OnCapaDone(ModuleActions* a) {
    if (tls_up_) {
      state_ = State::kDone;
      Finish(GrabStatus::kSuccess, kQuit, a);
      return;
    }
    if (!starttls_offered_) {
      Finish(GrabStatus::kNoStartTls, kQuit, a);
      return;
    }
    SendLine(a, "STLS");
    starttls_attempted_ = true;
    state_ = State::kStls;
    set_phase("starttls");
  }

  State state_ = State::kConnect;
  bool user_before_tls_ = false;
  std::string capa_error_;
};

}  // namespace

std::unique_ptr<ProtocolModule> MakePop3Module(std::string name,
                                               bool implicit_tls,
                                               const ModuleOptions& options) {
  return std::make_unique<Pop3Module>(std::move(name), implicit_tls, options);
}

}  // namespace tlsweep
