#include "scan/status.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tlsweep {
namespace {

using ::testing::HasSubstr;

// One second apart: 1000 probes and 100 answers in that second.
StatusSnapshot Prev() {
  StatusSnapshot s;
  s.elapsed_s = 1;
  s.progress = 0;
  return s;
}

StatusSnapshot Now() {
  StatusSnapshot s;
  s.elapsed_s = 2;
  s.progress = 0.5;
  s.sent = 1000;
  s.received = 100;
  s.hits = 10;
  s.rx_missed = 3;
  s.tx_failed = 4;
  s.invalid = 5;
  return s;
}

std::vector<std::string> Cells(const std::string& line) {
  return absl::StrSplit(line, ',');
}

TEST(StatusTest, StatusLineRatesAndPercentages) {
  const std::string line = FormatStatusLine(kScanStatus, Prev(), Now());
  EXPECT_THAT(line, HasSubstr("0:02 "));
  EXPECT_THAT(line, HasSubstr(" 50%"));
  // 2 s elapsed at half way: 2 s to go.
  EXPECT_THAT(line, HasSubstr("(0:02 left)"));
  EXPECT_THAT(line, HasSubstr("send: 1000 1.00 Kp/s (500 p/s avg)"));
  EXPECT_THAT(line, HasSubstr("recv: 100 100 p/s (50 p/s avg)"));
  EXPECT_THAT(line, HasSubstr("hits: 10"));
  EXPECT_THAT(line, HasSubstr("drops: rx 3, tx 4, invalid 5"));
  EXPECT_THAT(line, HasSubstr("hitrate: 1.00%"));
  EXPECT_EQ(line,
            "0:02  50% (0:02 left); send: 1000 1.00 Kp/s (500 p/s avg); "
            "recv: 100 100 p/s (50 p/s avg); hits: 10; drops: rx 3, tx 4, "
            "invalid 5; hitrate: 1.00%");
}

TEST(StatusTest, StatusLineLargeRatesAndClock) {
  StatusSnapshot prev;
  prev.elapsed_s = 124;
  prev.sent = 1000000;
  prev.received = 0;
  StatusSnapshot now;
  now.elapsed_s = 125;
  now.progress = 0.251;  // floors to 25 %
  now.sent = 3500000;    // 2.5 M in the last second
  now.received = 2500;
  now.hits = 700;
  const std::string line = FormatStatusLine(kScanStatus, prev, now);
  EXPECT_THAT(line, HasSubstr("2:05  25% ("));
  EXPECT_THAT(line, HasSubstr("send: 3500000 2.50 Mp/s (28.00 Kp/s avg)"));
  EXPECT_THAT(line, HasSubstr("recv: 2500 2.50 Kp/s (20 p/s avg)"));
  EXPECT_THAT(line, HasSubstr("hitrate: 0.02%"));
}

TEST(StatusTest, StatusLineCooldown) {
  StatusSnapshot now = Now();
  now.progress = 1;
  now.sending_done = true;
  now.cooldown_left_s = 7;
  const std::string line = FormatStatusLine(kScanStatus, Prev(), now);
  EXPECT_THAT(line, HasSubstr("100% (cooldown 7s left)"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("0:00 left")));
}

// `run` with its senders held for the grab backlog says so instead of an
// estimate that the pause makes wrong.
TEST(StatusTest, StatusLinePausedForTheGrabBacklog) {
  StatusSnapshot now = Now();
  now.scan_paused = true;
  const std::string line = FormatStatusLine(kRunStatus, Prev(), now);
  EXPECT_THAT(line, HasSubstr("(paused: grab backlog)"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr(" left)")));
}

TEST(StatusTest, StatusLineBeforeAnyProgress) {
  const StatusSnapshot zero;
  const std::string line = FormatStatusLine(kScanStatus, zero, zero);
  EXPECT_THAT(line, HasSubstr("0:00   0% (? left)"));
  // No time has passed and nothing was sent: rates and hitrate are 0, not NaN.
  EXPECT_THAT(line, HasSubstr("send: 0 0 p/s (0 p/s avg)"));
  EXPECT_THAT(line, HasSubstr("hitrate: 0.00%"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("nan")));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("inf")));
}

TEST(StatusTest, CsvRowMatchesHeader) {
  const std::vector<std::string> header = Cells(StatusCsvHeader(kScanStatus));
  EXPECT_EQ(header.size(), 12u);
  EXPECT_EQ(header.front(), "elapsed_s");
  EXPECT_EQ(header.back(), "sending_done");

  const std::string row = StatusCsvRow(kScanStatus, Prev(), Now());
  EXPECT_EQ(Cells(row).size(), header.size()) << row;
  EXPECT_EQ(row, "2.000,0.500000,1000,1000.0,100,100.0,10,0.010000,3,4,5,0");

  StatusSnapshot done = Now();
  done.sending_done = true;
  const std::vector<std::string> cells = Cells(StatusCsvRow(kScanStatus, Prev(), done));
  ASSERT_EQ(cells.size(), header.size());
  EXPECT_EQ(cells.back(), "1");

  const StatusSnapshot zero;
  const std::vector<std::string> empty = Cells(StatusCsvRow(kScanStatus, zero, zero));
  ASSERT_EQ(empty.size(), header.size());
  EXPECT_EQ(empty[3], "0.0");  // send_rate with no time elapsed
  EXPECT_EQ(empty[7], "0.000000");  // hitrate with nothing sent
}

// `tlsweep run`: the grab pool's half follows the scan's, and the CSV gets
// its three columns.
TEST(StatusTest, GrabPartOfRunStatus) {
  EXPECT_THAT(FormatStatusLine(kScanStatus, Prev(), Now()), ::testing::Not(HasSubstr("grabs")));
  StatusSnapshot prev = Prev();
  prev.grabs_done = 2;
  StatusSnapshot now = Now();
  now.grabs_in_flight = 7;
  now.grabs_done = 12;
  now.grabs_not_grabbed = 1;
  now.grabs_by_status = {{"success", 9}, {"tls-error", 3}};
  const std::string line = FormatStatusLine(kRunStatus, prev, now);
  EXPECT_THAT(line, HasSubstr("; hitrate: 1.00%; grabs: 7 in flight, 12 done (10 /s), success 9, "
                              "tls-error 3, not grabbed 1"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("dry run")));
  const std::vector<std::string> header = Cells(StatusCsvHeader(kRunStatus));
  ASSERT_EQ(header.size(), 15u);
  EXPECT_EQ(header.back(), "grabs_not_grabbed");
  const std::vector<std::string> row = Cells(StatusCsvRow(kRunStatus, prev, now));
  ASSERT_EQ(row.size(), header.size());
  EXPECT_EQ(row[12], "7");
  EXPECT_EQ(row[13], "12");
  EXPECT_EQ(row[14], "1");
}

// The dry run: the send half only, no receive figures that would always be
// zero, and the line says nothing went out.
TEST(StatusTest, DryrunShowsTheSendPartOnly) {
  const std::string line = FormatStatusLine(kDryrunStatus, Prev(), Now());
  EXPECT_EQ(line, "0:02  50% (0:02 left); send: 1000 1.00 Kp/s (500 p/s avg); dry run");
  StatusSnapshot done = Now();
  done.progress = 1;
  done.sending_done = true;
  EXPECT_THAT(FormatStatusLine(kDryrunStatus, Prev(), done), HasSubstr("100% (done)"));
  EXPECT_EQ(StatusCsvHeader(kDryrunStatus), "elapsed_s,progress,sent,send_rate,sending_done");
  EXPECT_EQ(StatusCsvRow(kDryrunStatus, Prev(), Now()), "2.000,0.500000,1000,1000.0,0");
}

// `tlsweep grab`: the grabs only, with the number of targets when known.
TEST(StatusTest, GrabShowsTheGrabPartOnly) {
  StatusSnapshot prev;
  prev.elapsed_s = 4;
  prev.grabs_done = 6;
  StatusSnapshot now;
  now.elapsed_s = 5;
  now.progress = 0.5;
  now.grabs_in_flight = 3;
  now.grabs_done = 10;
  now.grabs_total = 20;
  now.grabs_by_status = {{"success", 9}, {"tls-error", 1}};
  EXPECT_EQ(FormatStatusLine(kGrabStatus, prev, now),
            "0:05  50% (0:05 left); grabs: 3 in flight, 10 of 20 done (4 /s), success 9, "
            "tls-error 1");
  EXPECT_EQ(StatusCsvHeader(kGrabStatus),
            "elapsed_s,progress,grabs_in_flight,grabs_done,grabs_not_grabbed");
  EXPECT_EQ(StatusCsvRow(kGrabStatus, prev, now), "5.000,0.500000,3,10,0");
}

// The -u file: the header, then one row per report with rates since the
// previous report.
TEST(StatusTest, ReporterWritesHeaderAndRows) {
  const std::string path = ::testing::TempDir() + "/status_test.csv";
  {
    absl::StatusOr<StatusReporter> reporter = StatusReporter::Create(kScanStatus, true, path);
    ASSERT_TRUE(reporter.ok()) << reporter.status();
    reporter->Report(Prev());
    reporter->Report(Now());
  }
  std::ifstream in(path);
  std::string header, first, second, extra;
  ASSERT_TRUE(std::getline(in, header));
  ASSERT_TRUE(std::getline(in, first));
  ASSERT_TRUE(std::getline(in, second));
  EXPECT_FALSE(std::getline(in, extra));
  EXPECT_EQ(header, StatusCsvHeader(kScanStatus));
  EXPECT_EQ(first, StatusCsvRow(kScanStatus, StatusSnapshot(), Prev()));
  EXPECT_EQ(second, StatusCsvRow(kScanStatus, Prev(), Now()));

  const absl::StatusOr<StatusReporter> bad =
      StatusReporter::Create(kScanStatus, true, "/nonexistent/dir/status.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("-u: cannot create /nonexistent/dir/status.csv"),
            std::string::npos);
}

}  // namespace
}  // namespace tlsweep
