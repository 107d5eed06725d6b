#include "app/grab_flags.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "app/flag_parsing.h"
#include "common/status_macros.h"
#include "proto/registry.h"
#include "tls/tls_profiles.h"

namespace tlsweep {
namespace {

FlagSetter SetSeconds(uint64_t* ms) {
  return [ms](const std::string& flag, const std::string& value) -> absl::Status {
    TLSWEEP_ASSIGN_OR_RETURN(uint64_t s, ParseFlagNumber<uint64_t>(flag, value, 1, 3600));
    *ms = s * 1000;
    return absl::OkStatus();
  };
}

std::string Seconds(uint64_t ms) { return absl::StrCat(ms / 1000); }

// The registry's module names, space-separated.
std::string ModuleList() {
  std::string list;
  for (std::string_view name : ModuleNames()) {
    absl::StrAppend(&list, list.empty() ? "" : " ", std::string(name));
  }
  return list;
}

}  // namespace

FlagGroup GrabFlagGroup(GrabFlags* flags) {
  GrabOptions& o = flags->options;
  return {
      "Grab",
      {{.name = "module", .arg = "PORT=NAME",
        .help = absl::StrCat("run module NAME on PORT (repeatable); modules: ", ModuleList()),
        .set = [&o](const std::string& flag, const std::string& value) -> absl::Status {
          if (absl::Status s = o.ports.ApplyOverride(value); !s.ok()) return FlagError(flag, s);
          return absl::OkStatus();
        }},
       {.name = "concurrency", .arg = "N", .help = "grabs in flight",
        .default_value = absl::StrCat(o.concurrency),
        .set = SetNumber<size_t>(&o.concurrency, 1, 1000000)},
       {.name = "connect-rate", .arg = "N", .help = "new connections per second, 0 = no limit",
        .default_value = absl::StrCat(o.connect_rate),
        .set = SetNumber<uint64_t>(&o.connect_rate, 0, 10000000)},
       {.name = "per-host", .arg = "N", .help = "grabs in flight per address",
        .default_value = absl::StrCat(o.per_host),
        .set = SetNumber<size_t>(&o.per_host, 1, 65535)},
       {.name = "connect-timeout", .arg = "S", .help = "seconds to connect",
        .default_value = Seconds(o.timeouts.connect_ms),
        .set = SetSeconds(&o.timeouts.connect_ms)},
       {.name = "timeout", .arg = "S",
        .help = "seconds per phase (banner, each reply, the TLS handshake)",
        .default_value = Seconds(o.timeouts.phase_ms), .set = SetSeconds(&o.timeouts.phase_ms)},
       {.name = "session-timeout", .arg = "S", .help = "seconds for the whole grab",
        .default_value = Seconds(o.timeouts.session_ms),
        .set = SetSeconds(&o.timeouts.session_ms)},
       {.name = "tls-profile", .arg = "P", .help = "modern or legacy",
        .default_value = std::string(TlsProfileName(flags->profile)),
        .set = SetParsed(&flags->profile, ParseTlsProfile)},
       {.name = "raw-probes", .arg = "LIST",
        .help = "raw ClientHello profiles, comma-separated, one extra connection each per "
                "server that reached TLS (none: no probes)",
        .default_value = flags->raw_probes, .set = SetString(&flags->raw_probes)},
       {.name = "enumerate",
        .help = absl::StrCat(
            "per server that reached TLS: the versions (SSLv3 to TLS 1.3) and every IANA suite "
            "it accepts, and whether it imposes its order; one connection per offer, one at a "
            "time, after the raw probes: about 8 for a server with one suite at one version, "
            "about 40-160 for a modern one, at most --enumerate-budget"),
        .set = SetTrue(&o.enumeration.enabled)},
       {.name = "enumerate-budget", .arg = "N",
        .help = "connections per server (address and port) for --enumerate; a server that needs "
                "more is recorded as truncated",
        .default_value = absl::StrCat(o.enumeration.budget),
        .set = SetNumber<uint32_t>(&o.enumeration.budget, 1, 10000)},
       {.name = "enumerate-interval", .arg = "MS",
        .help = "least milliseconds between two --enumerate connections to one address",
        .default_value = absl::StrCat(o.enumeration.interval_ms),
        .set = SetNumber<uint64_t>(&o.enumeration.interval_ms, 0, 600000)},
       {.name = "tls-profiles", .arg = "FILE",
        .help = "the raw probes' profile file",
        .default_value = DefaultTlsProfilesPath(), .set = SetString(&flags->tls_profiles_file)},
       {.name = "ca-file", .arg = "FILE", .help = "root store (default: the system's)",
        .set = SetString(&flags->ca_file)},
       {.name = "names", .arg = "FILE",
        .help = "\"address,name\" lines (ZGrab2's input works): SNI, name check and XMPP to= "
                "for that address's targets when their input names none",
        .set = [flags](const std::string& flag, const std::string& value) -> absl::Status {
          auto names = ReadServerNames(value);
          if (!names.ok()) return FlagError(flag, names.status());
          flags->options.names = *std::move(names);
          flags->names_file = value;
          return absl::OkStatus();
        }},
       {.name = "server-name", .arg = "NAME", .help = "the same for targets named nowhere else",
        .set = SetString(&o.server_name)},
       {.name = "xmpp-domain", .arg = "NAME",
        .help = "XMPP stream to= (default: server name, then the IP)",
        .set = SetString(&o.module_options.xmpp_domain)},
       {.name = "ehlo-name", .arg = "NAME", .help = "SMTP EHLO argument",
        .default_value = o.module_options.ehlo_name,
        .set = SetString(&o.module_options.ehlo_name)}}};
}

absl::Status ResolveRawProbes(GrabFlags* flags) {
  std::vector<ClientHelloProfile>& probes = flags->options.raw_probes;
  probes.clear();
  if (flags->raw_probes == "none") return absl::OkStatus();
  const std::string path =
      flags->tls_profiles_file.empty() ? DefaultTlsProfilesPath() : flags->tls_profiles_file;
  absl::StatusOr<std::vector<ClientHelloProfile>> profiles = LoadTlsProfiles(path);
  if (!profiles.ok()) return FlagError("--tls-profiles", profiles.status());
  for (const std::string& name : std::vector<std::string>(absl::StrSplit(flags->raw_probes, ','))) {
    const ClientHelloProfile* profile = FindTlsProfile(*profiles, name);
    if (profile == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--raw-probes: no profile '", name, "' in ", path));
    }
    for (const ClientHelloProfile& p : probes) {
      if (p.name == name) {
        return absl::InvalidArgumentError(
            absl::StrCat("--raw-probes: profile '", name, "' named twice"));
      }
    }
    probes.push_back(*profile);
  }
  return absl::OkStatus();
}

}  // namespace tlsweep
