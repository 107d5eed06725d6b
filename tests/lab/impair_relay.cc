// impair_relay: a user-space Ethernet relay between two interfaces that drops,
// delays and reorders frames, for lab tests on kernels without sch_netem.
//
//   impair_relay --a IFACE_A --b IFACE_B [--loss PCT] [--delay MS]
//                [--jitter MS] [--reorder PCT] [--seed N]
//                [--direction both|a2b|b2a]
//
// Every frame received on A is sent out of B and every frame received on B is
// sent out of A (AF_PACKET raw sockets, ETH_P_ALL, both interfaces
// promiscuous; frames this process transmits are not read back). The
// impairments apply to the chosen direction(s); the other direction is
// forwarded untouched. Per impaired frame, in this order:
//
//   loss     with probability PCT/100 the frame is dropped.
//   reorder  with probability PCT/100 the frame is sent at once, bypassing the
//            delay queue, so it overtakes the frames still waiting there
//            (netem's "reorder" with gap 1: "delay 20ms reorder 10%" sends 10%
//            immediately and 90% after 20 ms). Without a delay it does nothing.
//   delay    the frame waits DELAY ms, plus a uniform random -JITTER..+JITTER
//            ms (clamped at 0), in a timer queue. Frames leave in order of
//            their due times, so jitter reorders too, as with netem.
//
// Randomness comes from one generator seeded with --seed (default: random).
// Frames longer than 2048 bytes are dropped and counted as oversize (the lab
// turns segmentation offloads off on every veth, so none are expected).
//
// SIGUSR1 prints the counters to stderr; SIGTERM/SIGINT print them and exit 0
// (frames still in a delay queue are discarded; "queued" counts them).
// Once both sockets are ready "impair_relay: ready" is printed to stderr.
// Bad flags exit 2 with a message naming the flag; setup errors exit 1.

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr size_t kMaxFrame = 2048;
// Frames waiting in one direction's delay queue at most; beyond, dropped
// and counted (at 1 Mpps and 20 ms that is 20000 frames).
constexpr size_t kMaxQueued = 200000;
// Frames read from one socket per wakeup before the other gets its turn.
constexpr int kBurst = 64;

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_dump = 0;

void OnSignal(int sig) {
  if (sig == SIGUSR1) {
    g_dump = 1;
  } else {
    g_stop = 1;
  }
}

[[noreturn]] void Usage(const std::string& error) {
  std::fprintf(stderr, "impair_relay: %s\n", error.c_str());
  std::fprintf(stderr,
               "usage: impair_relay --a IFACE_A --b IFACE_B [--loss PCT] [--delay MS]\n"
               "                    [--jitter MS] [--reorder PCT] [--seed N]\n"
               "                    [--direction both|a2b|b2a]\n");
  std::exit(2);
}

[[noreturn]] void Fatal(const std::string& what) {
  std::fprintf(stderr, "impair_relay: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

// A finite number in [lo, hi] or a usage error naming the flag.
double ParseNumber(std::string_view flag, const char* text, double lo, double hi) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text, &end);
  if (*text == '\0' || end == nullptr || *end != '\0' || errno != 0 || !std::isfinite(v) || v < lo ||
      v > hi) {
    char range[64];
    std::snprintf(range, sizeof(range), "%g..%g", lo, hi);
    Usage(std::string(flag) + ": '" + text + "' is not a number in " + range);
  }
  return v;
}

uint64_t ParseSeed(const char* text) {
  uint64_t v = 0;
  const std::string_view s(text);
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    Usage(std::string("--seed: '") + text + "' is not an unsigned integer");
  }
  return v;
}

struct Options {
  std::string a;
  std::string b;
  double loss = 0;     // probability 0..1
  double delay_ms = 0;
  double jitter_ms = 0;
  double reorder = 0;  // probability 0..1
  std::optional<uint64_t> seed;
  bool impair_a2b = true;
  bool impair_b2a = true;
};

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag(argv[i]);
    std::string value_storage;
    const char* value = nullptr;
    if (const size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
      value_storage = std::string(flag.substr(eq + 1));
      value = value_storage.c_str();
      flag = flag.substr(0, eq);
    }
    auto next = [&]() -> const char* {
      if (value != nullptr) return value;
      if (i + 1 >= argc) Usage(std::string(flag) + ": missing value");
      return argv[++i];
    };
    if (flag == "--a") {
      o.a = next();
    } else if (flag == "--b") {
      o.b = next();
    } else if (flag == "--loss") {
      o.loss = ParseNumber(flag, next(), 0, 100) / 100.0;
    } else if (flag == "--delay") {
      o.delay_ms = ParseNumber(flag, next(), 0, 60000);
    } else if (flag == "--jitter") {
      o.jitter_ms = ParseNumber(flag, next(), 0, 60000);
    } else if (flag == "--reorder") {
      o.reorder = ParseNumber(flag, next(), 0, 100) / 100.0;
    } else if (flag == "--seed") {
      o.seed = ParseSeed(next());
    } else if (flag == "--direction") {
      const std::string_view d = next();
      if (d == "both") {
        o.impair_a2b = o.impair_b2a = true;
      } else if (d == "a2b") {
        o.impair_a2b = true;
        o.impair_b2a = false;
      } else if (d == "b2a") {
        o.impair_a2b = false;
        o.impair_b2a = true;
      } else {
        Usage("--direction: '" + std::string(d) + "' is not both, a2b or b2a");
      }
    } else if (flag == "-h" || flag == "--help") {
      Usage("help");
    } else {
      Usage("unknown flag '" + std::string(flag) + "'");
    }
  }
  if (o.a.empty()) Usage("--a: an interface is required");
  if (o.b.empty()) Usage("--b: an interface is required");
  if (o.a == o.b) Usage("--b: must differ from --a");
  return o;
}

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// A raw socket bound to one interface, promiscuous, blind to its own frames.
int OpenPort(const std::string& ifname, int* ifindex) {
  const unsigned idx = if_nametoindex(ifname.c_str());
  if (idx == 0) Fatal("interface " + ifname);
  *ifindex = static_cast<int>(idx);
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) Fatal("socket(AF_PACKET) for " + ifname);
  int one = 1;
  // Linux >= 4.20; on older kernels the sll_pkttype check below does the job.
  (void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
  int buf = 8 << 20;
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
  (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = *ifindex;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) != 0) Fatal("bind to " + ifname);
  packet_mreq mr{};
  mr.mr_ifindex = *ifindex;
  mr.mr_type = PACKET_MR_PROMISC;
  if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
    Fatal("promiscuous mode on " + ifname);
  }
  // Frames queued before the bind may belong to any interface: drain them.
  uint8_t scratch[kMaxFrame];
  while (recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT | MSG_TRUNC) >= 0) {
  }
  return fd;
}

struct Counters {
  uint64_t received = 0;   // frames read (not our own)
  uint64_t forwarded = 0;  // frames sent out of the other interface
  uint64_t dropped = 0;    // lost on purpose (--loss)
  uint64_t delayed = 0;    // put into the delay queue
  uint64_t reordered = 0;  // sent at once, overtaking the delay queue (--reorder)
  uint64_t oversize = 0;   // longer than kMaxFrame, dropped
  uint64_t overflow = 0;   // delay queue full, dropped
  uint64_t tx_errors = 0;  // send() failed
};

struct Pending {
  int64_t due_ns;
  uint64_t seq;  // FIFO among equal due times
  std::vector<uint8_t> frame;
  bool operator>(const Pending& o) const {
    return due_ns != o.due_ns ? due_ns > o.due_ns : seq > o.seq;
  }
};

struct Direction {
  const char* name;  // "a2b" / "b2a"
  std::string from, to;
  int in_fd = -1;
  int out_fd = -1;
  bool impaired = false;
  Counters c;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue;
  uint64_t next_seq = 0;
};

class Relay {
 public:
  Relay(const Options& o, uint64_t seed) : o_(o), rng_(seed) {}

  void Send(Direction& d, const uint8_t* frame, size_t len) {
    if (send(d.out_fd, frame, len, MSG_DONTWAIT) == static_cast<ssize_t>(len)) {
      ++d.c.forwarded;
    } else {
      ++d.c.tx_errors;
    }
  }

  // Reads up to kBurst frames from d.in_fd; false on a fatal socket error.
  bool Receive(Direction& d) {
    uint8_t buf[kMaxFrame];
    for (int n = 0; n < kBurst; ++n) {
      sockaddr_ll from{};
      socklen_t fromlen = sizeof(from);
      const ssize_t len = recvfrom(d.in_fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
                                   reinterpret_cast<sockaddr*>(&from), &fromlen);
      if (len < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
        if (errno == ENETDOWN) return true;  // the link flapped: keep going
        return false;
      }
      if (from.sll_pkttype == PACKET_OUTGOING) continue;  // our own (or the kernel's) transmit
      ++d.c.received;
      if (static_cast<size_t>(len) > kMaxFrame) {
        ++d.c.oversize;
        continue;
      }
      Handle(d, buf, static_cast<size_t>(len));
    }
    return true;
  }

  void Handle(Direction& d, const uint8_t* frame, size_t len) {
    if (!d.impaired) {
      Send(d, frame, len);
      return;
    }
    if (o_.loss > 0 && Chance(o_.loss)) {
      ++d.c.dropped;
      return;
    }
    if (o_.delay_ms <= 0 && o_.jitter_ms <= 0) {
      Send(d, frame, len);
      return;
    }
    if (o_.reorder > 0 && Chance(o_.reorder)) {
      ++d.c.reordered;
      Send(d, frame, len);
      return;
    }
    double ms = o_.delay_ms;
    if (o_.jitter_ms > 0) {
      ms += std::uniform_real_distribution<double>(-o_.jitter_ms, o_.jitter_ms)(rng_);
      ms = std::max(ms, 0.0);
    }
    if (d.queue.size() >= kMaxQueued) {
      ++d.c.overflow;
      return;
    }
    ++d.c.delayed;
    d.queue.push(Pending{NowNs() + static_cast<int64_t>(ms * 1e6), d.next_seq++,
                         std::vector<uint8_t>(frame, frame + len)});
  }

  // Sends every frame that is due; returns the earliest due time left, or -1.
  int64_t Flush(Direction& d, int64_t now) {
    while (!d.queue.empty() && d.queue.top().due_ns <= now) {
      const Pending& p = d.queue.top();
      Send(d, p.frame.data(), p.frame.size());
      d.queue.pop();
    }
    return d.queue.empty() ? -1 : d.queue.top().due_ns;
  }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }

  const Options& o_;
  std::mt19937_64 rng_;
};

void PrintCounters(const Direction* dirs, size_t n, const char* when) {
  for (size_t i = 0; i < n; ++i) {
    const Direction& d = dirs[i];
    std::fprintf(stderr,
                 "impair_relay: %s %s (%s -> %s)%s: received %llu forwarded %llu dropped %llu "
                 "delayed %llu reordered %llu oversize %llu overflow %llu tx_errors %llu "
                 "queued %zu\n",
                 when, d.name, d.from.c_str(), d.to.c_str(), d.impaired ? "" : " [not impaired]",
                 static_cast<unsigned long long>(d.c.received),
                 static_cast<unsigned long long>(d.c.forwarded),
                 static_cast<unsigned long long>(d.c.dropped),
                 static_cast<unsigned long long>(d.c.delayed),
                 static_cast<unsigned long long>(d.c.reordered),
                 static_cast<unsigned long long>(d.c.oversize),
                 static_cast<unsigned long long>(d.c.overflow),
                 static_cast<unsigned long long>(d.c.tx_errors), d.queue.size());
  }
  std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  const uint64_t seed = o.seed ? *o.seed : std::random_device{}();

  // Signals are blocked except inside ppoll: none is missed between checks.
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGUSR1);
  sigprocmask(SIG_BLOCK, &blocked, nullptr);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGTERM, SIGINT, SIGUSR1}) sigaction(s, &sa, nullptr);
  sigset_t during_poll;
  sigprocmask(SIG_SETMASK, nullptr, &during_poll);
  sigdelset(&during_poll, SIGTERM);
  sigdelset(&during_poll, SIGINT);
  sigdelset(&during_poll, SIGUSR1);

  int a_index = 0;
  int b_index = 0;
  const int fd_a = OpenPort(o.a, &a_index);
  const int fd_b = OpenPort(o.b, &b_index);

  Direction dirs[2];
  dirs[0].name = "a2b";
  dirs[0].from = o.a;
  dirs[0].to = o.b;
  dirs[0].in_fd = fd_a;
  dirs[0].out_fd = fd_b;
  dirs[0].impaired = o.impair_a2b;
  dirs[1].name = "b2a";
  dirs[1].from = o.b;
  dirs[1].to = o.a;
  dirs[1].in_fd = fd_b;
  dirs[1].out_fd = fd_a;
  dirs[1].impaired = o.impair_b2a;

  std::fprintf(stderr,
               "impair_relay: ready: a=%s b=%s loss %g%% delay %g ms jitter %g ms reorder %g%% "
               "direction %s seed %llu\n",
               o.a.c_str(), o.b.c_str(), o.loss * 100, o.delay_ms, o.jitter_ms, o.reorder * 100,
               o.impair_a2b && o.impair_b2a ? "both" : o.impair_a2b ? "a2b" : "b2a",
               static_cast<unsigned long long>(seed));
  std::fflush(stderr);

  Relay relay(o, seed);
  pollfd pfds[2] = {{fd_a, POLLIN, 0}, {fd_b, POLLIN, 0}};
  while (g_stop == 0) {
    const int64_t now = NowNs();
    int64_t next = -1;
    for (Direction& d : dirs) {
      const int64_t due = relay.Flush(d, now);
      if (due >= 0 && (next < 0 || due < next)) next = due;
    }
    timespec timeout{};
    timespec* tp = nullptr;
    if (next >= 0) {
      const int64_t wait = std::max<int64_t>(next - NowNs(), 0);
      timeout.tv_sec = static_cast<time_t>(wait / 1000000000);
      timeout.tv_nsec = static_cast<long>(wait % 1000000000);
      tp = &timeout;
    }
    const int r = ppoll(pfds, 2, tp, &during_poll);
    if (r < 0 && errno != EINTR) Fatal("ppoll");
    if (g_dump != 0) {
      g_dump = 0;
      PrintCounters(dirs, 2, "now");
    }
    if (r <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if ((pfds[i].revents & (POLLERR | POLLNVAL)) != 0 && (pfds[i].revents & POLLIN) == 0) {
        // A transient device event (e.g. the link went down) sets a socket
        // error: read it and carry on.
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(pfds[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if ((pfds[i].revents & POLLNVAL) != 0) {
          errno = EBADF;
          Fatal("poll");
        }
      }
      if ((pfds[i].revents & POLLIN) != 0 && !relay.Receive(dirs[i])) {
        Fatal("recv on " + dirs[i].from);
      }
    }
  }
  PrintCounters(dirs, 2, "final");
  close(fd_a);
  close(fd_b);
  return 0;
}
