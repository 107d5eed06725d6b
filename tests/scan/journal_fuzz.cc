// libFuzzer target: open-port journals (scan/journal.h), the file --resume
// reads past a checkpoint's offset. The first input byte picks the offset
// (in entries, so that both aligned and shifted reads are tried: byte 0 mod
// 53); the rest is the file. Whatever ReadJournalTail accepts must be an
// open port that encodes back to the very bytes it came from, and the
// entries plus the damaged bytes never exceed what was read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "scan/journal.h"
#include "testing/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tlsweep;
  if (size == 0) return 0;
  const uint64_t from = data[0] % 53;
  const uint8_t* file = data + 1;
  const size_t file_size = size - 1;
  auto tail = ReadJournalTail(testing::FuzzInputFile(file, file_size), from);
  if (!tail.ok()) std::abort();  // a readable file always has a tail
  const uint64_t past = file_size > from ? file_size - from : 0;
  if (tail->entries.size() * kJournalEntryBytes + tail->damaged_bytes != past) std::abort();
  for (size_t i = 0; i < tail->entries.size(); ++i) {
    const ScanResult& r = tail->entries[i];
    if (!r.response.success || r.repeat || r.response.classification != Classification::kSynAck) {
      std::abort();
    }
    uint8_t again[kJournalEntryBytes];
    EncodeJournalEntry(r, again);
    if (std::memcmp(again, file + from + i * kJournalEntryBytes, kJournalEntryBytes) != 0) {
      std::abort();
    }
  }
  return 0;
}
