// The open-port journal: every new open port (SYN-ACK) a checkpointed scan
// or run finds, appended to a file beside the checkpoint with write(2) as
// the receive loop takes it, so that a kill -9 loses none of them.
//
// Why: a checkpoint (scan/resume.h) covers the open ports found before it;
// one found after it has its record cut back on --resume and was found
// again only if its server answered the re-sent probe. A busy server (full
// listen queue, e.g. still holding the killed run's abandoned grab
// connections) often does not: bench/RESULTS.md 12.run12 lost 38 and 17 such
// ports in two of ten kill -9 rounds. With the journal, --resume reads the
// entries past the checkpoint's journal offset and grabs (run) or writes
// (scan) those ports again, exactly once: they go into the duplicate filter
// before the resumed scan starts, so its own answers to the re-sent probes
// are repeats.
//
// Durability: each write(2) is in the page cache when it returns, and a
// killed process's page cache survives it, so a crash of tlsweep (kill -9,
// OOM killer, a fault) loses no entry that was written. Nothing fsyncs the
// journal: the entries before a checkpoint's offset are never read (the
// checkpoint, fsync'ed, covers those ports itself), and the tail past it
// exists only to bridge one checkpoint interval. After a power cut the tail
// may be short or hold zeros; the reader stops at the first entry that
// fails its check, and the ports it loses depend on the re-sent probes, as
// they did before the journal.
//
// Cost and risk on the receive thread: one write(2) per RX burst that
// holds new open ports (about 0.5 us of CPU, bench/journal_benchmark). A
// write(2) can wait in the file system: it updates the file's mtime, which
// on ext4 starts a jbd2 handle that waits while a commit (one the
// checkpoint's fsync forced, say) is locked: bench/RESULTS.md 13.journal12
// measured up to 0.2 ms beside 4 MiB fsyncs and 9.5 ms beside 64 MiB ones.
// If that matters, the append moves to a thread of its own, and the
// entries in its queue at a kill are lost as those in the RX ring are.
//
// Format: fixed 48-byte entries, big-endian, no file header (a checkpoint
// names the file and the byte offset its tail starts at; a resumed run
// appends to the same file, so offsets stay valid across resumes):
//   0 magic "TSJ1" | 4 target | 8 saddr | 12 port | 14 sport | 16 window |
//   18 mss | 20 ttl | 21 wscale | 22 option flags | 23 zero |
//   24 ts_val | 28 ts_ecr | 32 timestamp_ns (8) | 40 check (8)
// where check is SipHash-2-4 of bytes [0, 40) under a fixed key: a checksum
// against torn and zeroed entries, not an authenticator.
#ifndef TLSWEEP_SCAN_JOURNAL_H_
#define TLSWEEP_SCAN_JOURNAL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scan/response_handler.h"

namespace tlsweep {

inline constexpr size_t kJournalEntryBytes = 48;

// Writes the entry for the open port `r` (a SYN-ACK answer) to `out`.
void EncodeJournalEntry(const ScanResult& r, uint8_t* out);
// The open port of a 48-byte entry, or nullopt for a damaged one (magic,
// check, reserved byte or option flags wrong).
std::optional<ScanResult> DecodeJournalEntry(const uint8_t* in);

// The writing end, owned by the receive loop (one thread).
class JournalWriter {
 public:
  // Creates `path`, or with `append` opens it to append (a run resumed from
  // a checkpoint whose journal this is). Errors name the file.
  static absl::StatusOr<JournalWriter> Open(const std::string& path, bool append);
  JournalWriter(JournalWriter&& other) noexcept;
  JournalWriter& operator=(JournalWriter&&) = delete;
  ~JournalWriter();

  // Appends `entries` encoded entries with one write(2) (the receive loop
  // calls it once per RX burst that holds new open ports). Returns false
  // once a write has failed: the journal then stops (the first error is
  // kept in error()) and the run goes on without it.
  bool Append(const uint8_t* data, size_t entries);

  const std::string& path() const { return path_; }
  // The journal's length: where an entry appended next starts.
  uint64_t bytes() const { return bytes_; }
  uint64_t entries() const { return entries_; }
  uint64_t writes() const { return writes_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  JournalWriter(std::string path, int fd, uint64_t bytes)
      : path_(std::move(path)), fd_(fd), bytes_(bytes) {}

  std::string path_;
  int fd_ = -1;
  uint64_t bytes_ = 0;
  uint64_t entries_ = 0;
  uint64_t writes_ = 0;
  std::string error_;
};

// The entries of a journal from byte `from` to its end.
struct JournalTail {
  std::vector<ScanResult> entries;
  // Bytes from `from` that were not whole, valid entries (a torn last
  // entry, zeros after a power cut): reading stopped at the first.
  uint64_t damaged_bytes = 0;
};

// Reads the tail of the journal at `path` from byte `from`. A journal
// shorter than `from` has an empty tail (a power cut took entries the
// checkpoint covers anyway). Memory: one ScanResult per entry read (the
// open ports found since the checkpoint was taken). Errors: the file cannot
// be opened or read.
absl::StatusOr<JournalTail> ReadJournalTail(const std::string& path, uint64_t from);

}  // namespace tlsweep

#endif  // TLSWEEP_SCAN_JOURNAL_H_
