// What one protocol dialogue learned, as plain structs.
//
// The modules fill a ModuleResult (ProtocolModule::Result) and output/ turns
// it into the record's "result" object, so the field names live in one place
// (output/record_fields.h) and a passive observer running the same parsers
// over captured sessions can fill the same structs. Text is kept as the peer
// sent it; the serializer makes it valid UTF-8 (proto_text::JsonSafe).
#ifndef TLSWEEP_PROTO_MODULE_RESULT_H_
#define TLSWEEP_PROTO_MODULE_RESULT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tlsweep {

// Outcome of one grab, named like ZGrab2's statuses so existing tools can read
// the records.
enum class GrabStatus {
  kSuccess,            // dialogue completed (for STARTTLS ports: TLS was up)
  kConnectionRefused,  // set by the session (RST to SYN)
  kConnectionTimeout,  // set by the session (no SYN-ACK)
  kConnectionClosed,   // the peer closed before the dialogue ended
  kIoTimeout,          // a phase deadline expired
  kProtocolError,      // the peer does not speak the protocol / broke a bound
  kApplicationError,   // well-formed error or refusal to the greeting or the
                       // capability command: 554 banner, -ERR, NO/BAD/BYE,
                       // stream error, IRC ERROR (reply text in the record)
  kServerBusy,         // a temporary refusal: the server is overloaded or
                       // limits connections (421, "queue full", [SYS/TEMP],
                       // <resource-constraint/>, ...); says nothing about
                       // STARTTLS. Not a ZGrab2 name: ZGrab2 calls it
                       // application-error.
  kStartTlsRefused,  // STARTTLS itself refused (454, NO, <failure/>, 691 ...)
  kNoStartTls,       // a complete capability listing lacks STARTTLS
  kTlsError,         // the TLS handshake failed
  kTooMuchData,      // the peer sent more than max_session_bytes
  kUnknownError,     // not finished yet, or nothing more specific applies
};
inline constexpr size_t kGrabStatusCount = static_cast<size_t>(GrabStatus::kUnknownError) + 1;

// ZGrab2-style name: "success", "protocol-error", "io-timeout", ... The one
// definition of these names: every record writer and `tlsweep report` use it.
std::string_view GrabStatusName(GrabStatus status);

// What the server advertised on one side of the TLS upgrade.
struct CapabilitySet {
  bool seen = false;                      // a capability listing was received
  std::vector<std::string> capabilities;  // as offered, raw text
  std::vector<std::string> mechanisms;    // SASL / AUTH, in the order offered
  std::optional<bool> login_disabled;     // IMAP LOGINDISABLED

  // Appends `mech` (upper-cased) unless already listed.
  void AddMechanism(std::string_view mech);
  bool HasMechanism(std::string_view mech) const;
  // True when a mechanism that sends the password in the clear (PLAIN,
  // LOGIN) is offered.
  bool OffersPlaintextMechanism() const;
};

// What happened to STARTTLS on a port that upgrades in the dialogue.
struct StartTlsResult {
  bool offered = false;    // the capability listing named it
  bool attempted = false;  // we sent the command
  bool accepted = false;   // the server said go ahead
  std::string reply;       // the server's answer ("" = none)
  // Plaintext the server sent after its go-ahead and before the handshake
  // (discarded, never interpreted).
  size_t plaintext_bytes_after_go_ahead = 0;
};

// Per-protocol facts beyond the shared ones. Text "" = not received.
struct SmtpExtras {
  std::string ehlo;            // the EHLO reply before TLS (or inside, on 465)
  std::string ehlo_after_tls;  // the EHLO reply after STARTTLS
};
struct ImapExtras {
  std::string bye;  // an untagged BYE that ended the dialogue
  // LOGINDISABLED on the side the study reads (before TLS on STARTTLS ports,
  // inside TLS on implicit ones); nullopt when that side listed nothing.
  std::optional<bool> login_disabled;
};
struct Pop3Extras {
  std::string capa_error;  // the -ERR answer to CAPA
};
struct XmppExtras {
  struct Stream {  // the server's stream header's attributes
    std::string id;
    std::string from;
    std::string version;
  };
  std::optional<Stream> stream;  // nullopt: no attribute seen
  bool server_to_server = false;
  // <required/> inside <starttls/>; set when the features before TLS were
  // read on a STARTTLS port.
  std::optional<bool> starttls_required;
  std::string stream_error;  // the condition of a <stream:error>
};
struct IrcExtras {
  bool cap_supported = true;  // false: the server rejected CAP (421 / 451)
  // "tls" in the CAP listing before TLS; set when that listing was read on a
  // STARTTLS port.
  std::optional<bool> tls_cap;
};
using ModuleExtras =
    std::variant<std::monostate, SmtpExtras, ImapExtras, Pop3Extras, XmppExtras, IrcExtras>;

// The dialogue's facts, ZGrab2-like: banner, capabilities before TLS,
// STARTTLS offered / accepted (and the refusal reply), capabilities and SASL
// mechanisms after TLS in the order offered, plaintext auth before TLS.
struct ModuleResult {
  GrabStatus status = GrabStatus::kUnknownError;  // the module's own status
  std::string phase;                              // where the dialogue stood
  bool implicit_tls = false;
  std::string banner;         // "" = none received
  CapabilitySet before_tls;   // recorded when seen
  // A way to send the password in the clear was offered before TLS (PLAIN,
  // LOGIN; IMAP: LOGIN unless LOGINDISABLED); set iff before_tls.seen.
  std::optional<bool> plaintext_auth_before_tls;
  // Set on STARTTLS ports once the capabilities before TLS were read.
  std::optional<StartTlsResult> starttls;
  CapabilitySet after_tls;  // recorded when seen
  std::string error;        // why the dialogue broke off ("" = it did not)
  ModuleExtras extras;
};

}  // namespace tlsweep

#endif  // TLSWEEP_PROTO_MODULE_RESULT_H_
