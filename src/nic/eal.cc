#include "nic/eal.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tlsweep {

absl::StatusOr<std::vector<std::string>> ReadEalConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("--dpdk-config: cannot open ", path,
                                            ": ", std::strerror(errno)));
  }
  std::vector<std::string> args;
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream tokens(line);
    std::string token;
    while (tokens >> token) args.push_back(token);
  }
  if (args.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--dpdk-config: ", path, " holds no EAL arguments"));
  }
  return args;
}

std::vector<std::string> AfPacketEalArgs(const std::string& iface, int queues) {
  // 512 MiB of ordinary memory is ample for the mempools sized in port.cc;
  // --no-shconf keeps no shared runtime files, so runs never collide on
  // them (--in-memory is refused together with --no-huge).
  return {"--no-huge",
          "-m",
          "512",
          "--no-shconf",
          "--no-pci",
          "--log-level=lib.eal:error",
          absl::StrCat("--vdev=net_af_packet0,iface=", iface,
                       ",qpairs=", queues, ",qdisc_bypass=1,framecnt=", kAfPacketFrames)};
}

absl::Status StartEal(const std::vector<std::string>& args) {
  std::vector<std::string> storage = {"tlsweep"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(storage.size()), argv.data()) < 0) {
    const int err = rte_errno;
    std::string hint;
    switch (err) {
      case EACCES:
        hint = "no usable hugepages or no permission: reserve hugepages and mount "
               "hugetlbfs (see README), run as root, or use --no-huge";
        break;
      case EALREADY:
        hint = "another DPDK process uses the same --file-prefix, or the EAL was "
               "already started; use --in-memory or a unique --file-prefix";
        break;
      case ENOMEM:
        hint = "not enough memory for the EAL: raise -m or reserve more hugepages";
        break;
      default:
        hint = "see the EAL messages above";
        break;
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "rte_eal_init(", absl::StrJoin(args, " "), "): ", rte_strerror(err),
        ": ", hint));
  }
  if (rte_eth_dev_count_avail() == 0) {
    rte_eal_cleanup();
    return absl::NotFoundError(absl::StrCat(
        "no DPDK port after rte_eal_init(", absl::StrJoin(args, " "),
        "): the --vdev or interface was not found or could not be opened "
        "(see the EAL messages above)"));
  }
  return absl::OkStatus();
}

uint32_t SpareLcores(uint16_t port_id, uint32_t used) {
  rte_eth_dev_info info;
  if (rte_eth_dev_info_get(port_id, &info) != 0) return 0;
  const uint32_t lcores = rte_lcore_count();
  const uint32_t queues = std::min<uint32_t>(info.max_rx_queues, info.max_tx_queues);
  const uint32_t spare_lcores = lcores > used ? lcores - used : 0;
  const uint32_t spare_queues = queues > used ? queues - used : 0;
  return std::min(spare_lcores, spare_queues);
}

void StopEal() { rte_eal_cleanup(); }

}  // namespace tlsweep
