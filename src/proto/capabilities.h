// Capability listings as servers send them, read alike by the grabber's
// protocol modules (proto/smtp.cc, imap.cc, pop3.cc) and the passive
// observers (passive/*_observer.cc): one function per protocol adds one
// listed item to a CapabilitySet and says what the caller must know beyond
// the set (STARTTLS offered, POP3's USER).
#ifndef TLSWEEP_PROTO_CAPABILITIES_H_
#define TLSWEEP_PROTO_CAPABILITIES_H_

#include <string_view>

#include "proto/module_result.h"

namespace tlsweep {

// What one listed item offers besides what it adds to the set.
enum class ListedItem : uint8_t { kOther, kStartTls, kUser };

// One EHLO keyword line (RFC 5321 4.1.1.1; the reply's text after "250-"):
// kept as listed; "AUTH m1 m2" and the pre-standard "AUTH=m1 m2" (old
// Exchange and qmail) add their mechanisms. kStartTls for STARTTLS.
ListedItem AddSmtpExtension(std::string_view line, CapabilitySet* caps);

// One IMAP capability atom (RFC 3501 7.2.1): kept as listed; AUTH=m adds
// m; LOGINDISABLED sets login_disabled. kStartTls for STARTTLS.
ListedItem AddImapCapability(std::string_view atom, CapabilitySet* caps);

// One POP3 CAPA line (RFC 2449 5): kept as listed; "SASL m1 m2" adds the
// mechanisms. kStartTls for STLS (RFC 2595 4), kUser for USER.
ListedItem AddPop3Capability(std::string_view line, CapabilitySet* caps);

}  // namespace tlsweep

#endif  // TLSWEEP_PROTO_CAPABILITIES_H_
