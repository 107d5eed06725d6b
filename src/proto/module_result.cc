// See module_result.h.
#include "proto/module_result.h"

#include <utility>

#include "proto/text.h"

namespace tlsweep {

std::string_view GrabStatusName(GrabStatus status) {
  switch (status) {
    case GrabStatus::kSuccess:
      return "success";
    case GrabStatus::kConnectionRefused:
      return "connection-refused";
    case GrabStatus::kConnectionTimeout:
      return "connection-timeout";
    case GrabStatus::kConnectionClosed:
      return "connection-closed";
    case GrabStatus::kIoTimeout:
      return "io-timeout";
    case GrabStatus::kProtocolError:
      return "protocol-error";
    case GrabStatus::kApplicationError:
      return "application-error";
    case GrabStatus::kServerBusy:
      return "server-busy";
    case GrabStatus::kStartTlsRefused:
      return "starttls-refused";
    case GrabStatus::kNoStartTls:
      return "no-starttls";
    case GrabStatus::kTlsError:
      return "tls-error";
    case GrabStatus::kTooMuchData:
      return "too-much-data";
    case GrabStatus::kUnknownError:
      return "unknown-error";
  }
  return "unknown-error";
}

void CapabilitySet::AddMechanism(std::string_view mech) {
  std::string upper = proto_text::AsciiUpper(mech);
  if (upper.empty() || HasMechanism(upper)) return;
  mechanisms.push_back(std::move(upper));
}

bool CapabilitySet::HasMechanism(std::string_view mech) const {
  for (const std::string& m : mechanisms) {
    if (proto_text::EqualsIgnoreCase(m, mech)) return true;
  }
  return false;
}

bool CapabilitySet::OffersPlaintextMechanism() const {
  return HasMechanism("PLAIN") || HasMechanism("LOGIN");
}

}  // namespace tlsweep
