// Factories of the protocol modules. Use MakeModule (registry.h) to get one by
// name; these exist so the registry and tests can build a module with a
// chosen registered name and TLS mode.
#ifndef TLSWEEP_PROTO_MODULES_H_
#define TLSWEEP_PROTO_MODULES_H_

#include <memory>
#include <string>

#include "proto/module.h"

namespace tlsweep {

// SMTP (RFC 5321) with STARTTLS (RFC 3207): 25, 587, 465 (implicit).
std::unique_ptr<ProtocolModule> MakeSmtpModule(std::string name,
                                               bool implicit_tls,
                                               const ModuleOptions& options);
// IMAP (RFC 3501 / 9051) with STARTTLS: 143, 993 (implicit).
std::unique_ptr<ProtocolModule> MakeImapModule(std::string name,
                                               bool implicit_tls,
                                               const ModuleOptions& options);
// POP3 (RFC 1939) with CAPA / STLS (RFC 2449, 2595): 110, 995 (implicit).
std::unique_ptr<ProtocolModule> MakePop3Module(std::string name,
                                               bool implicit_tls,
                                               const ModuleOptions& options);
// XMPP (RFC 6120): client (jabber:client) or server (jabber:server) streams:
// 5222, 5269, 5223 (implicit).
std::unique_ptr<ProtocolModule> MakeXmppModule(std::string name,
                                               bool implicit_tls,
                                               bool server_to_server,
                                               const ModuleOptions& options);
// IRC with IRCv3 CAP and STARTTLS (670 / 691): 6667, 6697 (implicit).
std::unique_ptr<ProtocolModule> MakeIrcModule(std::string name,
                                              bool implicit_tls,
                                              const ModuleOptions& options);

}  // namespace tlsweep

#endif  // TLSWEEP_PROTO_MODULES_H_
