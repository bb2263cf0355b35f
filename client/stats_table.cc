#include "client/stats_table.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/aligned_table.h"
#include "client/text_cell.h"

namespace corouter::client {

std::string FormatNanos(int64_t nanos) {
  const double n = static_cast<double>(nanos);
  if (nanos < 1000) return absl::StrCat(nanos, "ns");
  if (nanos < 1000000) return absl::StrFormat("%.3gus", n / 1e3);
  if (nanos < 1000000000) return absl::StrFormat("%.3gms", n / 1e6);
  return absl::StrFormat("%.3gs", n / 1e9);
}

std::vector<std::string> RenderStats(const corouter::v1::GetStatsResponse& stats) {
  std::vector<std::string> lines;
  lines.push_back(absl::StrCat("uptime ", FormatNanos(stats.uptime_nanos()), ", ",
                               stats.in_flight(), " in flight"));
  lines.push_back("");
  std::vector<std::vector<std::string>> loops = {{"LOOP", "IN FLIGHT", "COMPLETED", "CANCELLED",
                                                  "REFUSED", "BUSY", "LONGEST SLICE", "BLOCKING"}};
  for (const auto& l : stats.loops()) {
    loops.push_back({absl::StrCat(l.loop()), absl::StrCat(l.in_flight()),
                     absl::StrCat(l.completed()), absl::StrCat(l.cancelled()),
                     absl::StrCat(l.refused()), absl::StrFormat("%.1f%%", 100 * l.busy_ratio()),
                     FormatNanos(l.longest_slice_nanos()), absl::StrCat(l.blocking_slices())});
  }
  for (std::string& line : RenderAlignedTable(loops)) lines.push_back(std::move(line));
  lines.push_back("");
  const auto& e = stats.executor();
  lines.push_back(absl::StrCat("executor: ", e.running(), " running, ", e.queued(),
                               " queued, capacity ", e.capacity(), ", at most ", e.max_running(),
                               " at once so far"));
  const auto& w = stats.watch();
  lines.push_back(absl::StrCat("watch: ", w.subscribers(), " subscribers, ", w.events_sent(),
                               " events sent, ", w.events_dropped(), " dropped; history ",
                               w.history(), " of ", w.history_capacity(), " traces"));
  if (stats.has_otlp()) {
    const auto& o = stats.otlp();
    lines.push_back(absl::StrCat("otlp: ", SanitizeCell(o.endpoint()), ", ", o.spans_exported(),
                                 " spans exported, ", o.spans_dropped(), " dropped, ",
                                 o.queued_spans(), " queued, ", o.export_failures(),
                                 " failed exports"));
  }
  lines.push_back("");
  std::vector<std::vector<std::string>> routes = {
      {"PATH", "ENDPOINT", "COUNT", "CANCELLED", "P50", "P90", "P99", "MAX"}};
  for (const auto& r : stats.routes()) {
    if (r.count() == 0) continue;
    routes.push_back({r.path_template().empty() ? "(no route)" : SanitizeCell(r.path_template()),
                      SanitizeCell(r.endpoint()), absl::StrCat(r.count()),
                      absl::StrCat(r.cancelled()), FormatNanos(r.p50_nanos()),
                      FormatNanos(r.p90_nanos()), FormatNanos(r.p99_nanos()),
                      FormatNanos(r.max_nanos())});
  }
  for (std::string& line : RenderAlignedTable(routes)) lines.push_back(std::move(line));
  return lines;
}

}  // namespace corouter::client
