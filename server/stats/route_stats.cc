#include "server/stats/route_stats.h"

#include <algorithm>

namespace corouter::stats {

RouteStats::RouteStats(size_t routes) {
  slots_.reserve(routes + 1);
  for (size_t i = 0; i <= routes; ++i) slots_.push_back(std::make_unique<Guarded>());
}

void RouteStats::Record(size_t route, std::chrono::nanoseconds latency, bool cancelled) {
  Guarded& g = *slots_[std::min(route, slots_.size() - 1)];
  absl::MutexLock lock(&g.mu);
  g.slot.latency.Record(latency);
  if (cancelled) ++g.slot.cancelled;
}

void RouteStats::MergeInto(std::vector<Slot>* out) const {
  out->resize(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) {
    absl::MutexLock lock(&slots_[i]->mu);
    (*out)[i].cancelled += slots_[i]->slot.cancelled;
    (*out)[i].latency.Merge(slots_[i]->slot.latency);
  }
}

}  // namespace corouter::stats
