#include "app/grab_flags.h"

#include "absl/strings/str_cat.h"
#include "app/flag_parsing.h"
#include "common/status_macros.h"

namespace tlsweep {
namespace {

enum Long {
  kModule = kFirstGrabFlag, kConcurrency, kConnectRate, kPerHost, kConnectTimeout, kTimeout,
  kSessionTimeout, kTlsProfile, kCaFile, kServerName, kNames, kXmppDomain, kEhloName,
};

const option kGrabOptions[] = {
    {"module", required_argument, nullptr, kModule},
    {"concurrency", required_argument, nullptr, kConcurrency},
    {"connect-rate", required_argument, nullptr, kConnectRate},
    {"per-host", required_argument, nullptr, kPerHost},
    {"connect-timeout", required_argument, nullptr, kConnectTimeout},
    {"timeout", required_argument, nullptr, kTimeout},
    {"session-timeout", required_argument, nullptr, kSessionTimeout},
    {"tls-profile", required_argument, nullptr, kTlsProfile},
    {"ca-file", required_argument, nullptr, kCaFile},
    {"server-name", required_argument, nullptr, kServerName},
    {"names", required_argument, nullptr, kNames},
    {"xmpp-domain", required_argument, nullptr, kXmppDomain},
    {"ehlo-name", required_argument, nullptr, kEhloName},
};

absl::StatusOr<uint64_t> Seconds(const std::string& flag, const std::string& value) {
  TLSWEEP_ASSIGN_OR_RETURN(uint64_t s, ParseFlagNumber<uint64_t>(flag, value, 1, 3600));
  return s * 1000;
}

}  // namespace

std::span<const option> GrabLongOptions() { return kGrabOptions; }

absl::Status ApplyGrabFlag(int opt, const std::string& flag, const std::string& value,
                           GrabFlags* flags) {
  GrabOptions& o = flags->options;
  switch (opt) {
    case kModule:
      if (absl::Status s = o.ports.ApplyOverride(value); !s.ok()) return FlagError(flag, s);
      return absl::OkStatus();
    case kConcurrency: {
      TLSWEEP_ASSIGN_OR_RETURN(o.concurrency, ParseFlagNumber<uint64_t>(flag, value, 1, 1000000));
      return absl::OkStatus();
    }
    case kConnectRate: {
      TLSWEEP_ASSIGN_OR_RETURN(o.connect_rate, ParseFlagNumber<uint64_t>(flag, value, 0, 10000000));
      return absl::OkStatus();
    }
    case kPerHost: {
      TLSWEEP_ASSIGN_OR_RETURN(o.per_host, ParseFlagNumber<uint64_t>(flag, value, 1, 65535));
      return absl::OkStatus();
    }
    case kConnectTimeout: {
      TLSWEEP_ASSIGN_OR_RETURN(o.timeouts.connect_ms, Seconds(flag, value));
      return absl::OkStatus();
    }
    case kTimeout: {
      TLSWEEP_ASSIGN_OR_RETURN(o.timeouts.phase_ms, Seconds(flag, value));
      return absl::OkStatus();
    }
    case kSessionTimeout: {
      TLSWEEP_ASSIGN_OR_RETURN(o.timeouts.session_ms, Seconds(flag, value));
      return absl::OkStatus();
    }
    case kTlsProfile: {
      auto p = ParseTlsProfile(value);
      if (!p.ok()) return FlagError(flag, p.status());
      flags->profile = *p;
      return absl::OkStatus();
    }
    case kCaFile: flags->ca_file = value; return absl::OkStatus();
    case kServerName: o.server_name = value; return absl::OkStatus();
    case kNames: {
      auto names = ReadServerNames(value);
      if (!names.ok()) return FlagError(flag, names.status());
      o.names = *std::move(names);
      flags->names_file = value;
      return absl::OkStatus();
    }
    case kXmppDomain: o.module_options.xmpp_domain = value; return absl::OkStatus();
    case kEhloName: o.module_options.ehlo_name = value; return absl::OkStatus();
    default: return absl::InternalError(absl::StrCat("unhandled flag ", flag));
  }
}

const char* GrabFlagsUsage() {
  return R"(      --module=PORT=NAME   run module NAME on PORT (repeatable); modules:
                           smtp submission smtps imap imaps pop3 pop3s xmpp
                           xmpp-server xmpps irc ircs
      --concurrency=N      grabs in flight (default 1000)
      --connect-rate=N     new connections per second (default: no limit)
      --per-host=N         grabs in flight per address (default 4)
      --connect-timeout=S  (default 10)   --timeout=S  per phase (default 10)
      --session-timeout=S  whole grab (default 30)
      --tls-profile=P      modern (default) or legacy
      --ca-file=FILE       root store (default: the system's)
      --names=FILE         "address,name" lines (ZGrab2's input works): SNI,
                           name check and XMPP to= for that address's targets
                           when their input names none
      --server-name=NAME   the same for targets named nowhere else
      --xmpp-domain=NAME   XMPP stream to= (default: server name, then the IP)
      --ehlo-name=NAME     SMTP EHLO argument (default tlsweep.invalid)
)";
}

nlohmann::json GrabFlagsMetadata(const GrabFlags& flags) {
  const GrabOptions& o = flags.options;
  return {{"tls_profile", std::string(TlsProfileName(flags.profile))},
          {"ca_file", flags.ca_file.empty() ? "system" : flags.ca_file},
          {"server_name", o.server_name},
          {"names", {{"file", flags.names_file}, {"addresses", o.names.size()}}},
          {"concurrency", o.concurrency},
          {"connect_rate", o.connect_rate},
          {"per_host", o.per_host},
          {"timeouts_ms", {{"connect", o.timeouts.connect_ms},
                           {"phase", o.timeouts.phase_ms},
                           {"session", o.timeouts.session_ms}}}};
}

}  // namespace tlsweep
