// See pcap_source.h.
#include "passive/pcap_source.h"

#include <pcap/pcap.h>

#include "absl/strings/str_cat.h"

namespace tlsweep {

void PcapSource::Closer::operator()(pcap* p) const { pcap_close(p); }

absl::StatusOr<PcapSource> PcapSource::Open(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  // Nanosecond timestamps whatever the file holds: libpcap scales
  // microsecond files up, so one clock serves both.
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(),
                                                      PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) return absl::InvalidArgumentError(absl::StrCat(path, ": ", errbuf));
  std::unique_ptr<pcap, Closer> handle(p);
  if (pcap_datalink(p) != DLT_EN10MB) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": link type ", pcap_datalink_val_to_name(pcap_datalink(p)),
                     " is not Ethernet (only LINKTYPE_ETHERNET captures are read)"));
  }
  return PcapSource(std::move(handle));
}

bool PcapSource::Next(CapturedFrame* frame) {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_.get(), &header, &data);
  if (rc == 1) {
    frame->bytes = std::span<const uint8_t>(data, header->caplen);
    frame->wire_length = header->len;
    frame->timestamp_ns = static_cast<uint64_t>(header->ts.tv_sec) * 1'000'000'000ull +
                          static_cast<uint64_t>(header->ts.tv_usec);  // nanoseconds here
    return true;
  }
  if (rc == PCAP_ERROR) {
    truncated_ = true;
    error_ = pcap_geterr(handle_.get());
  }
  return false;
}

}  // namespace tlsweep
