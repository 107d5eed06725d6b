#include "nic/dpdk_scanner.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/time_format.h"
#include "nic/probe_tx.h"
#include "packet/arp.h"
#include "packet/parse.h"
#include "packet/probe.h"
#include "packet/rst.h"
#include "scan/probe_generator.h"
#include "scan/rate_limiter.h"
#include "scan/response_handler.h"
#include "scan/resume.h"
#include "scan/scan_metadata.h"
#include "scan/send_loop.h"
#include "scan/status.h"
#include "validate/dedup.h"
#include "proto/module.h"

namespace tlsweep {
namespace {

constexpr uint16_t kBurst = kSendBurst;

struct SenderContext {
  const StopToken& stop;
  ProbeGenerator generator;
  RateLimiter limiter;
  uint16_t port;
  uint16_t queue;
  rte_mempool* pool;
  SenderCounters* shared;
};

// A sender lcore: scan/send_loop.h over this lcore's TX queue.
int SenderMain(void* arg) {
  auto* ctx = static_cast<SenderContext*>(arg);
  DpdkProbeTx tx(ctx->port, ctx->queue, ctx->pool);
  SendLoop<DpdkProbeTx> loop(tx, ctx->generator, ctx->limiter, *ctx->shared, ctx->stop);
  loop.Run();
  return 0;
}

// The control lcore's receive side: every RX queue, every frame through
// the handler; results to the writer (or, in `tlsweep run`, new open ports
// to the grab pool), segments of the grab connections to their grab worker,
// and on the control TX queue ARP replies and a reset for every SYN-ACK
// (packet/rst.h: the kernel of a ZMap host sends that one).
class Receiver {
 public:
  Receiver(Port& port, ResponseHandler& handler, ResultWriter* writer, GrabPool* pool,
           uint8_t ttl)
      : port_(port), handler_(handler), writer_(writer), pool_(pool), ttl_(ttl) {}

  void Poll() {
    static_assert(kBurst <= ResponseHandler::kMaxBurst);
    rte_mbuf* mbufs[kBurst];
    rte_mbuf* kept[kBurst];
    const uint8_t* frames[kBurst];
    uint16_t lens[kBurst];
    ResponseHandler::Action actions[kBurst];
    ScanResult results[kBurst];
    uint8_t replies[kBurst][kArpFrameLen];
    for (uint16_t q = 0; q < port_.queues(); ++q) {
      const uint16_t n = rte_eth_rx_burst(port_.id(), q, mbufs, kBurst);
      if (n == 0) continue;
      uint16_t m = 0;
      for (uint16_t i = 0; i < n; ++i) {
        const uint8_t* frame = rte_pktmbuf_mtod(mbufs[i], const uint8_t*);
        const uint16_t len = rte_pktmbuf_data_len(mbufs[i]);
        if (pool_ != nullptr && pool_->Claims(frame, len)) {
          pool_->Dispatch(mbufs[i]);
          continue;
        }
        kept[m] = mbufs[i];
        frames[m] = frame;
        lens[m] = len;
        ++m;
      }
      handler_.HandleBurst(frames, lens, m, WallClockNs(), actions, results, replies);
      for (uint16_t i = 0; i < m; ++i) {
        if (actions[i] == ResponseHandler::Action::kResult) {
          if (results[i].response.success) Reset(frames[i], lens[i]);
          if (pool_ == nullptr) {
            writer_->Write(results[i]);
          } else if (results[i].response.success && !results[i].repeat) {
            pool_->Offer(results[i], [this](std::string_view line) { writer_->WriteLine(line); });
          }
        } else if (actions[i] == ResponseHandler::Action::kArpReply) {
          Queue(replies[i], kArpFrameLen);
        }
      }
      Flush();
      if (m > 0) rte_pktmbuf_free_bulk(kept, m);
    }
  }

  void set_pool(GrabPool* pool) { pool_ = pool; }

  // Sends one control frame now (an ARP request).
  void Send(const uint8_t* frame, uint16_t len) {
    Queue(frame, len);
    Flush();
  }

  struct Counters {
    uint64_t rst_sent = 0;  // resets queued; control_tx_failed has those refused
    uint64_t control_tx_failed = 0;  // no mbuf, or the TX queue was full
  };
  const Counters& counters() const { return counters_; }

 private:
  // The reset for a validated SYN-ACK. The handler has verified its
  // checksums; this parse only finds the fields again.
  void Reset(const uint8_t* frame, uint16_t len) {
    ParsedFrame parsed;
    if (ParseFrame(frame, len, &parsed, /*verify_checksums=*/false) != ParseResult::kTcp) return;
    uint8_t rst[kRstFrameLen];
    BuildRstForSynAck(frame, parsed.tcp, ttl_, rst);
    if (Queue(rst, kRstFrameLen)) ++counters_.rst_sent;
  }

  // Copies a frame into an mbuf for the next Flush; false (and counted) if
  // there is no mbuf for it.
  bool Queue(const uint8_t* frame, uint16_t len) {
    rte_mbuf* m = out_count_ < kBurst ? rte_pktmbuf_alloc(port_.pool()) : nullptr;
    uint8_t* p = m != nullptr ? reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, len)) : nullptr;
    if (p == nullptr) {
      rte_pktmbuf_free(m);
      ++counters_.control_tx_failed;
      return false;
    }
    std::memcpy(p, frame, len);
    out_[out_count_++] = m;
    return true;
  }

  // Transmits the queued frames on the control TX queue; what the queue
  // does not take is freed and counted.
  void Flush() {
    if (out_count_ == 0) return;
    const uint16_t sent = rte_eth_tx_burst(port_.id(), static_cast<uint16_t>(port_.queues() - 1),
                                           out_, out_count_);
    if (sent < out_count_) {
      rte_pktmbuf_free_bulk(out_ + sent, out_count_ - sent);
      counters_.control_tx_failed += out_count_ - sent;
    }
    out_count_ = 0;
  }

  Port& port_;
  ResponseHandler& handler_;
  ResultWriter* writer_;
  GrabPool* pool_;
  const uint8_t ttl_;
  rte_mbuf* out_[kBurst];
  uint16_t out_count_ = 0;
  Counters counters_;
};

absl::StatusOr<MacAddress> ResolveGateway(Ipv4Address gateway, Ipv4Address our_ip,
                                          const MacAddress& our_mac, double timeout_s,
                                          Receiver& receiver, ResponseHandler& handler,
                                          const StopToken& stop) {
  handler.ExpectGateway(gateway);
  uint8_t request[kArpFrameLen];
  BuildArpRequest(our_mac, our_ip, gateway, request);
  const uint64_t hz = rte_get_tsc_hz();
  const uint64_t start = rte_rdtsc();
  const uint64_t deadline = start + static_cast<uint64_t>(timeout_s * static_cast<double>(hz));
  uint64_t next_request = start;
  while (rte_rdtsc() < deadline && stop.level() != StopLevel::kStopNow) {
    if (rte_rdtsc() >= next_request) {
      receiver.Send(request, sizeof(request));
      next_request += hz / 2;
    }
    receiver.Poll();
    if (handler.gateway_mac()) return *handler.gateway_mac();
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "the gateway ", gateway.ToString(), " did not answer ARP within ", timeout_s,
      " s (asked from ", our_ip.ToString(), ", ", our_mac.ToString(),
      "): check --gateway-ip and the link, or give its MAC with -G"));
}

StatusSnapshot Snapshot(const std::vector<std::unique_ptr<SenderCounters>>& shared,
                        const ReceiveCounters& rx, const PortStats& port, const GrabPool* pool,
                        double elapsed, bool sending_done, double cooldown_left) {
  StatusSnapshot s;
  s.elapsed_s = elapsed;
  s.sending_done = sending_done;
  s.cooldown_left_s = cooldown_left;
  for (const auto& sh : shared) {
    s.sent += sh->sent.load(std::memory_order_relaxed);
    s.tx_failed += sh->tx_failed.load(std::memory_order_relaxed);
    s.progress += sh->progress.load(std::memory_order_relaxed);
  }
  s.progress /= static_cast<double>(shared.size());
  s.received = rx.synack + rx.rst + rx.icmp_unreach;
  s.hits = rx.synack;
  s.rx_missed = port.imissed + port.rx_nombuf;
  s.invalid = rx.invalid();
  if (pool != nullptr) {
    const GrabPoolCounters g = pool->Counters();
    s.grabbing = true;
    s.grabs_in_flight = g.in_flight;
    s.grabs_done = g.finished;
    s.grabs_not_grabbed = g.not_grabbed;
    for (size_t i = 0; i < std::size(g.by_status); ++i) {
      if (g.by_status[i] != 0) {
        s.grabs_by_status.emplace_back(GrabStatusName(static_cast<GrabStatus>(i)), g.by_status[i]);
      }
    }
  }
  return s;
}

}  // namespace

absl::Status RunDpdkScan(const ScanPlan& plan, Port& port, const DpdkScanOptions& options,
                         const StopToken& stop) {
  const ScanConfig& config = plan.config();
  const uint32_t senders = config.sender_threads;
  if (rte_lcore_count() < senders + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "-T ", senders, " needs ", senders + 1, " lcores (one per sender and the main "
        "lcore), the EAL has ", rte_lcore_count(), ": give more with -l or --lcores"));
  }
  if (port.queues() < senders + 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "port ", port.id(), " has ", port.queues(), " queues, -T ", senders, " needs ", senders + 1));
  }
  const std::string start_time = Rfc3339Now();

  const bool grabbing = options.grab.has_value();
  if (grabbing) {
    const uint32_t scan_last = config.sport_first + config.sport_count - 1u;
    if (config.sport_first <= options.grab->port_last && options.grab->port_first <= scan_last) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the scan's source ports ", config.sport_first, "-", scan_last,
          " overlap the grab's ", options.grab->port_first, "-", options.grab->port_last,
          ": each answer must have one owner (-s, --grab-ports)"));
    }
    if (options.tls == nullptr) return absl::InvalidArgumentError("grabbing needs a TLS context");
  }
  std::optional<ResultWriter> writer;
  {
    OutputOptions out = options.output;
    out.multi_port = config.ports.size() > 1;
    TLSWEEP_ASSIGN_OR_RETURN(writer, ResultWriter::Open(options.output_file, out));
  }
  std::unique_ptr<std::ofstream> status_file;
  if (!options.status_file.empty()) {
    status_file = std::make_unique<std::ofstream>(options.status_file, std::ios::trunc);
    if (!*status_file) {
      return absl::NotFoundError(absl::StrCat("-u: cannot create ", options.status_file));
    }
    *status_file << StatusCsvHeader(grabbing) << "\n";
  }

  Dedup dedup(config.ports, plan.space().size());
  const MacAddress src_mac = options.source_mac.value_or(port.mac());
  ResponseHandler handler(plan, src_mac, dedup);
  Receiver receiver(port, handler, &*writer, nullptr, config.probe.ttl);

  ProbeConfig probe_config = config.probe;
  probe_config.src_mac = src_mac;
  if (options.gateway_mac) {
    probe_config.dst_mac = *options.gateway_mac;
  } else {
    if (!options.gateway_ip) {
      return absl::InvalidArgumentError(
          "no gateway: give --gateway-ip (resolved by ARP) or its MAC with -G");
    }
    TLSWEEP_ASSIGN_OR_RETURN(probe_config.dst_mac,
                             ResolveGateway(*options.gateway_ip, config.sources.first, src_mac,
                                            options.arp_timeout_s, receiver, handler, stop));
  }
  std::unique_ptr<GrabPool> pool;
  if (grabbing) {
    TLSWEEP_ASSIGN_OR_RETURN(pool, GrabPool::Create(port, *options.grab, *options.tls,
                                                    config.sources.first, src_mac,
                                                    probe_config.dst_mac,
                                                    static_cast<uint16_t>(senders), stop));
    receiver.set_pool(pool.get());
  }
  const auto write_record = [&writer](std::string_view line) { writer->WriteLine(line); };
  const SynProbe probe(probe_config);
  std::vector<uint8_t> frame(probe.frame_len());
  probe.WriteTemplate(frame.data());
  // Each sender may hold a full TX ring plus a burst; af_packet and most
  // NICs free mbufs long before that.
  const uint32_t probe_mbufs = senders * (4096 + 2 * kBurst) + rte_lcore_count() * 256;
  TLSWEEP_ASSIGN_OR_RETURN(rte_mempool * probe_pool,
                           port.CreateTemplatePool(probe_mbufs, frame));

  std::vector<SenderPosition> from(senders);
  if (!options.resume_file.empty()) {
    TLSWEEP_ASSIGN_OR_RETURN(from, ReadResumeFile(options.resume_file, plan));
  }
  std::vector<std::unique_ptr<SenderCounters>> shared;
  std::vector<std::unique_ptr<SenderContext>> contexts;
  for (uint32_t t = 0; t < senders; ++t) {
    TLSWEEP_ASSIGN_OR_RETURN(ProbeGenerator g, ProbeGenerator::Create(plan, probe, t, from[t]));
    shared.push_back(std::make_unique<SenderCounters>());
    contexts.push_back(std::make_unique<SenderContext>(SenderContext{
        stop, g, RateLimiter(config.rate.Split(senders), static_cast<uint32_t>(probe.wire_len()),
                       rte_get_tsc_hz(), kBurst),
        port.id(), static_cast<uint16_t>(t), probe_pool, shared.back().get()}));
  }

  const uint64_t hz = rte_get_tsc_hz();
  const uint64_t t0 = rte_rdtsc();
  const uint64_t wall0 = WallClockNs();
  {
    uint32_t t = 0;
    unsigned lcore;
    RTE_LCORE_FOREACH_WORKER(lcore) {
      if (t == senders) break;
      if (int ret = rte_eal_remote_launch(SenderMain, contexts[t].get(), lcore); ret != 0) {
        for (uint32_t u = 0; u < t; ++u) shared[u]->abort.store(true);
        rte_eal_mp_wait_lcore();
        return absl::InternalError(absl::StrCat("rte_eal_remote_launch(lcore=", lcore, "): ", ret));
      }
      ++t;
    }
  }
  if (pool) {
    if (absl::Status s = pool->Launch(senders); !s.ok()) {
      for (auto& sh : shared) sh->abort.store(true);
      pool->Finish();
      rte_eal_mp_wait_lcore();
      return s;
    }
  }

  StatusSnapshot prev;
  uint64_t next_status = t0 + hz;
  uint64_t cooldown_end = 0;
  bool sending_done = false;
  bool cooldown_done = false;
  while (true) {
    receiver.Poll();
    if (pool) pool->Poll(write_record);
    const uint64_t now = rte_rdtsc();
    if (!sending_done) {
      bool all = true;
      for (const auto& s : shared) all = all && s->done.load(std::memory_order_acquire);
      if (all) {
        sending_done = true;
        cooldown_end = now + static_cast<uint64_t>(options.cooldown_s * static_cast<double>(hz));
      }
    } else if (!cooldown_done &&
               (now >= cooldown_end || stop.level() == StopLevel::kStopNow)) {
      // No more open ports can come: the pool ends when its grabs do.
      cooldown_done = true;
      if (!pool) break;
      pool->Finish();
    }
    if (cooldown_done && pool->Done()) break;
    if (now >= next_status) {
      const double elapsed = static_cast<double>(now - t0) / static_cast<double>(hz);
      const double left = sending_done ? static_cast<double>(cooldown_end - std::min(now, cooldown_end)) /
                                             static_cast<double>(hz)
                                       : 0;
      const StatusSnapshot snap = Snapshot(shared, handler.counters(), port.Stats(), pool.get(),
                                           elapsed, sending_done, left);
      if (!options.quiet) std::fprintf(stderr, "%s\n", FormatStatusLine(prev, snap).c_str());
      if (status_file) *status_file << StatusCsvRow(prev, snap) << "\n" << std::flush;
      prev = snap;
      next_status += hz;
    }
  }
  rte_eal_mp_wait_lcore();
  if (pool) pool->Poll(write_record);  // the last records
  const double elapsed = static_cast<double>(rte_rdtsc() - t0) / static_cast<double>(hz);
  const uint64_t wall_elapsed_ns = WallClockNs() - wall0;
  const PortStats port_stats = port.Stats();
  const StatusSnapshot last =
      Snapshot(shared, handler.counters(), port_stats, pool.get(), elapsed, true, 0);
  if (!options.quiet) std::fprintf(stderr, "%s\n", FormatStatusLine(prev, last).c_str());
  if (status_file) *status_file << StatusCsvRow(prev, last) << "\n";
  TLSWEEP_RETURN_IF_ERROR(writer->Close());

  bool complete = true;
  std::vector<SenderPosition> positions;
  for (const auto& c : contexts) {
    positions.push_back(c->generator.position());
    complete = complete && c->generator.progress() >= 1.0;
  }
  TLSWEEP_ASSIGN_OR_RETURN(
      const std::string resume_written,
      SaveResumeIfIncomplete(options.resume_out_file, plan, positions, complete));
  if (!resume_written.empty() && !options.quiet) {
    std::fprintf(stderr, "stopped early: continue with --resume %s\n", resume_written.c_str());
  }
  if (!options.metadata_file.empty()) {
    const ReceiveCounters& rx = handler.counters();
    nlohmann::json meta = RunMetadata(
        plan, {grabbing ? "run" : "dpdk", start_time, static_cast<double>(wall_elapsed_ns) / 1e9,
               !stop.running(), complete, options.resume_file,
               resume_written});
    meta["cooldown_seconds"] = options.cooldown_s;
    meta["dpdk"] = {{"port", port.id()},
                    {"driver", port.driver()},
                    {"mac", port.mac().ToString()},
                    {"queues", port.queues()},
                    {"eal_args", options.eal_args}};
    meta["source_mac"] = src_mac.ToString();
    meta["gateway_mac"] = probe_config.dst_mac.ToString();
    meta["frame_bytes"] = probe.frame_len();
    nlohmann::json parse_drops = nlohmann::json::object();
    for (size_t i = static_cast<size_t>(ParseResult::kTruncated);
         i < static_cast<size_t>(ParseResult::kCount); ++i) {
      parse_drops[std::string(ParseResultName(static_cast<ParseResult>(i)))] = rx.parse.by_result[i];
    }
    nlohmann::json validate_drops = nlohmann::json::object();
    for (size_t i = 1; i < static_cast<size_t>(ValidateResult::kCount); ++i) {
      validate_drops[std::string(ValidateResultName(static_cast<ValidateResult>(i)))] =
          rx.validate.by_result[i];
    }
    meta["counters"] = {
        {"sent", last.sent},
        {"tx_failed", last.tx_failed},
        {"frames_received", rx.frames},
        {"synack", rx.synack},
        {"rst", rx.rst},
        {"icmp_unreach", rx.icmp_unreach},
        {"repeats", rx.repeats},
        {"results_written", writer->written()},
        {"arp_replies_sent", rx.arp_replies_sent},
        {"rst_sent", receiver.counters().rst_sent},
        {"control_tx_failed", receiver.counters().control_tx_failed},
        {"arp_ignored", rx.arp_ignored},
        {"parse_drops", parse_drops},
        {"validate_drops", validate_drops},
        {"dedup_bytes", dedup.memory_bytes()},
        {"nic", {{"ipackets", port_stats.ipackets}, {"opackets", port_stats.opackets},
                 {"imissed", port_stats.imissed}, {"ierrors", port_stats.ierrors},
                 {"oerrors", port_stats.oerrors}, {"rx_nombuf", port_stats.rx_nombuf}}},
    };
    uint64_t alloc_failed = 0;
    for (const auto& s : shared) alloc_failed += s->alloc_failed.load();
    meta["counters"]["mbuf_alloc_failed"] = alloc_failed;
    if (pool) {
      meta["grab"] = pool->Metadata();
      meta["grab"]["settings"] = options.grab_settings;
    }
    TLSWEEP_RETURN_IF_ERROR(WriteJsonFile(options.metadata_file, meta));
  }
  return absl::OkStatus();
}

}  // namespace tlsweep
