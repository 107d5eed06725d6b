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
#include "tls/raw_flight.h"
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
  // What the flight says, in the raw probes' terms (tls/raw_flight.h): the
  // server's choice (version, suite and class, key exchange, curve, DH
  // prime size, SHA-256 and name), the certificates (TLS <= 1.2) and an
  // alert.
  RawFlightSummary server;
  size_t certificate_count = 0;  // as sent (server.chain holds the decodable)
  // Resumption: the client offered a session id or a ticket (TLS <= 1.2)
  // or a PSK (TLS 1.3); the server echoed the session id, sent the
  // abbreviated handshake, or selected the PSK.
  bool session_id_echoed = false;
  bool abbreviated_handshake = false;
  bool psk_selected = false;
  bool client_gap = false;  // bytes were lost before the ClientHello was read
  bool server_gap = false;  // ... before the server's flight was read
};

// Where an observer of a connection first seen mid-connection started
// (passive/analyzer.h decides; the record says it as midstream_pickup).
enum class MidstreamPickup : uint8_t {
  kNone,               // the connection's start (its SYN or SYN-ACK) was seen
  kClientHello,        // at the client's ClientHello (Observer::PickUpInTls)
  kPlaintextDialogue,  // at a client command line (Observer::PickUpInPlaintext)
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
  bool tls_started = false;  // implicit TLS, STARTTLS accepted, or picked up
  // The capture began mid-connection; the observer started at the
  // client's ClientHello or at a client command line of the plaintext
  // dialogue: nothing before it is known (no greeting, no listing unless
  // the client asked again).
  MidstreamPickup midstream_pickup = MidstreamPickup::kNone;
  PassiveTls tls;            // meaningful when tls_started
  // The plaintext dialogue lost bytes (a gap): what follows it was read
  // from the next line on.
  bool gap_in_dialogue = false;
  std::string error;  // why the observer stopped reading early ("" = it did not)
};

}  // namespace tlsweep

#endif  // TLSWEEP_PASSIVE_OBSERVATION_H_
