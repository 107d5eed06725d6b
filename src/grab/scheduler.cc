#include "grab/scheduler.h"

#include <algorithm>

namespace tlsweep {

GrabScheduler::GrabScheduler(const TlsContext& tls, const GrabOptions& options)
    : tls_(tls),
      options_(options),
      limiter_(RateSpec::Packets(options.connect_rate), 0, 1000,
               static_cast<uint32_t>(std::max<uint64_t>(1, options.connect_rate / 20))) {}

std::optional<GrabScheduler::Started> GrabScheduler::Next(uint64_t now_ms) {
  size_t deferred = 0;
  while (in_flight_ < options_.concurrency && deferred < ready_.size()) {
    QueuedGrab grab = std::move(ready_.front());
    ready_.pop_front();
    const uint32_t host = grab.target.ip.value();
    // find(), not operator[]: an entry exists only while the address has a
    // grab in flight, so skipped targets leave none behind.
    const auto busy = per_host_.find(host);
    if (busy != per_host_.end() && busy->second >= options_.per_host) {
      ready_.push_back(std::move(grab));  // again when one of its grabs ends
      ++deferred;
      continue;
    }
    const std::optional<std::string_view> module = options_.ports.ModuleFor(grab.target.port);
    ++stats_.started;
    if (!module) {
      ++stats_.no_module;
      continue;
    }
    if (limiter_.Acquire(now_ms, 1) == 0) {
      --stats_.started;
      ready_.push_front(std::move(grab));
      return std::nullopt;
    }
    const std::string& server_name = ServerName(grab.target);
    auto session = std::make_unique<GrabSession>(MakeModule(*module, MakeModuleOptions(grab.target)),
                                                 tls_, server_name,
                                                 grab.target.ip, grab.target.port,
                                                 options_.timeouts, now_ms);
    ++per_host_[host];
    ++in_flight_;
    return Started{std::move(grab), std::move(session)};
  }
  return std::nullopt;
}

const std::string& GrabScheduler::ServerName(const GrabTarget& target) const {
  if (!target.name.empty()) return target.name;
  const auto named = options_.names.find(target.ip.value());
  return named != options_.names.end() ? named->second : options_.server_name;
}

ModuleOptions GrabScheduler::MakeModuleOptions(const GrabTarget& target) const {
  ModuleOptions mo = options_.module_options;
  mo.target_address = target.ip.ToString();
  mo.server_name = ServerName(target);
  return mo;
}

std::unique_ptr<RawProbeSession> GrabScheduler::MakeRawProbe(const GrabTarget& target,
                                                             size_t index,
                                                             uint64_t now_ms) const {
  return MakeProbe(target, options_.raw_probes[index], now_ms);
}

std::unique_ptr<RawProbeSession> GrabScheduler::MakeProbe(const GrabTarget& target,
                                                          const ClientHelloProfile& profile,
                                                          uint64_t now_ms) const {
  // The grab started, so its port has a module.
  const std::string_view module = *options_.ports.ModuleFor(target.port);
  return std::make_unique<RawProbeSession>(MakeModule(module, MakeModuleOptions(target)),
                                           profile, tls_, ServerName(target),
                                           options_.timeouts, now_ms);
}

bool GrabScheduler::AcquireEnumerationConnection(const GrabTarget& target, uint64_t now_ms) {
  const auto next = enumeration_next_ms_.find(target.ip.value());
  if (next != enumeration_next_ms_.end() && now_ms < next->second) return false;
  if (!AcquireConnection(now_ms)) return false;
  enumeration_next_ms_[target.ip.value()] = now_ms + options_.enumeration.interval_ms;
  return true;
}

void GrabScheduler::EnumerationRecorded(const EnumerationResult& enumeration) {
  ++stats_.enumerations;
  stats_.enumeration_connections += enumeration.connections;
  if (enumeration.truncated) ++stats_.enumerations_truncated;
}

void GrabScheduler::RawProbeRecorded(GrabStatus status) {
  ++stats_.raw_probes;
  ++stats_.raw_probe_status[static_cast<size_t>(status)];
}

std::optional<QueuedGrab> GrabScheduler::Pop() {
  if (ready_.empty()) return std::nullopt;
  QueuedGrab g = std::move(ready_.front());
  ready_.pop_front();
  return g;
}

void GrabScheduler::Recorded(GrabStatus status) {
  ++stats_.finished;
  ++stats_.by_status[static_cast<size_t>(status)];
}

void GrabScheduler::Release(const GrabTarget& target) {
  --in_flight_;
  const auto it = per_host_.find(target.ip.value());
  if (--it->second == 0) {
    per_host_.erase(it);
    enumeration_next_ms_.erase(target.ip.value());
  }
}

}  // namespace tlsweep
