#include "scan/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/byte_order.h"
#include "validate/siphash.h"

namespace tlsweep {
namespace {

constexpr uint8_t kMagic[4] = {'T', 'S', 'J', '1'};
constexpr size_t kCheckedBytes = 40;  // the check covers bytes [0, 40)
// Any fixed key: the check only tells a whole entry from a torn or zeroed one.
constexpr SipKey kCheckKey = {0x74736a3163686563ull, 0x6a6f75726e616cull};
constexpr uint8_t kHasMss = 1, kHasWscale = 2, kSackPermitted = 4, kHasTimestamps = 8;
// Reading the tail: 1,365 entries per read(2).
constexpr size_t kReadChunk = 1365 * kJournalEntryBytes;

void StoreBe64(uint8_t* p, uint64_t v) {
  StoreBe32(p, static_cast<uint32_t>(v >> 32));
  StoreBe32(p + 4, static_cast<uint32_t>(v));
}
uint64_t LoadBe64(const uint8_t* p) {
  return uint64_t{LoadBe32(p)} << 32 | LoadBe32(p + 4);
}

}  // namespace

void EncodeJournalEntry(const ScanResult& r, uint8_t* out) {
  const ScanResponse& s = r.response;
  const TcpOptionsSeen& o = s.options;
  std::memcpy(out, kMagic, sizeof(kMagic));
  StoreBe32(out + 4, s.target.value());
  StoreBe32(out + 8, s.saddr.value());
  StoreBe16(out + 12, s.port);
  StoreBe16(out + 14, s.sport);
  StoreBe16(out + 16, s.window);
  StoreBe16(out + 18, o.mss);
  out[20] = s.ttl;
  out[21] = o.wscale;
  out[22] = static_cast<uint8_t>((o.has_mss ? kHasMss : 0) | (o.has_wscale ? kHasWscale : 0) |
                                 (o.sack_permitted ? kSackPermitted : 0) |
                                 (o.has_timestamps ? kHasTimestamps : 0));
  out[23] = 0;
  StoreBe32(out + 24, o.ts_val);
  StoreBe32(out + 28, o.ts_ecr);
  StoreBe64(out + 32, r.timestamp_ns);
  StoreBe64(out + kCheckedBytes, SipHash24(kCheckKey, out, kCheckedBytes));
}

std::optional<ScanResult> DecodeJournalEntry(const uint8_t* in) {
  if (std::memcmp(in, kMagic, sizeof(kMagic)) != 0 || in[23] != 0 || in[22] > 15 ||
      LoadBe64(in + kCheckedBytes) != SipHash24(kCheckKey, in, kCheckedBytes)) {
    return std::nullopt;
  }
  ScanResult r;
  ScanResponse& s = r.response;
  s.target = Ipv4Address(LoadBe32(in + 4));
  s.saddr = Ipv4Address(LoadBe32(in + 8));
  s.port = LoadBe16(in + 12);
  s.sport = LoadBe16(in + 14);
  s.classification = Classification::kSynAck;
  s.success = true;
  s.window = LoadBe16(in + 16);
  s.options.mss = LoadBe16(in + 18);
  s.ttl = in[20];
  s.options.wscale = in[21];
  s.options.has_mss = (in[22] & kHasMss) != 0;
  s.options.has_wscale = (in[22] & kHasWscale) != 0;
  s.options.sack_permitted = (in[22] & kSackPermitted) != 0;
  s.options.has_timestamps = (in[22] & kHasTimestamps) != 0;
  s.options.ts_val = LoadBe32(in + 24);
  s.options.ts_ecr = LoadBe32(in + 28);
  r.timestamp_ns = LoadBe64(in + 32);
  return r;
}

absl::StatusOr<JournalWriter> JournalWriter::Open(const std::string& path, bool append) {
  const int fd = ::open(path.c_str(),
                        O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open the journal ", path, ": ", std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int saved = errno;
    ::close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot stat the journal ", path, ": ", std::strerror(saved)));
  }
  return JournalWriter(path, fd, static_cast<uint64_t>(st.st_size));
}

JournalWriter::JournalWriter(JournalWriter&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      bytes_(other.bytes_),
      entries_(other.entries_),
      writes_(other.writes_),
      error_(std::move(other.error_)) {}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

bool JournalWriter::Append(const uint8_t* data, size_t entries) {
  if (failed()) return false;
  const size_t len = entries * kJournalEntryBytes;
  size_t done = 0;
  while (done < len) {
    ++writes_;
    const ssize_t n = ::write(fd_, data + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A short entry stays behind: the reader stops there, and bytes()
      // (which the checkpoints record) counts only whole entries.
      error_ = absl::StrCat("cannot write the journal ", path_, ": ",
                            n < 0 ? std::strerror(errno) : "no progress");
      return false;
    }
    done += static_cast<size_t>(n);
  }
  bytes_ += len;
  entries_ += entries;
  return true;
}

absl::StatusOr<JournalTail> ReadJournalTail(const std::string& path, uint64_t from) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot open the journal ", path, ": ", std::strerror(errno)));
  }
  JournalTail tail;
  std::vector<uint8_t> buffer(kReadChunk);
  size_t held = 0;  // bytes of `buffer` not yet decoded
  uint64_t offset = from;
  bool damaged = false;
  while (!damaged) {
    const ssize_t n = ::pread(fd, buffer.data() + held, buffer.size() - held,
                              static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      return absl::UnavailableError(
          absl::StrCat("cannot read the journal ", path, ": ", std::strerror(saved)));
    }
    if (n == 0) break;
    offset += static_cast<uint64_t>(n);
    held += static_cast<size_t>(n);
    size_t used = 0;
    for (; held - used >= kJournalEntryBytes; used += kJournalEntryBytes) {
      std::optional<ScanResult> r = DecodeJournalEntry(buffer.data() + used);
      if (!r) {
        damaged = true;
        break;
      }
      tail.entries.push_back(*r);
    }
    if (damaged) {
      tail.damaged_bytes = held - used;
      break;
    }
    std::memmove(buffer.data(), buffer.data() + used, held - used);
    held -= used;
  }
  if (!damaged) tail.damaged_bytes = held;  // a torn last entry
  if (damaged) {
    // Count what follows the damaged entry too: all of it was not read.
    struct stat st;
    if (::fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) > offset) {
      tail.damaged_bytes += static_cast<uint64_t>(st.st_size) - offset;
    }
  }
  ::close(fd);
  return tail;
}

}  // namespace tlsweep
