#include "grab/scheduler.h"

#include <algorithm>

#include "scan/result_output.h"

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
    if (per_host_[host] >= options_.per_host) {
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
    // The input's name for this target, else its address's, else --server-name.
    const std::string* server_name = &grab.target.name;
    if (server_name->empty()) {
      const auto named = options_.names.find(host);
      server_name = named != options_.names.end() ? &named->second : &options_.server_name;
    }
    ModuleOptions mo = options_.module_options;
    mo.target_address = grab.target.ip.ToString();
    mo.server_name = *server_name;
    auto session = std::make_unique<GrabSession>(MakeModule(*module, mo), tls_, *server_name,
                                                 grab.target.ip, grab.target.port,
                                                 options_.timeouts, now_ms);
    ++per_host_[host];
    ++in_flight_;
    return Started{std::move(grab), std::move(session)};
  }
  return std::nullopt;
}

std::optional<QueuedGrab> GrabScheduler::Pop() {
  if (ready_.empty()) return std::nullopt;
  QueuedGrab g = std::move(ready_.front());
  ready_.pop_front();
  return g;
}

void GrabScheduler::Finished(const GrabTarget& target, GrabStatus status) {
  ++stats_.finished;
  ++stats_.by_status[static_cast<size_t>(status)];
  --in_flight_;
  const uint32_t host = target.ip.value();
  if (--per_host_[host] == 0) per_host_.erase(host);
}

namespace {

std::string Line(const nlohmann::json& record) {
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

}  // namespace

std::string GrabRecordLine(const GrabSession& session, const std::optional<ScanResult>& scan) {
  nlohmann::json record = session.Record();
  if (scan) record["scan"] = ScanResultJson(*scan);
  return Line(record);
}

std::string NotGrabbedRecordLine(const ScanResult& scan, std::string_view reason) {
  return Line({{"ip", scan.response.target.ToString()},
               {"port", scan.response.port},
               {"scan", ScanResultJson(scan)},
               {"not_grabbed", reason}});
}

}  // namespace tlsweep
