#include "server/stats/route_stats.h"

#include <algorithm>

namespace corouter::stats {

RouteStats::RouteStats(size_t routes) {
  slots_.reserve(routes + 1);
  for (size_t i = 0; i <= routes; ++i) slots_.push_back(std::make_unique<Guarded>());
}

void RouteStats::Record(size_t route, std::chrono::nanoseconds latency, const Ending& ending) {
  Guarded& g = *slots_[std::min(route, slots_.size() - 1)];
  sync::MutexLock lock(&g.mu);
  g.slot.latency.Record(latency);
  g.slot.duration.Record(latency);
  if (ending.cancelled) ++g.slot.cancelled;
  if (ending.deadline_exceeded) ++g.slot.deadline_exceeded;
  // Heterogeneous lookup, with absl::string_view (Debian's Abseil does not
  // alias std's): no copy of the method.
  auto it = g.slot.responses.find(absl::string_view(ending.method.data(), ending.method.size()));
  if (it == g.slot.responses.end()) {
    it = g.slot.responses.emplace(std::string(ending.method), absl::flat_hash_map<int, uint64_t>())
             .first;
  }
  ++it->second[ending.status_code];
}

void RouteStats::MergeInto(std::vector<Slot>* out) const {
  out->resize(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Guarded& g = *slots_[i];
    sync::MutexLock lock(&g.mu);
    const Slot& from = g.slot;
    Slot& to = (*out)[i];
    to.cancelled += from.cancelled;
    to.deadline_exceeded += from.deadline_exceeded;
    to.latency.Merge(from.latency);
    to.duration.Merge(from.duration);
    for (const auto& [method, by_status] : from.responses) {
      for (const auto& [status, count] : by_status) to.responses[method][status] += count;
    }
  }
}

}  // namespace corouter::stats
