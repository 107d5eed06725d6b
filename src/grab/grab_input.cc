#include "grab/grab_input.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace tlsweep {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> SplitCsv(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    out.push_back(Trim(line.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

absl::StatusOr<std::vector<GrabTarget>> GrabInputParser::ForAddress(std::string_view ip,
                                                                    std::string_view port,
                                                                    std::string_view name) {
  const auto address = Ipv4Address::Parse(ip);
  if (!address) {
    return absl::InvalidArgumentError(absl::StrCat("invalid address '", std::string(ip), "'"));
  }
  if (port.empty()) {
    if (default_ports_.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no port for ", std::string(ip), ": give -p for bare addresses"));
    }
    std::vector<GrabTarget> out;
    for (uint16_t p : default_ports_) out.push_back(GrabTarget{*address, p, std::string(name)});
    return out;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port '", std::string(port), "'"));
  }
  return std::vector<GrabTarget>{
      GrabTarget{*address, static_cast<uint16_t>(value), std::string(name)}};
}

absl::StatusOr<std::vector<GrabTarget>> GrabInputParser::ParseLine(std::string_view line) {
  line = Trim(line);
  if (line.empty() || line.front() == '#') return std::vector<GrabTarget>{};
  if (line.front() == '{') {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return absl::InvalidArgumentError("malformed JSON");
    }
    if (j.contains("success") && j["success"].is_boolean() && !j["success"].get<bool>()) {
      return std::vector<GrabTarget>{};
    }
    const char* ip_key = j.contains("saddr") ? "saddr" : "ip";
    const char* port_key = j.contains("sport") ? "sport" : "port";
    if (!j.contains(ip_key) || !j[ip_key].is_string()) {
      return absl::InvalidArgumentError("JSON without \"saddr\" or \"ip\"");
    }
    std::string port;
    if (j.contains(port_key) && j[port_key].is_number_unsigned()) {
      port = std::to_string(j[port_key].get<uint64_t>());
    }
    const std::string name =
        j.contains("domain") && j["domain"].is_string() ? j["domain"].get<std::string>() : "";
    return ForAddress(j[ip_key].get<std::string>(), port, name);
  }
  std::vector<std::string_view> fields = SplitCsv(line);
  if (fields.size() == 1 && line.find(':') != std::string_view::npos) {
    const size_t colon = line.rfind(':');
    return ForAddress(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  // A CSV header: remember where the columns are.
  if (!Ipv4Address::Parse(fields[0]) && fields.size() > 1) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == "saddr" || fields[i] == "ip") saddr_column_ = static_cast<int>(i);
      if (fields[i] == "sport" || fields[i] == "port") sport_column_ = static_cast<int>(i);
      if (fields[i] == "success") success_column_ = static_cast<int>(i);
    }
    if (saddr_column_ >= 0) return std::vector<GrabTarget>{};
  }
  if (saddr_column_ >= 0) {
    const auto column = [&](int i) {
      return i >= 0 && static_cast<size_t>(i) < fields.size() ? fields[static_cast<size_t>(i)]
                                                              : std::string_view();
    };
    if (column(success_column_) == "0") return std::vector<GrabTarget>{};
    return ForAddress(column(saddr_column_), column(sport_column_));
  }
  switch (fields.size()) {
    case 1: return ForAddress(fields[0], "");
    case 2: return ForAddress(fields[0], fields[1]);
    case 4: return ForAddress(fields[0], fields[3], fields[1]);  // ZGrab2: ip,domain,tag,port
    default:
      return absl::InvalidArgumentError(absl::StrCat("unrecognised line '", std::string(line), "'"));
  }
}

absl::StatusOr<ServerNames> ReadServerNames(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  ServerNames names;
  std::string line;
  for (uint64_t number = 1; std::getline(in, line); ++number) {
    const std::string_view text = Trim(std::string_view(line).substr(0, line.find('#')));
    if (text.empty()) continue;
    const std::vector<std::string_view> fields = SplitCsv(text);
    const std::string ip(fields[0]);
    const std::string name(fields.size() > 1 ? fields[1] : std::string_view());
    const auto error = [&](const std::string& why) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": ", why));
    };
    const auto address = Ipv4Address::Parse(ip);
    if (!address) return error(absl::StrCat("invalid address '", ip, "'"));
    if (name.empty()) return error(absl::StrCat("no name for ", ip));
    if (name.size() > 253 || name.find_first_of(" \t") != std::string::npos) {
      return error(absl::StrCat("invalid name '", name, "'"));
    }
    const auto [it, inserted] = names.try_emplace(address->value(), name);
    if (!inserted && it->second != name) {
      return error(absl::StrCat(ip, " is named both ", it->second, " and ", name));
    }
  }
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  return names;
}

}  // namespace tlsweep
