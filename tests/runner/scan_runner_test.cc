// The scan's orchestration over the in-memory packet I/O: no EAL, no NIC.
// The responder plays the network: the gateway answers ARP, some targets
// answer SYN-ACK.
#include "runner/scan_runner.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "packet/arp.h"
#include "packet/parse.h"
#include "runner/memory_io.h"
#include "scan/resume.h"
#include "testing/synack.h"

namespace tlsweep {
namespace {

const MacAddress kOurMac = *MacAddress::Parse("02:00:00:00:00:01");
const MacAddress kGatewayMac = *MacAddress::Parse("02:00:00:00:00:02");
const Ipv4Address kGatewayIp = *Ipv4Address::Parse("192.0.2.254");
const Ipv4Address kSource = *Ipv4Address::Parse("192.0.2.1");

std::unique_ptr<ScanPlan> Plan(uint32_t senders, RateSpec rate = RateSpec::Unlimited()) {
  ScanConfig c;
  c.targets.target_args = {"198.51.100.0/26"};
  c.targets.no_blocklist = true;
  c.ports = {25};
  c.seed = 3;
  c.rate = rate;
  c.sender_threads = senders;
  c.sources = SourceRange{kSource, 1};
  auto plan = ScanPlan::Create(c, SipKey{5, 6});
  EXPECT_TRUE(plan.ok()) << plan.status();
  return *std::move(plan);
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The network of these tests: the gateway answers ARP; targets with an even
// last octet answer the probe with a SYN-ACK. `probes`, if given, counts
// the probes seen.
void AnswerEvenTargetsOn(MemoryPacketIo& io, std::atomic<uint64_t>* probes = nullptr) {
  io.set_responder([&io, probes](std::span<const uint8_t> frame) {
    if (auto arp = ParseArp(frame.data(), frame.size());
        arp && arp->op == kArpOpRequest && arp->target_ip == kGatewayIp) {
      uint8_t reply[kArpFrameLen];
      BuildArpReply(*arp, kGatewayMac, kGatewayIp, reply);
      io.Inject(reply);
      return;
    }
    ParsedFrame parsed;
    if (ParseFrame(frame.data(), frame.size(), &parsed) != ParseResult::kTcp) return;
    const ParsedTcp& t = parsed.tcp;
    if (t.flags != 0x02) return;
    if (probes != nullptr) probes->fetch_add(1);
    if (t.daddr.value() % 2 != 0) return;
    uint8_t synack[testing::kSynAckLen];
    testing::WriteSynAck({t.saddr, t.daddr, t.sport, t.dport, t.seq, t.ip_id}, kOurMac, 1000,
                         synack);
    io.Inject(synack);
  });
}

class ScanRunnerTest : public ::testing::Test {
 protected:
  ScanRunnerTest() : io_(kOurMac) {
    options_.gateway_ip = kGatewayIp;
    options_.cooldown_s = 0.2;
    options_.quiet = true;
    const std::string dir = ::testing::TempDir();
    options_.output_file = dir + "/scan_runner_out.txt";
    options_.metadata_file = dir + "/scan_runner_meta.json";
    options_.resume_out_file = dir + "/scan_runner_resume.json";
    std::remove(options_.resume_out_file.c_str());
  }

  void AnswerEvenTargets() { AnswerEvenTargetsOn(io_); }

  MemoryPacketIo io_;
  ScanRunOptions options_;
  StopToken stop_;
};

TEST_F(ScanRunnerTest, ProbesGoOutAnswersBecomeResultsAndGetResets) {
  const auto plan = Plan(2);
  AnswerEvenTargets();
  // A host asking for our address, and a frame that is no answer at all.
  uint8_t who_has_us[kArpFrameLen];
  BuildArpRequest(kGatewayMac, kGatewayIp, kSource, who_has_us);
  io_.Inject(who_has_us);
  const uint8_t garbage[20] = {0xff};  // EtherType 0: neither IPv4 nor ARP
  io_.Inject(garbage);

  ASSERT_TRUE(RunScan(*plan, io_, options_, nullptr, stop_).ok());

  // Every target probed once, to the gateway the ARP found.
  const auto probes = io_.probes();
  ASSERT_EQ(probes.size(), 64u);
  std::set<uint32_t> probed;
  for (const auto& p : probes) {
    ParsedFrame parsed;
    ASSERT_EQ(ParseFrame(p.data(), p.size(), &parsed), ParseResult::kTcp);
    probed.insert(parsed.tcp.daddr.value());
    EXPECT_TRUE(std::equal(p.begin(), p.begin() + 6, kGatewayMac.bytes().begin()));
  }
  EXPECT_EQ(probed.size(), 64u);

  // The 32 even targets are the results (default format: one address a line).
  const auto lines = ReadLines(options_.output_file);
  EXPECT_EQ(lines.size(), 32u);
  for (const std::string& line : lines) {
    EXPECT_EQ(Ipv4Address::Parse(line)->value() % 2, 0u) << line;
  }

  // Control frames: the gateway's ARP request, our ARP reply, 32 resets.
  size_t arp_requests = 0, arp_replies = 0, resets = 0;
  for (const auto& f : io_.control_frames()) {
    if (auto arp = ParseArp(f.data(), f.size())) {
      (arp->op == kArpOpRequest ? arp_requests : arp_replies)++;
      continue;
    }
    ParsedFrame parsed;
    ASSERT_EQ(ParseFrame(f.data(), f.size(), &parsed), ParseResult::kTcp);
    EXPECT_EQ(parsed.tcp.flags & 0x04, 0x04);
    ++resets;
  }
  EXPECT_GE(arp_requests, 1u);
  EXPECT_EQ(arp_replies, 1u);
  EXPECT_EQ(resets, 32u);

  const nlohmann::json meta = ReadJson(options_.metadata_file);
  EXPECT_EQ(meta["mode"], "dpdk");
  EXPECT_EQ(meta["complete"], true);
  EXPECT_EQ(meta["interrupted"], false);
  EXPECT_EQ(meta["gateway_mac"], kGatewayMac.ToString());
  EXPECT_EQ(meta["counters"]["sent"], 64);
  EXPECT_EQ(meta["counters"]["synack"], 32);
  EXPECT_EQ(meta["counters"]["rst_sent"], 32);
  EXPECT_EQ(meta["counters"]["results_written"], 32);
  EXPECT_EQ(meta["counters"]["arp_replies_sent"], 1);
  EXPECT_EQ(meta["counters"]["parse_drops"]["other_ethertype"], 1);
  // The cooldown ran to its end after the last probe.
  EXPECT_GE(meta["duration_seconds"].get<double>(), options_.cooldown_s);
  EXPECT_EQ(meta["checkpoint"]["enabled"], true);
  EXPECT_EQ(meta["checkpoint"]["off_reason"], "");
  // A complete scan leaves no resume file.
  EXPECT_FALSE(std::ifstream(options_.resume_out_file).good());
}

// Without -o FILE (records to stdout) no checkpoint can be taken: the
// metadata says so, and why, rather than leaving the user to find out
// after a crash.
TEST_F(ScanRunnerTest, WithoutAnOutputFileTheMetadataSaysThereAreNoCheckpoints) {
  AnswerEvenTargets();
  options_.output_file.clear();
  ASSERT_TRUE(RunScan(*Plan(2), io_, options_, nullptr, stop_).ok());
  nlohmann::json checkpoint = ReadJson(options_.metadata_file)["checkpoint"];
  EXPECT_EQ(checkpoint["enabled"], false);
  EXPECT_EQ(checkpoint["off_reason"], "output-not-a-file");
  EXPECT_EQ(checkpoint["written"], 0);
  EXPECT_EQ(checkpoint["file"], "");

  options_.output_file = ::testing::TempDir() + "/scan_runner_out.txt";
  options_.checkpoint_interval_ms = 0;
  MemoryPacketIo io(kOurMac);
  AnswerEvenTargetsOn(io);
  ASSERT_TRUE(RunScan(*Plan(2), io, options_, nullptr, stop_).ok());
  checkpoint = ReadJson(options_.metadata_file)["checkpoint"];
  EXPECT_EQ(checkpoint["enabled"], false);
  EXPECT_EQ(checkpoint["off_reason"], "interval-0");
}

// What SlowConsumer saw; owned by the test, since RunScan destroys the
// consumer before it returns.
struct SlowConsumerLog {
  std::set<uint32_t> offered;
  size_t probes_settled = 0;          // sent when the senders had seen the hold
  size_t probes_sent_while_held = 0;  // sent after that, until the release
};

// A consumer (as `tlsweep run`'s grab pool) that takes every open port and,
// from the first one, is backlogged for `hold` of wall time: RunScan must
// hold the senders meanwhile, and every open port must still reach it.
class SlowConsumer final : public OpenPortConsumer {
 public:
  SlowConsumer(const MemoryPacketIo& io, std::chrono::milliseconds hold, SlowConsumerLog& log)
      : io_(io), hold_(hold), log_(log) {}

  bool Claims(const uint8_t*, uint16_t) const override { return false; }
  void Dispatch(void*) override {}
  void Offer(const ScanResult& result, const RecordWriter&) override {
    log_.offered.insert(result.response.target.value());
    if (!held_once_) {
      held_once_ = true;
      backlogged_ = true;
      hold_start_ = std::chrono::steady_clock::now();
    }
  }
  bool Backlogged() const override { return backlogged_; }
  absl::Status Launch(uint32_t) override { return absl::OkStatus(); }
  void Poll(const RecordWriter&) override {
    if (!backlogged_) return;
    const auto held = std::chrono::steady_clock::now() - hold_start_;
    // A tenth of the hold for the senders to see it; then nothing may go out.
    if (!settled_ && held >= hold_ / 10) {
      settled_ = true;
      log_.probes_settled = io_.probes().size();
    }
    if (held >= hold_) {
      log_.probes_sent_while_held = io_.probes().size() - log_.probes_settled;
      backlogged_ = false;
    }
  }
  void Finish() override {}
  bool Done() const override { return true; }
  void AddStatus(StatusSnapshot*) const override {}
  GrabPoolSummary Summary() const override { return {}; }

 private:
  const MemoryPacketIo& io_;
  const std::chrono::milliseconds hold_;
  SlowConsumerLog& log_;
  bool held_once_ = false;
  bool backlogged_ = false;
  bool settled_ = false;
  std::chrono::steady_clock::time_point hold_start_;
};

TEST_F(ScanRunnerTest, ABackloggedConsumerPausesTheSendersAndLosesNoOpenPort) {
  // 64 probes at 400/s: 160 ms of sending, paused for 200 ms after the
  // first answer.
  const auto plan = Plan(2, RateSpec::Packets(400));
  AnswerEvenTargets();
  SlowConsumerLog log;
  const OpenPortConsumerFactory factory = [&](const MacAddress&, const MacAddress&)
      -> absl::StatusOr<std::unique_ptr<OpenPortConsumer>> {
    return std::make_unique<SlowConsumer>(io_, std::chrono::milliseconds(200), log);
  };
  ASSERT_TRUE(RunScan(*plan, io_, options_, factory, stop_).ok());
  EXPECT_GT(log.probes_settled, 0u);
  EXPECT_LT(log.probes_settled, 64u);  // the pause came before the end
  EXPECT_EQ(log.probes_sent_while_held, 0u);
  EXPECT_EQ(io_.probes().size(), 64u);  // and the scan went on after it
  EXPECT_EQ(log.offered.size(), 32u);
}

TEST_F(ScanRunnerTest, SilentGatewayIsAnError) {
  const auto plan = Plan(1);
  options_.arp_timeout_s = 0.2;
  const absl::Status s = RunScan(*plan, io_, options_, nullptr, stop_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("192.0.2.254 did not answer ARP"), std::string::npos) << s;
  EXPECT_TRUE(io_.probes().empty());
}

// Tripping the token stops the senders; the positions they reached are
// saved, and resuming from them sends exactly the rest.
TEST_F(ScanRunnerTest, TrippingTheStopTokenStopsSendingAndSavesTheResumePositions) {
  const auto plan = Plan(2, RateSpec::Packets(400));
  options_.gateway_ip.reset();
  options_.gateway_mac = kGatewayMac;
  io_.set_responder([this](std::span<const uint8_t>) {
    if (io_.probes().size() >= 10) stop_.Trip(StopLevel::kStopSending);
  });
  ASSERT_TRUE(RunScan(*plan, io_, options_, nullptr, stop_).ok());
  const size_t first = io_.probes().size();
  EXPECT_GE(first, 10u);
  EXPECT_LT(first, 64u);
  const nlohmann::json meta = ReadJson(options_.metadata_file);
  EXPECT_EQ(meta["interrupted"], true);
  EXPECT_EQ(meta["complete"], false);
  EXPECT_EQ(meta["counters"]["sent"], first);

  ASSERT_TRUE(ReadResumeFile(options_.resume_out_file, *plan).ok());

  MemoryPacketIo rest_io(kOurMac);
  StopToken fresh;
  options_.resume_file = options_.resume_out_file;
  options_.resume_out_file = ::testing::TempDir() + "/scan_runner_resume2.json";
  ASSERT_TRUE(RunScan(*Plan(2, RateSpec::Unlimited()), rest_io, options_, nullptr, fresh)
                  .ok());
  std::set<uint32_t> probed;
  for (const MemoryPacketIo* run : {&io_, &rest_io}) {
    for (const auto& p : run->probes()) {
      ParsedFrame parsed;
      ASSERT_EQ(ParseFrame(p.data(), p.size(), &parsed), ParseResult::kTcp);
      probed.insert(parsed.tcp.daddr.value());
    }
  }
  EXPECT_EQ(first + rest_io.probes().size(), 64u);
  EXPECT_EQ(probed.size(), 64u);
}

// `tlsweep run`'s grabber, played by a queue: each open port offered gets
// its record (a JSON line with its address and port) a fixed time later,
// so that at any moment some ports are queued and some records written.
class DelayedGrabber final : public OpenPortConsumer {
 public:
  bool Claims(const uint8_t*, uint16_t) const override { return false; }
  void Dispatch(void*) override {}
  void Offer(const ScanResult& result, const RecordWriter&) override {
    queue_.push_back({result, Clock::now() + kGrabTime});
  }
  bool Backlogged() const override { return false; }
  absl::Status Launch(uint32_t) override { return absl::OkStatus(); }
  void Poll(const RecordWriter& write) override {
    while (!queue_.empty() && queue_.front().due <= Clock::now()) {
      const ScanResponse& r = queue_.front().result.response;
      write({r.target, r.port}, nlohmann::json{{"ip", r.target.ToString()}, {"port", r.port}}
                                        .dump() +
                                    "\n");
      queue_.pop_front();
    }
  }
  void Finish() override { finished_ = true; }
  bool Done() const override { return finished_ && queue_.empty(); }
  void AddStatus(StatusSnapshot*) const override {}
  GrabPoolSummary Summary() const override { return {}; }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kGrabTime{300};
  struct Entry {
    ScanResult result;
    Clock::time_point due;
  };
  std::deque<Entry> queue_;
  bool finished_ = false;
};

// The (address, port) of every line of a scan's default multi-port output
// ("a.b.c.d,port") or of a run's records ({"ip", "port", ...}).
std::multiset<std::pair<std::string, uint16_t>> Recorded(const std::string& path, bool run) {
  std::multiset<std::pair<std::string, uint16_t>> out;
  for (const std::string& line : ReadLines(path)) {
    if (run) {
      const nlohmann::json j = nlohmann::json::parse(line);
      out.insert({j["ip"].get<std::string>(), j["port"].get<uint16_t>()});
    } else {
      const size_t comma = line.find(',');
      out.insert({line.substr(0, comma), static_cast<uint16_t>(std::stoi(line.substr(comma + 1)))});
    }
  }
  return out;
}

// kill -9 at a random moment, then --resume from the last checkpoint: the
// outputs of both runs together hold every open port exactly once. The
// scan appends to its own output; the run writes a second file and the
// first is cut back to its checkpointed length.
class KillResumeTest : public ScanRunnerTest, public ::testing::WithParamInterface<bool> {
 protected:
  // 2048 targets x 2 ports at 1500 probes/s: about 2.7 s of sending.
  static std::unique_ptr<ScanPlan> KillPlan() {
    ScanConfig c;
    c.targets.target_args = {"198.51.96.0/21"};
    c.targets.no_blocklist = true;
    c.ports = {25, 587};
    c.seed = 11;
    c.rate = RateSpec::Packets(1500);
    c.sender_threads = 2;
    c.sources = SourceRange{kSource, 1};
    auto plan = ScanPlan::Create(c, SipKey{7, 8});
    EXPECT_TRUE(plan.ok()) << plan.status();
    return *std::move(plan);
  }

  absl::Status Run(MemoryPacketIo& io, const ScanRunOptions& options) {
    const auto plan = KillPlan();
    StopToken stop;
    OpenPortConsumerFactory grab;
    if (GetParam()) {
      grab = [](const MacAddress&, const MacAddress&)
          -> absl::StatusOr<std::unique_ptr<OpenPortConsumer>> {
        return std::make_unique<DelayedGrabber>();
      };
    }
    return RunScan(*plan, io, options, grab, stop);
  }
};

// The even targets answer; with `busy_after` (steady-clock ns, 0: never
// busy) a port that `answered` (per port, the steady-clock ns of its first
// answer in the killed run, in shared memory) marks as answered before it
// does not answer again: a busy server's full listen queue.
void AnswerEvenTargetsOnce(MemoryPacketIo& io, std::atomic<uint64_t>* probes,
                           std::atomic<int64_t>* answered, int64_t busy_after) {
  io.set_responder([&io, probes, answered, busy_after](std::span<const uint8_t> frame) {
    if (auto arp = ParseArp(frame.data(), frame.size());
        arp && arp->op == kArpOpRequest && arp->target_ip == kGatewayIp) {
      uint8_t reply[kArpFrameLen];
      BuildArpReply(*arp, kGatewayMac, kGatewayIp, reply);
      io.Inject(reply);
      return;
    }
    ParsedFrame parsed;
    if (ParseFrame(frame.data(), frame.size(), &parsed) != ParseResult::kTcp) return;
    const ParsedTcp& t = parsed.tcp;
    if (t.flags != 0x02) return;
    probes->fetch_add(1);
    if (t.daddr.value() % 2 != 0) return;
    // 198.51.96.0/21 x {25, 587}.
    std::atomic<int64_t>& first = answered[(t.daddr.value() & 2047) * 2 + (t.dport == 587)];
    if (busy_after == 0) {
      int64_t none = 0;
      first.compare_exchange_strong(none,
                                    std::chrono::steady_clock::now().time_since_epoch().count());
    } else if (const int64_t at = first.load(); at != 0 && at < busy_after) {
      return;
    }
    uint8_t synack[testing::kSynAckLen];
    testing::WriteSynAck({t.saddr, t.daddr, t.sport, t.dport, t.seq, t.ip_id}, kOurMac, 1000,
                         synack);
    io.Inject(synack);
  });
}

// Rounds of kill -9 at a random moment and --resume; checks that the
// outputs together hold every open port exactly once. `busy`: in the
// resumed run, a port that answered the killed run at least kSeen before
// the kill does not answer the re-sent probe (a busy server, as in the lab:
// bench/RESULTS.md 12.run12); so the ports the killed run found after its
// last checkpoint come only from its journal.
void KillRounds(ScanRunOptions base, const std::function<absl::Status(MemoryPacketIo&,
                                                                      const ScanRunOptions&)>& run_scan,
                bool run, uint32_t interval_ms, bool busy) {
  // A port answered this long before the kill was received by the killed
  // run's receive loop (it polls continuously; this is slack for a loaded
  // machine), so it is in its checkpoint or its journal.
  constexpr auto kSeen = std::chrono::milliseconds(500);
  // The process id in the name: parallel runs of the test (other clones) do
  // not share the directory.
  const std::string dir = absl::StrCat(::testing::TempDir(), run ? "/kill_run." : "/kill_scan.",
                                       busy ? "busy." : "", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> kill_after_ms(50, 2700);
  // The probes the killed child sent and when each port first answered it,
  // in memory shared with this process.
  constexpr size_t kPorts = 2048 * 2;
  const size_t shared_bytes = sizeof(std::atomic<uint64_t>) + kPorts * sizeof(std::atomic<int64_t>);
  void* shared = mmap(nullptr, shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
  ASSERT_NE(shared, MAP_FAILED);
  auto* child_probes = new (shared) std::atomic<uint64_t>(0);
  auto* answered = new (child_probes + 1) std::atomic<int64_t>[kPorts];
  for (int round = 0; round < 3; ++round) {
    child_probes->store(0);
    for (size_t i = 0; i < kPorts; ++i) answered[i].store(0);
    const int delay = kill_after_ms(random);
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", round " << round
                                      << ", kill -9 after " << delay << " ms");
    ScanRunOptions options = base;
    options.gateway_ip.reset();
    options.gateway_mac = kGatewayMac;
    options.checkpoint_interval_ms = interval_ms;
    options.metadata_file.clear();
    options.output_file = dir + "/first.out";
    options.resume_out_file = dir + "/checkpoint.json";
    std::filesystem::remove(options.resume_out_file);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      MemoryPacketIo io(kOurMac);
      AnswerEvenTargetsOnce(io, child_probes, answered, 0);
      _exit(run_scan(io, options).ok() ? 0 : 1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    const auto kill_time = std::chrono::steady_clock::now();
    kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    const bool killed = WIFSIGNALED(status);
    if (!killed) {
      ASSERT_EQ(WEXITSTATUS(status), 0);
    }

    std::string second;
    std::atomic<uint64_t> resumed_probes{0};
    size_t journal_taken = 0;
    if (killed) {
      // No checkpoint yet (killed within the first interval): start over.
      if (std::filesystem::exists(options.resume_out_file)) {
        options.resume_file = options.resume_out_file;
        options.resume_out_file = dir + "/checkpoint2.json";
      }
      if (run) options.output_file = second = dir + "/second.out";
      options.metadata_file = dir + "/resumed.meta.json";
      MemoryPacketIo io(kOurMac);
      AnswerEvenTargetsOnce(io, &resumed_probes, answered,
                            busy ? (kill_time - kSeen).time_since_epoch().count() : 0);
      const absl::Status resumed = run_scan(io, options);
      ASSERT_TRUE(resumed.ok()) << resumed;
      journal_taken = ReadJson(options.metadata_file)["checkpoint"]["journal"]["resume_taken"];
    }
    std::multiset<std::pair<std::string, uint16_t>> all = Recorded(dir + "/first.out", run);
    if (!second.empty()) {
      for (const auto& k : Recorded(second, run)) all.insert(k);
    }
    for (const auto& k : all) {
      EXPECT_EQ(Ipv4Address::Parse(k.first)->value() % 2, 0u) << k.first;
      EXPECT_EQ(all.count(k), 1u) << k.first << ":" << k.second << " recorded twice";
    }
    EXPECT_EQ(all.size(), 2048u);  // 1024 even targets x 2 ports
    EXPECT_EQ(std::set(all.begin(), all.end()).size(), 2048u);
    size_t busy_ports = 0;
    for (size_t i = 0; i < kPorts; ++i) {
      const int64_t at = answered[i].load();
      busy_ports += busy && at != 0 && at < (kill_time - kSeen).time_since_epoch().count();
    }
    // Sent again: at most one checkpoint interval plus the answer window
    // (1 s) of probes at 1500/s, and the bursts in hand (2 senders x 32),
    // with 0.5 s of slack for checkpoints skipped on a loaded machine (a
    // slow writer thread skips rather than queues them).
    const uint64_t resent = child_probes->load() + resumed_probes.load() - 4096;
    EXPECT_LE(resent, 1500 * (interval_ms / 1000.0 + 1.0 + 0.5) + 2 * 32);
    std::printf("  %s%s round %d: kill -9 after %d ms (%s), probes sent again %llu, "
                "not answered again %zu, taken from the journal %zu\n",
                run ? "run" : "scan", busy ? " (busy servers)" : "", round, delay,
                killed ? "killed" : "had finished", static_cast<unsigned long long>(resent),
                busy_ports, journal_taken);
  }
  munmap(shared, shared_bytes);
  std::filesystem::remove_all(dir);
}

TEST_P(KillResumeTest, KillNineAtRandomMomentsThenResumeRecordsEveryOpenPortOnce) {
  KillRounds(options_, [this](MemoryPacketIo& io, const ScanRunOptions& o) { return Run(io, o); },
             GetParam(), 100, false);
}

// The ports found after the last checkpoint do not answer the re-sent
// probes: without the journal they were lost (12.run12's 38 and 17 ports).
// A checkpoint every 1.5 s leaves up to 1 s of them to the journal alone.
TEST_P(KillResumeTest, KillNineThenBusyServersDoNotAnswerAgainYetEveryOpenPortOnce) {
  KillRounds(options_, [this](MemoryPacketIo& io, const ScanRunOptions& o) { return Run(io, o); },
             GetParam(), 1500, true);
}

INSTANTIATE_TEST_SUITE_P(ScanAndRun, KillResumeTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Run" : "Scan";
                         });

}  // namespace
}  // namespace tlsweep
