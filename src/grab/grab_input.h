// The host lists `tlsweep grab` reads: one target per line, in the formats
// other scanners and tlsweep itself write, so their output pipes straight in.
//
//   192.0.2.1                 a bare address: every port given with -p
//   192.0.2.1,25  192.0.2.1:25
//   192.0.2.1,mx.example,,25  ZGrab2's input (ip, domain, tag, port): the
//                             domain becomes the target's server name (SNI,
//                             certificate name check, XMPP to=)
//   CSV with a header naming saddr (and sport, success): ZMap's and
//                             `tlsweep scan -O csv`; rows with success 0 skipped
//   {"saddr": ..., "sport": ...}  `tlsweep scan -O json` (also "ip"/"port");
//                             answers with "success": false skipped
// Blank lines and '#' comments are skipped. Anything else is an error naming
// the offending text; the caller reports it with the line number and goes on.
#ifndef TLSWEEP_GRAB_GRAB_INPUT_H_
#define TLSWEEP_GRAB_GRAB_INPUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/net_types.h"

namespace tlsweep {

struct GrabTarget {
  Ipv4Address ip;
  uint16_t port = 0;
  std::string name;  // server name from the input, "" if none
  friend bool operator==(const GrabTarget&, const GrabTarget&) = default;
};

class GrabInputParser {
 public:
  // `default_ports`: the ports for lines that carry only an address.
  explicit GrabInputParser(std::vector<uint16_t> default_ports)
      : default_ports_(std::move(default_ports)) {}

  // The targets on one line (none for blank, comment and header lines).
  absl::StatusOr<std::vector<GrabTarget>> ParseLine(std::string_view line);

 private:
  absl::StatusOr<std::vector<GrabTarget>> ForAddress(std::string_view ip,
                                                     std::string_view port,
                                                     std::string_view name = {});

  std::vector<uint16_t> default_ports_;
  // From a CSV header: the columns of saddr, sport and success (-1: none).
  int saddr_column_ = -1;
  int sport_column_ = -1;
  int success_column_ = -1;
};

// Server names by address (`--names FILE`), for targets whose input names
// none: `tlsweep run`'s scan answers, bare address lists. One
// "address,name" per line, ZGrab2's first two input columns, so its input
// files serve as they are (further columns are ignored); blank lines and '#'
// comments are skipped. A bad address, an empty name or an address named
// twice differently is an error naming FILE:LINE.
using ServerNames = absl::flat_hash_map<uint32_t, std::string>;
absl::StatusOr<ServerNames> ReadServerNames(const std::string& path);

}  // namespace tlsweep

#endif  // TLSWEEP_GRAB_GRAB_INPUT_H_
