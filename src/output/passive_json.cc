// See passive_json.h.
#include "output/passive_json.h"

#include "absl/strings/str_format.h"
#include "common/time_format.h"
#include "output/record_fields.h"
#include "output/record_json.h"
#include "output/tls_json.h"
#include "proto/text.h"
#include "tls/raw_flight.h"

namespace tlsweep {
namespace {

namespace f = field;
using json = nlohmann::json;
using proto_text::JsonSafe;

json StreamJson(const StreamCounters& c) {
  return {{f::kSegments, c.segments},
          {f::kBytes, c.bytes},
          {f::kRetransmitted, c.retransmitted},
          {f::kOutOfOrder, c.out_of_order},
          {f::kOverlapsDiffering, c.overlaps_differing},
          {f::kGaps, c.gaps},
          {f::kGapBytes, c.gap_bytes}};
}

json NameValue(std::string_view name, uint16_t value) {
  return {{f::kName, name}, {f::kValue, value}};
}

json ClientHelloJson(const PassiveTls& t) {
  json j = {{f::kParse, ClientHelloParseName(t.client_hello_result)}};
  if (t.client_hello_result != ClientHelloParse::kOk) return j;
  const ParsedClientHello& h = t.client_hello;
  j[f::kRecordVersionField] = h.record_version;
  j[f::kVersion] = NameValue(TlsVersionName(h.client_version), h.client_version);
  j[f::kCipherSuites] = h.cipher_suites;
  j[f::kExtensions] = h.extensions;
  j[f::kSupportedVersions] = h.supported_versions;
  j[f::kGroups] = h.groups;
  j[f::kPointFormats] = h.point_formats;
  j[f::kSignatureAlgorithms] = h.signature_algorithms;
  if (!h.server_name.empty()) j[f::kServerName] = JsonSafe(h.server_name);
  j[f::kSessionTicket] = h.session_ticket;
  j[f::kSessionId] = h.session_id;
  const std::string ja3 = Ja3String(h);
  j[f::kJa3] = ja3;
  j[f::kJa3Md5] = Ja3Md5(ja3);
  j[f::kJa4] = JsonSafe(Ja4(h));  // the ALPN characters are the client's bytes
  j[f::kJa4Raw] = JsonSafe(Ja4Raw(h));
  return j;
}

json ResumptionJson(const PassiveTls& t) {
  const ParsedClientHello& h = t.client_hello;
  const bool hello = t.client_hello_result == ClientHelloParse::kOk;
  return {{f::kSessionIdOffered, hello && h.session_id},
          {f::kTicketOffered, hello && h.session_ticket_data},
          {f::kPskOffered, hello && h.pre_shared_key},
          {f::kSessionIdEchoed, t.session_id_echoed},
          {f::kAbbreviatedHandshake, t.abbreviated_handshake},
          {f::kPskSelected, t.psk_selected},
          {f::kResumed, t.abbreviated_handshake || t.psk_selected}};
}

json TlsJson(const Observation& o) {
  const PassiveTls& t = o.tls;
  json j = {{f::kClientHello, ClientHelloJson(t)}};
  if (t.client_gap || t.server_gap) j[f::kGapBeforeHandshake] = true;
  if (!t.server_verdict.has_value()) return j;
  j[f::kServerFlight] = FlightVerdictName(*t.server_verdict);
  // The raw probes' handshake_log (output/tls_json.h): the same names and
  // meanings as the grab record's tls.handshake_log.
  const RawFlightSummary& s = t.server;
  json log = s.negotiated ? NegotiatedLogJson(*s.negotiated) : json::object();
  if (!s.chain.empty()) log[f::kServerCertificates] = {{f::kChain, ChainJson(s.chain)}};
  j[f::kHandshakeLog] = std::move(log);
  j[f::kCertificateCount] = t.certificate_count;
  if (s.negotiated) j[f::kResumption] = ResumptionJson(t);
  if (s.alert) {
    // The server sent it: the grab record's alert fields with "server" as
    // the direction (there is no "we" in a capture).
    json alert = AlertJson(*s.alert);
    alert[f::kDirection] = "server";
    j[f::kAlert] = std::move(alert);
  }
  return j;
}

json ResultJson(const Observation& o) {
  json r = {{f::kImplicitTls, o.implicit_tls}};
  if (!o.banner.empty()) r[f::kBanner] = JsonSafe(o.banner);
  if (o.before_tls.seen) {
    json caps = json::array();
    for (const std::string& c : o.before_tls.capabilities) caps.push_back(JsonSafe(c));
    json before = {{f::kCapabilities, std::move(caps)},
                   {f::kAuthMechanisms, o.before_tls.mechanisms}};
    if (o.before_tls.login_disabled.has_value()) before[f::kLoginDisabled] = *o.before_tls.login_disabled;
    r[f::kBeforeTls] = std::move(before);
    bool plaintext = o.before_tls.OffersPlaintextMechanism();
    if (o.before_tls.login_disabled.has_value()) plaintext |= !*o.before_tls.login_disabled;
    for (const std::string& c : o.before_tls.capabilities) {
      if (proto_text::EqualsIgnoreCase(c, "USER")) plaintext = true;  // POP3 USER/PASS
    }
    r[f::kPlaintextAuthBeforeTls] = plaintext;
  }
  if (o.starttls.has_value()) {
    json st = {{f::kOffered, o.starttls->offered},
               {f::kAttempted, o.starttls->attempted},
               {f::kAccepted, o.starttls->accepted}};
    if (!o.starttls->reply.empty()) st[f::kReply] = JsonSafe(o.starttls->reply);
    r[f::kStartTls] = std::move(st);
  }
  if (o.auth.has_value()) {
    json a = {{f::kMethod, o.auth->method},
              {f::kBeforeTls, o.auth->before_tls},
              {f::kPlaintextCredentials, o.auth->plaintext_credentials}};
    if (!o.auth->mechanism.empty()) a[f::kMechanism] = o.auth->mechanism;
    if (o.auth->succeeded.has_value()) a[f::kSucceeded] = *o.auth->succeeded;
    r[f::kAuth] = std::move(a);
  }
  AddModuleExtras(o.extras, &r);
  r[f::kTlsStarted] = o.tls_started;
  if (o.midstream_pickup != MidstreamPickup::kNone) {
    r[f::kPickedUpMidstream] = true;
    r[f::kMidstreamPickup] = o.midstream_pickup == MidstreamPickup::kClientHello
                                 ? "client-hello"
                                 : "plaintext-dialogue";
  }
  if (o.tls_started) r[f::kTls] = TlsJson(o);
  if (o.gap_in_dialogue) r[f::kGapInDialogue] = true;
  if (!o.error.empty()) r[f::kError] = o.error;
  return r;
}

}  // namespace

json PassiveRecordJson(const ConnectionRecord& rec, const ClientPseudonyms* pseudonyms) {
  return {
      {f::kIp, rec.server.ToString()},
      {f::kPort, rec.server_port},
      {f::kClientIp, pseudonyms != nullptr ? pseudonyms->Pseudonym(rec.client)
                                           : rec.client.ToString()},
      {f::kClientPort, rec.client_port},
      {f::kProtocol, rec.observation.module},
      {f::kTimestamp, FormatRfc3339(rec.first_ns)},
      {f::kEndTimestamp, FormatRfc3339(rec.last_ns)},
      {f::kFlowEnd, FlowEndName(rec.end)},
      {f::kSynSeen, rec.syn_seen},
      {f::kResult, ResultJson(rec.observation)},
      {f::kStreams, {{f::kClient, StreamJson(rec.client_stream)},
                     {f::kServer, StreamJson(rec.server_stream)}}},
  };
}

std::string PassiveRecordLine(const ConnectionRecord& record, const ClientPseudonyms* pseudonyms) {
  return PassiveRecordJson(record, pseudonyms).dump() + "\n";
}

}  // namespace tlsweep
