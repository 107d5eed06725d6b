// The open-port journal (scan/journal.h): entries read back as written,
// from any checkpoint offset; a torn, zeroed or altered entry ends the tail
// and is counted, never taken as a port; a resumed run appends.
#include "scan/journal.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/scan_result.h"

namespace tlsweep {
namespace {

ScanResult OpenPort(uint32_t target, uint16_t port) {
  return testing::SampleOpenPort(Ipv4Address(target), port);
}

// A journal entry comes back as the open port it was, a first sighting.
void ExpectSame(const ScanResult& a, const ScanResult& b) {
  testing::ExpectSameScanResult(a, b);
  EXPECT_EQ(a.response.classification, Classification::kSynAck);
  EXPECT_TRUE(a.response.success);
  EXPECT_FALSE(a.repeat);
}

std::string Path(const std::string& name) {
  return ::testing::TempDir() + "/" + name + "." + std::to_string(getpid());
}

// Appends `n` ports (targets first, first + 1, ...) in one write.
void AppendPorts(JournalWriter& journal, uint32_t first, size_t n) {
  std::vector<uint8_t> bytes(n * kJournalEntryBytes);
  for (size_t i = 0; i < n; ++i) {
    EncodeJournalEntry(OpenPort(first + static_cast<uint32_t>(i), 25),
                       bytes.data() + i * kJournalEntryBytes);
  }
  ASSERT_TRUE(journal.Append(bytes.data(), n));
}

TEST(JournalTest, EntryRoundTrip) {
  uint8_t entry[kJournalEntryBytes];
  const ScanResult r = OpenPort(0x0a010203, 993);
  EncodeJournalEntry(r, entry);
  const std::optional<ScanResult> back = DecodeJournalEntry(entry);
  ASSERT_TRUE(back.has_value());
  ExpectSame(*back, r);
}

// Any single byte changed (a torn or corrupted entry) is refused.
TEST(JournalTest, EveryAlteredByteIsRefused) {
  uint8_t entry[kJournalEntryBytes];
  EncodeJournalEntry(OpenPort(0x0a010203, 25), entry);
  for (size_t i = 0; i < kJournalEntryBytes; ++i) {
    uint8_t altered[kJournalEntryBytes];
    std::copy(entry, entry + kJournalEntryBytes, altered);
    altered[i] ^= 0x01;
    EXPECT_FALSE(DecodeJournalEntry(altered).has_value()) << "byte " << i;
  }
  const uint8_t zeros[kJournalEntryBytes] = {};
  EXPECT_FALSE(DecodeJournalEntry(zeros).has_value());
}

// The checkpoint's offset splits the journal: only the entries after it
// are read, in order; a resumed run appends after the end.
TEST(JournalTest, TailFromACheckpointOffsetAndAppendOnResume) {
  const std::string path = Path("journal_tail");
  absl::StatusOr<JournalWriter> journal = JournalWriter::Open(path, false);
  ASSERT_TRUE(journal.ok()) << journal.status();
  AppendPorts(*journal, 100, 3);
  const uint64_t checkpoint = journal->bytes();
  EXPECT_EQ(checkpoint, 3 * kJournalEntryBytes);
  AppendPorts(*journal, 200, 2);
  AppendPorts(*journal, 300, 1);
  EXPECT_EQ(journal->entries(), 6u);
  EXPECT_EQ(journal->writes(), 3u);

  absl::StatusOr<JournalTail> tail = ReadJournalTail(path, checkpoint);
  ASSERT_TRUE(tail.ok()) << tail.status();
  ASSERT_EQ(tail->entries.size(), 3u);
  EXPECT_EQ(tail->entries[0].response.target.value(), 200u);
  EXPECT_EQ(tail->entries[2].response.target.value(), 300u);
  EXPECT_EQ(tail->damaged_bytes, 0u);
  ExpectSame(tail->entries[1], OpenPort(201, 25));

  // Resumed: the same file, appended to; the old offset still reads the
  // old tail first.
  absl::StatusOr<JournalWriter> resumed = JournalWriter::Open(path, true);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->bytes(), 6 * kJournalEntryBytes);
  AppendPorts(*resumed, 400, 1);
  tail = ReadJournalTail(path, checkpoint);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->entries.size(), 4u);
  EXPECT_EQ(tail->entries[3].response.target.value(), 400u);

  // A fresh run truncates.
  absl::StatusOr<JournalWriter> fresh = JournalWriter::Open(path, false);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->bytes(), 0u);
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
  std::filesystem::remove(path);
}

// More entries than one read(2) of the reader holds.
TEST(JournalTest, LongTailAcrossReadChunks) {
  const std::string path = Path("journal_long");
  absl::StatusOr<JournalWriter> journal = JournalWriter::Open(path, false);
  ASSERT_TRUE(journal.ok());
  for (uint32_t i = 0; i < 100; ++i) AppendPorts(*journal, i * 32, 32);
  absl::StatusOr<JournalTail> tail = ReadJournalTail(path, kJournalEntryBytes);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->entries.size(), 3199u);
  for (uint32_t i = 0; i < 3199; ++i) {
    ASSERT_EQ(tail->entries[i].response.target.value(), i + 1);
  }
  EXPECT_EQ(tail->damaged_bytes, 0u);
  std::filesystem::remove(path);
}

// A kill in the middle of a write, or a power cut: a partial last entry,
// or zeros where entries were. Reading stops there and counts the bytes.
TEST(JournalTest, TornOrZeroedTailStopsReadingAndIsCounted) {
  const std::string path = Path("journal_torn");
  {
    absl::StatusOr<JournalWriter> journal = JournalWriter::Open(path, false);
    ASSERT_TRUE(journal.ok());
    AppendPorts(*journal, 1, 4);
  }
  std::filesystem::resize_file(path, 4 * kJournalEntryBytes - 5);
  absl::StatusOr<JournalTail> tail = ReadJournalTail(path, 0);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->entries.size(), 3u);
  EXPECT_EQ(tail->damaged_bytes, kJournalEntryBytes - 5);

  // Zeros after the second entry, then a valid entry again: not read.
  {
    absl::StatusOr<JournalWriter> journal = JournalWriter::Open(path, false);
    ASSERT_TRUE(journal.ok());
    AppendPorts(*journal, 1, 4);
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2 * kJournalEntryBytes);
    const std::string zeros(kJournalEntryBytes, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  tail = ReadJournalTail(path, 0);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->entries.size(), 2u);
  EXPECT_EQ(tail->damaged_bytes, 2 * kJournalEntryBytes);

  // An offset past the end (the power cut took entries the checkpoint
  // covers): an empty tail.
  tail = ReadJournalTail(path, 10 * kJournalEntryBytes);
  ASSERT_TRUE(tail.ok());
  EXPECT_TRUE(tail->entries.empty());
  EXPECT_EQ(tail->damaged_bytes, 0u);
  std::filesystem::remove(path);
}

TEST(JournalTest, MissingJournalIsNamed) {
  const std::string path = Path("journal_missing");
  const absl::StatusOr<JournalTail> tail = ReadJournalTail(path, 0);
  ASSERT_FALSE(tail.ok());
  EXPECT_EQ(tail.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(tail.status().message().find(path), std::string::npos) << tail.status();
}

// A write that fails (no room; /dev/full stands in for a full disk) stops
// the journal and keeps the error; bytes() counts only what was written.
TEST(JournalTest, FailedWriteStopsTheJournal) {
  absl::StatusOr<JournalWriter> journal = JournalWriter::Open("/dev/full", true);
  ASSERT_TRUE(journal.ok()) << journal.status();
  uint8_t entry[kJournalEntryBytes];
  EncodeJournalEntry(OpenPort(1, 25), entry);
  EXPECT_FALSE(journal->Append(entry, 1));
  EXPECT_TRUE(journal->failed());
  EXPECT_NE(journal->error().find("/dev/full"), std::string::npos) << journal->error();
  EXPECT_EQ(journal->bytes(), 0u);
  EXPECT_EQ(journal->entries(), 0u);
  EXPECT_FALSE(journal->Append(entry, 1));
}

}  // namespace
}  // namespace tlsweep
