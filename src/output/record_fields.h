// The key names of tlsweep's records: the scan's `-O json` line (also the
// "scan" object of a `tlsweep run` record) and the grab / run record with its
// module result and "tls" object. Every writer (output/record_json.cc,
// output/tls_json.cc, output/result_output.cc) and `tlsweep report`'s reader
// (report/aggregate.cc) use these constants, and docs/schema/ publishes them:
// renaming a field is a change here plus the schema. The names follow ZGrab2
// and ZMap so that existing tools read the records. The GrabStatus names are
// defined with the enum (proto/module_result.h, GrabStatusName).
#ifndef TLSWEEP_OUTPUT_RECORD_FIELDS_H_
#define TLSWEEP_OUTPUT_RECORD_FIELDS_H_

#include <string_view>

namespace tlsweep::field {

// The scan's answer (docs/schema/scan_result.schema.json); ZMap's names,
// also the CSV columns of -f.
inline constexpr std::string_view kSaddr = "saddr";
inline constexpr std::string_view kDaddr = "daddr";
inline constexpr std::string_view kSport = "sport";
inline constexpr std::string_view kDport = "dport";
inline constexpr std::string_view kClassification = "classification";
inline constexpr std::string_view kSuccess = "success";
inline constexpr std::string_view kRepeat = "repeat";
inline constexpr std::string_view kTtl = "ttl";
inline constexpr std::string_view kWindow = "window";
inline constexpr std::string_view kMss = "mss";
inline constexpr std::string_view kWscale = "wscale";
inline constexpr std::string_view kSackPermitted = "sack_permitted";
inline constexpr std::string_view kTsval = "tsval";
inline constexpr std::string_view kTsecr = "tsecr";
inline constexpr std::string_view kTcpOptions = "tcp_options";
inline constexpr std::string_view kIcmpResponder = "icmp_responder";
inline constexpr std::string_view kIcmpCode = "icmp_code";
inline constexpr std::string_view kTimestampStr = "timestamp_str";
inline constexpr std::string_view kTimestampUs = "timestamp_us";

// The grab / run record (docs/schema/grab_record.schema.json), top level.
inline constexpr std::string_view kIp = "ip";
inline constexpr std::string_view kPort = "port";
inline constexpr std::string_view kDomain = "domain";
inline constexpr std::string_view kData = "data";
inline constexpr std::string_view kScan = "scan";
inline constexpr std::string_view kNotGrabbed = "not_grabbed";
// Not written today; `tlsweep report` accepts 1 and refuses other values, so
// a later record format can announce itself.
inline constexpr std::string_view kRecordVersion = "tlsweep_record_version";
// Why an open port was not grabbed (the value of kNotGrabbed).
inline constexpr std::string_view kNotGrabbedQueueFull = "queue-full";
inline constexpr std::string_view kNotGrabbedInterrupted = "interrupted";

// data.<module>
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kProtocol = "protocol";
inline constexpr std::string_view kTimestamp = "timestamp";
inline constexpr std::string_view kPhase = "phase";
inline constexpr std::string_view kResult = "result";
inline constexpr std::string_view kError = "error";

// data.<module>.result: every module.
inline constexpr std::string_view kImplicitTls = "implicit_tls";
inline constexpr std::string_view kBanner = "banner";
inline constexpr std::string_view kBeforeTls = "before_tls";
inline constexpr std::string_view kAfterTls = "after_tls";
inline constexpr std::string_view kCapabilities = "capabilities";
inline constexpr std::string_view kAuthMechanisms = "auth_mechanisms";
inline constexpr std::string_view kLoginDisabled = "login_disabled";
inline constexpr std::string_view kPlaintextAuthBeforeTls = "plaintext_auth_before_tls";
inline constexpr std::string_view kStartTls = "starttls";
inline constexpr std::string_view kOffered = "offered";
inline constexpr std::string_view kAttempted = "attempted";
inline constexpr std::string_view kAccepted = "accepted";
inline constexpr std::string_view kReply = "reply";
inline constexpr std::string_view kPlaintextBytesAfterGoAhead = "plaintext_bytes_after_go_ahead";
inline constexpr std::string_view kTls = "tls";
// ... per protocol.
inline constexpr std::string_view kEhlo = "ehlo";                        // SMTP
inline constexpr std::string_view kEhloAfterTls = "ehlo_after_tls";      // SMTP
inline constexpr std::string_view kBye = "bye";                          // IMAP
inline constexpr std::string_view kCapaError = "capa_error";             // POP3
inline constexpr std::string_view kStream = "stream";                    // XMPP
inline constexpr std::string_view kStreamId = "id";                      // XMPP
inline constexpr std::string_view kStreamFrom = "from";                  // XMPP
inline constexpr std::string_view kStreamVersion = "version";            // XMPP
inline constexpr std::string_view kServerToServer = "server_to_server";  // XMPP
inline constexpr std::string_view kStartTlsRequired = "starttls_required";  // XMPP
inline constexpr std::string_view kStreamError = "stream_error";         // XMPP
inline constexpr std::string_view kCapSupported = "cap_supported";       // IRC
inline constexpr std::string_view kTlsCap = "tls_cap";                   // IRC

// data.<module>.result.tls (ZGrab2's tls module's names).
inline constexpr std::string_view kHandshakeLog = "handshake_log";
inline constexpr std::string_view kProfile = "profile";
inline constexpr std::string_view kHandshakeComplete = "handshake_complete";
inline constexpr std::string_view kAlert = "alert";
inline constexpr std::string_view kDirection = "direction";
inline constexpr std::string_view kLevel = "level";
inline constexpr std::string_view kDescription = "description";
inline constexpr std::string_view kValue = "value";
inline constexpr std::string_view kServerHello = "server_hello";
inline constexpr std::string_view kVersion = "version";
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kCipherSuite = "cipher_suite";
inline constexpr std::string_view kOpensslName = "openssl_name";
inline constexpr std::string_view kHex = "hex";
inline constexpr std::string_view kKeyExchange = "key_exchange";
inline constexpr std::string_view kKind = "kind";
inline constexpr std::string_view kGroup = "group";
inline constexpr std::string_view kDhPrimeBits = "dh_prime_bits";
inline constexpr std::string_view kDhPrimeSha256 = "dh_prime_sha256";  // raw probes
inline constexpr std::string_view kDhPrimeName = "dh_prime_name";      // raw probes
inline constexpr std::string_view kRsaExportBits = "rsa_export_bits";  // raw probes
inline constexpr std::string_view kForwardSecrecy = "forward_secrecy";
inline constexpr std::string_view kCipherClass = "cipher_class";
inline constexpr std::string_view kServerSignatureAlgorithm = "server_signature_algorithm";
inline constexpr std::string_view kType = "type";
inline constexpr std::string_view kHash = "hash";
inline constexpr std::string_view kSessionTicket = "session_ticket";
inline constexpr std::string_view kOcspStapled = "ocsp_stapled";
inline constexpr std::string_view kServerCertificates = "server_certificates";
inline constexpr std::string_view kChain = "chain";
inline constexpr std::string_view kValidation = "validation";
// data.<module>.result.raw_probes[]: one raw ClientHello probe each
// (grab/raw_probe.h), with kProfile, kStatus, kPhase, kHandshakeLog (its
// server_certificates hold a chain and no validation), kAlert and kError.
inline constexpr std::string_view kRawProbes = "raw_probes";
// data.<module>.result.enumeration (grab/enumeration.h): kVersions, each
// with kVersion, kAccepted, kComplete, kServerOrder and kSuites (kHex,
// kName, kCipherClass); kConnections, kMilliseconds, kTruncated, kStopped,
// kError.
inline constexpr std::string_view kEnumeration = "enumeration";
inline constexpr std::string_view kVersions = "versions";
inline constexpr std::string_view kComplete = "complete";
inline constexpr std::string_view kServerOrder = "server_order";
inline constexpr std::string_view kSuites = "suites";
inline constexpr std::string_view kConnections = "connections";
inline constexpr std::string_view kMilliseconds = "milliseconds";
inline constexpr std::string_view kTruncated = "truncated";
inline constexpr std::string_view kStopped = "stopped";
inline constexpr std::string_view kFlight = "flight";
inline constexpr std::string_view kFlightBytes = "flight_bytes";
// ... one certificate of the chain.
inline constexpr std::string_view kRaw = "raw";
inline constexpr std::string_view kParsed = "parsed";
inline constexpr std::string_view kSerialNumber = "serial_number";
inline constexpr std::string_view kSubject = "subject";
inline constexpr std::string_view kSubjectDn = "subject_dn";
inline constexpr std::string_view kIssuer = "issuer";
inline constexpr std::string_view kIssuerDn = "issuer_dn";
inline constexpr std::string_view kValidity = "validity";
inline constexpr std::string_view kStart = "start";
inline constexpr std::string_view kEnd = "end";
inline constexpr std::string_view kLength = "length";
inline constexpr std::string_view kSubjectKeyInfo = "subject_key_info";
inline constexpr std::string_view kFingerprintSha256 = "fingerprint_sha256";
inline constexpr std::string_view kKeyAlgorithm = "key_algorithm";
inline constexpr std::string_view kKeyBits = "key_bits";
inline constexpr std::string_view kCurve = "curve";
inline constexpr std::string_view kSignatureAlgorithm = "signature_algorithm";
inline constexpr std::string_view kOid = "oid";
inline constexpr std::string_view kSubjectAltName = "subject_alt_name";
inline constexpr std::string_view kDnsNames = "dns_names";
inline constexpr std::string_view kIpAddresses = "ip_addresses";
inline constexpr std::string_view kEmailAddresses = "email_addresses";
inline constexpr std::string_view kUris = "uniform_resource_identifiers";
inline constexpr std::string_view kIsCa = "is_ca";
// ... the leaf's validation.
inline constexpr std::string_view kVerifyResult = "verify_result";
inline constexpr std::string_view kVerifyError = "verify_error";
inline constexpr std::string_view kBrowserTrusted = "browser_trusted";
inline constexpr std::string_view kSelfSigned = "self_signed";
inline constexpr std::string_view kExpired = "expired";
inline constexpr std::string_view kNotYetValid = "not_yet_valid";
inline constexpr std::string_view kNameMatches = "name_matches";

// The passive record (docs/schema/passive_record.schema.json): one per
// observed connection. Where a field means what it means in the grab
// record it has its name and place (kIp, kPort, kProtocol, kTimestamp,
// kResult with kImplicitTls, kBanner, kBeforeTls, kPlaintextAuthBeforeTls,
// kStartTls {kOffered, kAttempted, kAccepted, kReply}, the XMPP extras,
// kTls {kHandshakeLog as a raw probe's, kAlert}); "attempted" is then the
// observed client's attempt, as it is the grabber's in a grab record.
inline constexpr std::string_view kClientIp = "client_ip";
inline constexpr std::string_view kClientPort = "client_port";
inline constexpr std::string_view kEndTimestamp = "end_timestamp";
inline constexpr std::string_view kFlowEnd = "flow_end";
inline constexpr std::string_view kSynSeen = "syn_seen";
inline constexpr std::string_view kStreams = "streams";
inline constexpr std::string_view kClient = "client";
inline constexpr std::string_view kServer = "server";
inline constexpr std::string_view kBytes = "bytes";
inline constexpr std::string_view kSegments = "segments";
inline constexpr std::string_view kRetransmitted = "retransmitted";
inline constexpr std::string_view kOutOfOrder = "out_of_order";
inline constexpr std::string_view kOverlapsDiffering = "overlaps_differing";
inline constexpr std::string_view kGaps = "gaps";
inline constexpr std::string_view kGapBytes = "gap_bytes";
inline constexpr std::string_view kGapInDialogue = "gap_in_dialogue";
inline constexpr std::string_view kAuth = "auth";
inline constexpr std::string_view kMethod = "method";
inline constexpr std::string_view kMechanism = "mechanism";
inline constexpr std::string_view kPlaintextCredentials = "plaintext_credentials";
inline constexpr std::string_view kSucceeded = "succeeded";
inline constexpr std::string_view kTlsStarted = "tls_started";
inline constexpr std::string_view kPickedUpMidstream = "picked_up_midstream";
inline constexpr std::string_view kMidstreamPickup = "midstream_pickup";
inline constexpr std::string_view kClientHello = "client_hello";
inline constexpr std::string_view kParse = "parse";
inline constexpr std::string_view kRecordVersionField = "record_version";
inline constexpr std::string_view kCipherSuites = "cipher_suites";
inline constexpr std::string_view kExtensions = "extensions";
inline constexpr std::string_view kSupportedVersions = "supported_versions";
inline constexpr std::string_view kGroups = "groups";
inline constexpr std::string_view kPointFormats = "point_formats";
inline constexpr std::string_view kSignatureAlgorithms = "signature_algorithms";
inline constexpr std::string_view kServerName = "server_name";
inline constexpr std::string_view kSessionId = "session_id";
inline constexpr std::string_view kJa3 = "ja3";
inline constexpr std::string_view kJa3Md5 = "ja3_md5";
inline constexpr std::string_view kJa4 = "ja4";
inline constexpr std::string_view kJa4Raw = "ja4_r";
inline constexpr std::string_view kServerFlight = "server_flight";
inline constexpr std::string_view kCertificateCount = "certificate_count";
inline constexpr std::string_view kGapBeforeHandshake = "gap_before_handshake";
inline constexpr std::string_view kResumption = "resumption";
inline constexpr std::string_view kSessionIdOffered = "session_id_offered";
inline constexpr std::string_view kTicketOffered = "ticket_offered";
inline constexpr std::string_view kPskOffered = "psk_offered";
inline constexpr std::string_view kSessionIdEchoed = "session_id_echoed";
inline constexpr std::string_view kAbbreviatedHandshake = "abbreviated_handshake";
inline constexpr std::string_view kPskSelected = "psk_selected";
inline constexpr std::string_view kResumed = "resumed";

}  // namespace tlsweep::field

#endif  // TLSWEEP_OUTPUT_RECORD_FIELDS_H_
