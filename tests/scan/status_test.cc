#include "scan/status.h"

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
  const std::string line = FormatStatusLine(Prev(), Now());
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
  const std::string line = FormatStatusLine(prev, now);
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
  const std::string line = FormatStatusLine(Prev(), now);
  EXPECT_THAT(line, HasSubstr("100% (cooldown 7s left)"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("0:00 left")));
}

TEST(StatusTest, StatusLineBeforeAnyProgress) {
  const StatusSnapshot zero;
  const std::string line = FormatStatusLine(zero, zero);
  EXPECT_THAT(line, HasSubstr("0:00   0% (? left)"));
  // No time has passed and nothing was sent: rates and hitrate are 0, not NaN.
  EXPECT_THAT(line, HasSubstr("send: 0 0 p/s (0 p/s avg)"));
  EXPECT_THAT(line, HasSubstr("hitrate: 0.00%"));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("nan")));
  EXPECT_THAT(line, ::testing::Not(HasSubstr("inf")));
}

TEST(StatusTest, CsvRowMatchesHeader) {
  const std::vector<std::string> header = Cells(StatusCsvHeader());
  EXPECT_EQ(header.size(), 12u);
  EXPECT_EQ(header.front(), "elapsed_s");
  EXPECT_EQ(header.back(), "sending_done");

  const std::string row = StatusCsvRow(Prev(), Now());
  EXPECT_EQ(Cells(row).size(), header.size()) << row;
  EXPECT_EQ(row, "2.000,0.500000,1000,1000.0,100,100.0,10,0.010000,3,4,5,0");

  StatusSnapshot done = Now();
  done.sending_done = true;
  const std::vector<std::string> cells = Cells(StatusCsvRow(Prev(), done));
  ASSERT_EQ(cells.size(), header.size());
  EXPECT_EQ(cells.back(), "1");

  const StatusSnapshot zero;
  const std::vector<std::string> empty = Cells(StatusCsvRow(zero, zero));
  ASSERT_EQ(empty.size(), header.size());
  EXPECT_EQ(empty[3], "0.0");  // send_rate with no time elapsed
  EXPECT_EQ(empty[7], "0.000000");  // hitrate with nothing sent
}

// `tlsweep run`: the grab pool's half follows the scan's, and the CSV gets
// its three columns.
TEST(StatusTest, GrabPartOfRunStatus) {
  EXPECT_THAT(FormatStatusLine(Prev(), Now()), ::testing::Not(HasSubstr("grabs")));
  StatusSnapshot prev = Prev();
  prev.grabbing = true;
  prev.grabs_done = 2;
  StatusSnapshot now = Now();
  now.grabbing = true;
  now.grabs_in_flight = 7;
  now.grabs_done = 12;
  now.grabs_not_grabbed = 1;
  now.grabs_by_status = {{"success", 9}, {"tls-error", 3}};
  EXPECT_THAT(FormatStatusLine(prev, now),
              HasSubstr("; grabs: 7 in flight, 12 done (10 /s), success 9, tls-error 3, "
                        "not grabbed 1"));
  const std::vector<std::string> header = Cells(StatusCsvHeader(true));
  ASSERT_EQ(header.size(), 15u);
  EXPECT_EQ(header.back(), "grabs_not_grabbed");
  const std::vector<std::string> row = Cells(StatusCsvRow(prev, now));
  ASSERT_EQ(row.size(), header.size());
  EXPECT_EQ(row[12], "7");
  EXPECT_EQ(row[13], "12");
  EXPECT_EQ(row[14], "1");
}

}  // namespace
}  // namespace tlsweep
