// The protocol observers behind MakeObserver (observer.h), and what they
// share: SASL mechanism names and literal counts read from lines.
#ifndef TLSWEEP_PASSIVE_OBSERVERS_H_
#define TLSWEEP_PASSIVE_OBSERVERS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "passive/observer.h"

namespace tlsweep {

std::unique_ptr<Observer> MakeSmtpObserver(std::string name, bool implicit_tls);
std::unique_ptr<Observer> MakeImapObserver(std::string name, bool implicit_tls);
std::unique_ptr<Observer> MakePop3Observer(std::string name, bool implicit_tls);
std::unique_ptr<Observer> MakeIrcObserver(std::string name, bool implicit_tls);
std::unique_ptr<Observer> MakeXmppObserver(std::string name, bool implicit_tls,
                                           bool server_to_server);

// `word` upper-cased when it is a well-formed SASL mechanism name (RFC 4422
// 3.1: 1 to 20 of A-Z, 0-9, '-', '_'); otherwise "" (a client's stray text
// is never recorded).
std::string SaslMechanismName(std::string_view word);

// True for the mechanisms that carry the password itself (PLAIN, LOGIN).
bool IsPlaintextMechanism(std::string_view mechanism);

// N when `line` ends in an IMAP literal announcement "{N}" or "{N+}"
// (RFC 3501 4.3, RFC 7888); nullopt otherwise.
std::optional<uint64_t> TrailingLiteral(std::string_view line);

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_OBSERVERS_H_
