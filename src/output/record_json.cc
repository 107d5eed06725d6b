// See record_json.h.
#include "output/record_json.h"

#include <cstdio>
#include <utility>
#include <variant>

#include "common/time_format.h"
#include "output/record_fields.h"
#include "output/tls_json.h"
#include "proto/text.h"
#include "tls/raw_flight.h"
#include "tls/tls_registry.h"

namespace tlsweep {
namespace {

using nlohmann::json;
namespace f = field;

json StringArray(const std::vector<std::string>& v) {
  json out = json::array();
  for (const std::string& s : v) out.push_back(proto_text::JsonSafe(s));
  return out;
}

json CapsJson(const CapabilitySet& caps) {
  json out = json::object();
  out[f::kCapabilities] = StringArray(caps.capabilities);
  out[f::kAuthMechanisms] = StringArray(caps.mechanisms);
  if (caps.login_disabled.has_value()) out[f::kLoginDisabled] = *caps.login_disabled;
  return out;
}

// Adds each protocol's own fields to its result object.
struct ExtrasWriter {
  json* r;
  void operator()(std::monostate) const {}
  void operator()(const SmtpExtras& e) const {
    if (!e.ehlo.empty()) (*r)[f::kEhlo] = proto_text::JsonSafe(e.ehlo);
    if (!e.ehlo_after_tls.empty()) (*r)[f::kEhloAfterTls] = proto_text::JsonSafe(e.ehlo_after_tls);
  }
  void operator()(const ImapExtras& e) const {
    if (!e.bye.empty()) (*r)[f::kBye] = proto_text::JsonSafe(e.bye);
    if (e.login_disabled) (*r)[f::kLoginDisabled] = *e.login_disabled;
  }
  void operator()(const Pop3Extras& e) const {
    if (!e.capa_error.empty()) (*r)[f::kCapaError] = proto_text::JsonSafe(e.capa_error);
  }
  void operator()(const XmppExtras& e) const {
    if (e.stream) {
      (*r)[f::kStream] = {{f::kStreamId, proto_text::JsonSafe(e.stream->id)},
                          {f::kStreamFrom, proto_text::JsonSafe(e.stream->from)},
                          {f::kStreamVersion, proto_text::JsonSafe(e.stream->version)}};
    }
    (*r)[f::kServerToServer] = e.server_to_server;
    if (e.starttls_required) (*r)[f::kStartTlsRequired] = *e.starttls_required;
    if (!e.stream_error.empty()) (*r)[f::kStreamError] = proto_text::JsonSafe(e.stream_error);
  }
  void operator()(const IrcExtras& e) const {
    (*r)[f::kCapSupported] = e.cap_supported;
    if (e.tls_cap) (*r)[f::kTlsCap] = *e.tls_cap;
  }
};

std::string Line(const json& record) {
  std::string line = record.dump(-1, ' ', false, json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

}  // namespace

void AddModuleExtras(const ModuleExtras& extras, json* result) {
  std::visit(ExtrasWriter{result}, extras);
}

json ScanResultJson(const ScanResult& r) {
  const ScanResponse& s = r.response;
  json j = {
      {f::kSaddr, s.target.ToString()},
      {f::kSport, s.port},
      {f::kDaddr, s.saddr.ToString()},
      {f::kDport, s.sport},
      {f::kClassification, ClassificationName(s.classification)},
      {f::kSuccess, s.success},
      {f::kRepeat, r.repeat},
      {f::kTtl, s.ttl},
      {f::kTimestampStr, FormatRfc3339(r.timestamp_ns)},
  };
  if (s.classification == Classification::kIcmpUnreachable) {
    j[f::kIcmpResponder] = s.icmp_responder.ToString();
    j[f::kIcmpCode] = s.icmp_code;
  } else {
    j[f::kWindow] = s.window;
    json opts = json::object();
    if (s.options.has_mss) opts[f::kMss] = s.options.mss;
    if (s.options.has_wscale) opts[f::kWscale] = s.options.wscale;
    if (s.options.sack_permitted) opts[f::kSackPermitted] = true;
    if (s.options.has_timestamps) {
      opts[f::kTsval] = s.options.ts_val;
      opts[f::kTsecr] = s.options.ts_ecr;
    }
    j[f::kTcpOptions] = std::move(opts);
  }
  return j;
}

json ModuleResultJson(const ModuleResult& m) {
  json r = json::object();
  r[f::kStatus] = GrabStatusName(m.status);
  r[f::kPhase] = m.phase;
  r[f::kImplicitTls] = m.implicit_tls;
  if (!m.banner.empty()) r[f::kBanner] = proto_text::JsonSafe(m.banner);
  if (m.before_tls.seen) r[f::kBeforeTls] = CapsJson(m.before_tls);
  if (m.plaintext_auth_before_tls) r[f::kPlaintextAuthBeforeTls] = *m.plaintext_auth_before_tls;
  if (m.starttls) {
    const StartTlsResult& s = *m.starttls;
    json st = {{f::kOffered, s.offered}, {f::kAttempted, s.attempted}, {f::kAccepted, s.accepted}};
    if (!s.reply.empty()) st[f::kReply] = proto_text::JsonSafe(s.reply);
    if (s.plaintext_bytes_after_go_ahead > 0) {
      st[f::kPlaintextBytesAfterGoAhead] = s.plaintext_bytes_after_go_ahead;
    }
    r[f::kStartTls] = std::move(st);
  }
  if (m.after_tls.seen) r[f::kAfterTls] = CapsJson(m.after_tls);
  if (!m.error.empty()) r[f::kError] = proto_text::JsonSafe(m.error);
  AddModuleExtras(m.extras, &r);
  return r;
}

json RawProbeJson(const RawProbeResult& p) {
  json probe = {{f::kProfile, p.profile},
                {f::kStatus, GrabStatusName(p.status)},
                {f::kPhase, p.phase}};
  if (!p.flight.empty()) {
    probe[f::kFlight] = p.flight;
    probe[f::kFlightBytes] = p.flight_bytes;
  }
  json log = p.negotiated ? NegotiatedLogJson(*p.negotiated) : json::object();
  if (!p.chain.empty()) {
    json certs = {{f::kChain, ChainJson(p.chain)}};
    if (p.validation) certs[f::kValidation] = ValidationJson(*p.validation);
    log[f::kServerCertificates] = std::move(certs);
  }
  probe[f::kHandshakeLog] = std::move(log);
  if (p.alert) probe[f::kAlert] = AlertJson(*p.alert);
  if (!p.error.empty()) probe[f::kError] = p.error;
  return probe;
}

json EnumerationJson(const EnumerationResult& e) {
  json versions = json::array();
  for (const EnumeratedVersion& v : e.versions) {
    json suites = json::array();
    for (uint16_t id : v.suites) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%04X", id);
      const CipherSuiteInfo* suite = FindCipherSuite(id);
      suites.push_back(
          {{f::kHex, hex},
           {f::kName, suite != nullptr ? std::string(suite->name) : std::string(hex)},
           {f::kCipherClass,
            suite != nullptr ? std::string(CipherClassName(suite->cipher_class)) : "unknown"}});
    }
    versions.push_back({{f::kVersion, TlsVersionName(v.version)},
                        {f::kAccepted, v.accepted},
                        {f::kComplete, v.complete},
                        {f::kServerOrder, v.server_order ? json(*v.server_order) : json(nullptr)},
                        {f::kSuites, std::move(suites)}});
  }
  json out = {{f::kVersions, std::move(versions)},
              {f::kConnections, e.connections},
              {f::kMilliseconds, e.milliseconds},
              {f::kTruncated, e.truncated}};
  if (e.truncated) out[f::kStopped] = e.stopped;
  if (!e.error.empty()) out[f::kError] = proto_text::JsonSafe(e.error);
  return out;
}

json GrabRecordJson(const GrabResult& g, const std::optional<ScanResult>& scan) {
  json result = g.module ? ModuleResultJson(*g.module) : json::object();
  if (g.tls) result[f::kTls] = TlsJson(*g.tls);
  if (!g.raw_probes.empty()) {
    json probes = json::array();
    for (const RawProbeResult& p : g.raw_probes) probes.push_back(RawProbeJson(p));
    result[f::kRawProbes] = std::move(probes);
  }
  if (g.enumeration) result[f::kEnumeration] = EnumerationJson(*g.enumeration);
  json grab = {
      {f::kStatus, GrabStatusName(g.status)},
      {f::kProtocol, g.protocol},
      {f::kTimestamp, g.timestamp},
      {f::kPhase, g.phase},
      {f::kResult, std::move(result)},
  };
  if (!g.error.empty()) grab[f::kError] = g.error;
  json record = {{f::kIp, g.ip.ToString()}, {f::kPort, g.port}};
  // ZGrab2's "domain": the name this grab sent and checked, when it had one.
  if (!g.domain.empty()) record[f::kDomain] = g.domain;
  record[f::kData] = {{g.protocol, std::move(grab)}};
  if (scan) record[f::kScan] = ScanResultJson(*scan);
  return record;
}

std::string GrabRecordLine(const GrabResult& grab, const std::optional<ScanResult>& scan) {
  return Line(GrabRecordJson(grab, scan));
}

std::string NotGrabbedRecordLine(const ScanResult& scan, std::string_view reason) {
  return Line({{f::kIp, scan.response.target.ToString()},
               {f::kPort, scan.response.port},
               {f::kScan, ScanResultJson(scan)},
               {f::kNotGrabbed, reason}});
}

}  // namespace tlsweep
