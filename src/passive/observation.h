// What a passive observer learned about one connection, as plain structs
// (output/passive_json.h turns them into the record). Nothing here can
// hold what a user typed: the observers copy server text (greeting,
// capabilities, the STARTTLS reply), names of commands and mechanisms, and
// TLS handshake fields, never a client line, an AUTH payload, an address of
// the mail envelope or a message body.
#ifndef TLSWEEP_PASSIVE_OBSERVATION_H_
#define TLSWEEP_PASSIVE_OBSERVATION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "proto/module_result.h"
#include "tls/client_hello.h"
#include "tls/server_flight.h"

namespace tlsweep {

struct PassiveStartTls {
  bool offered = false;    // the capability listing before TLS named it
  bool attempted = false;  // the client sent the command
  bool accepted = false;   // the server said go ahead
  std::string reply;       // the server's answer ("" = none seen)
};

// How the client authenticated; never what it sent.
struct PassiveAuth {
  // "sasl" (SMTP AUTH, IMAP AUTHENTICATE, POP3 AUTH, IRC AUTHENTICATE, XMPP
  // <auth/>), "imap-login", "pop3-user" (USER/PASS), "pop3-apop",
  // "irc-pass" (a server password), "xmpp-iq-auth" (XEP-0078).
  std::string method;
  std::string mechanism;  // the SASL mechanism's name; "" for the others
  bool before_tls = false;
  // A password crossed the wire in the clear: PLAIN or LOGIN data, IMAP
  // LOGIN, POP3 PASS or an XEP-0078 <password/>, sent before TLS.
  bool plaintext_credentials = false;
  std::optional<bool> succeeded;  // nullopt: no answer seen
};

struct PassiveTls {
  // The client's side.
  ClientHelloParse client_hello_result = ClientHelloParse::kIncomplete;
  ParsedClientHello client_hello;  // when client_hello_result == kOk
  // The server's first flight (server_flight.h); nullopt: no byte of it.
  std::optional<FlightVerdict> server_verdict;
  bool has_server_hello = false;
  ServerHelloInfo server_hello;
  ServerKeyExchangeKind key_exchange = ServerKeyExchangeKind::kNone;
  uint32_t dh_prime_bits = 0;  // kDhe
  uint16_t named_curve = 0;    // kEcdhe with a named curve
  size_t certificate_count = 0;
  bool has_alert = false;
  uint8_t alert_level = 0;
  uint8_t alert_description = 0;
  bool client_gap = false;  // bytes were lost before the ClientHello was read
  bool server_gap = false;  // ... before the server's flight was read
};

struct Observation {
  std::string module;  // the port map's name: "smtp", "submission", ...
  bool implicit_tls = false;
  std::string banner;           // the server's greeting ("" = none seen)
  CapabilitySet before_tls;     // what the server listed before TLS
  // Set on STARTTLS ports once the listing was seen or the client asked.
  std::optional<PassiveStartTls> starttls;
  std::optional<PassiveAuth> auth;
  // Per-protocol facts with the grab record's names (XMPP: the stream
  // header, server_to_server, starttls_required, stream_error).
  ModuleExtras extras;
  bool tls_started = false;  // implicit TLS, or STARTTLS accepted
  PassiveTls tls;            // meaningful when tls_started
  // The plaintext dialogue lost bytes (a gap): what follows it was read
  // from the next line on.
  bool gap_in_dialogue = false;
  std::string error;  // why the observer stopped reading early ("" = it did not)
};

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_OBSERVATION_H_
