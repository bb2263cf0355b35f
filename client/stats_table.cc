#include "client/stats_table.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/aligned_table.h"
#include "client/app_command.h"
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
  if (stats.has_app()) lines.push_back(FormatAppVersion(stats.app()));
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

std::string HistogramQuantile(const corouter::v1::DurationHistogram& histogram, double quantile) {
  uint64_t total = 0;
  for (uint64_t count : histogram.bucket_counts()) total += count;
  if (total == 0) return "-";
  // The smallest bucket whose cumulative count reaches the quantile's rank.
  const auto rank = static_cast<uint64_t>(std::ceil(quantile * static_cast<double>(total)));
  uint64_t seen = 0;
  for (int i = 0; i < histogram.bucket_counts_size(); ++i) {
    seen += histogram.bucket_counts(i);
    if (seen >= std::max<uint64_t>(rank, 1)) {
      if (i < histogram.bucket_bounds_nanos_size()) {
        return absl::StrCat("<=", FormatNanos(histogram.bucket_bounds_nanos(i)));
      }
      break;
    }
  }
  return histogram.bucket_bounds_nanos_size() == 0
             ? "-"
             : absl::StrCat(">", FormatNanos(histogram.bucket_bounds_nanos(
                                     histogram.bucket_bounds_nanos_size() - 1)));
}

namespace {

// Adds `add`'s buckets to `sum`; false when their bounds differ (servers of
// different versions), which leaves `sum` unusable.
bool AddHistogram(corouter::v1::DurationHistogram& sum,
                  const corouter::v1::DurationHistogram& add) {
  if (sum.bucket_bounds_nanos_size() == 0 && sum.bucket_counts_size() == 0) {
    sum = add;
    return true;
  }
  if (!std::equal(sum.bucket_bounds_nanos().begin(), sum.bucket_bounds_nanos().end(),
                  add.bucket_bounds_nanos().begin(), add.bucket_bounds_nanos().end()) ||
      sum.bucket_counts_size() != add.bucket_counts_size()) {
    return false;
  }
  for (int i = 0; i < add.bucket_counts_size(); ++i) {
    sum.set_bucket_counts(i, sum.bucket_counts(i) + add.bucket_counts(i));
  }
  sum.set_count(sum.count() + add.count());
  sum.set_sum_nanos(sum.sum_nanos() + add.sum_nanos());
  return true;
}

std::string Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "-"
                    : absl::StrFormat(
                          "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

}  // namespace

std::vector<std::string> RenderMergedStats(const std::vector<ServerStats>& servers) {
  struct Totals {
    int64_t in_flight = 0;
    uint64_t completed = 0, cancelled = 0, refused = 0, blocking = 0;
  };
  std::vector<Totals> per_server(servers.size());
  Totals total;
  size_t answered = 0;
  for (size_t i = 0; i < servers.size(); ++i) {
    if (!servers[i].stats) continue;
    ++answered;
    Totals& t = per_server[i];
    t.in_flight = servers[i].stats->in_flight();
    for (const auto& l : servers[i].stats->loops()) {
      t.completed += l.completed();
      t.cancelled += l.cancelled();
      t.refused += l.refused();
      t.blocking += l.blocking_slices();
    }
    total.in_flight += t.in_flight;
    total.completed += t.completed;
    total.cancelled += t.cancelled;
    total.refused += t.refused;
    total.blocking += t.blocking;
  }
  std::vector<std::string> lines;
  lines.push_back(absl::StrCat(servers.size(), " servers, ", answered, " answered; ",
                               total.in_flight, " in flight, ", total.completed, " completed"));
  lines.push_back("");
  std::vector<std::vector<std::string>> rows = {{"SERVER", "APP", "UPTIME", "IN FLIGHT",
                                                 "COMPLETED", "SHARE", "CANCELLED", "REFUSED",
                                                 "BLOCKING", "EXECUTOR"}};
  for (size_t i = 0; i < servers.size(); ++i) {
    const std::string name = SanitizeCell(servers[i].server);
    if (!servers[i].stats) {
      rows.push_back({name, SanitizeCell(servers[i].error)});
      continue;
    }
    const Totals& t = per_server[i];
    const auto& e = servers[i].stats->executor();
    rows.push_back(
        {name,
         servers[i].stats->has_app() ? absl::StrCat("v", servers[i].stats->app().version()) : "-",
         FormatNanos(servers[i].stats->uptime_nanos()), absl::StrCat(t.in_flight),
         absl::StrCat(t.completed), Percent(t.completed, total.completed),
         absl::StrCat(t.cancelled), absl::StrCat(t.refused), absl::StrCat(t.blocking),
         absl::StrCat(e.running(), "/", e.capacity(), " running")});
  }
  rows.push_back({"total", "", "", absl::StrCat(total.in_flight), absl::StrCat(total.completed),
                  Percent(total.completed, total.completed), absl::StrCat(total.cancelled),
                  absl::StrCat(total.refused), absl::StrCat(total.blocking), ""});
  for (std::string& line : RenderAlignedTable(rows)) lines.push_back(std::move(line));

  // Routes over every server, in the order they first appear.
  struct Route {
    std::string path_template, endpoint;
    std::vector<uint64_t> counts;
    uint64_t cancelled = 0;
    int64_t max_nanos = 0;
    corouter::v1::DurationHistogram duration;
    bool mergeable = true;
  };
  std::vector<Route> routes;
  for (size_t i = 0; i < servers.size(); ++i) {
    if (!servers[i].stats) continue;
    for (const auto& r : servers[i].stats->routes()) {
      if (r.count() == 0) continue;
      auto it = std::find_if(routes.begin(), routes.end(), [&r](const Route& route) {
        return route.path_template == r.path_template() && route.endpoint == r.endpoint();
      });
      if (it == routes.end()) {
        Route route;
        route.path_template = r.path_template();
        route.endpoint = r.endpoint();
        route.counts.assign(servers.size(), 0);
        it = routes.insert(routes.end(), std::move(route));
      }
      it->counts[i] += r.count();
      it->cancelled += r.cancelled();
      it->max_nanos = std::max(it->max_nanos, r.max_nanos());
      it->mergeable = it->mergeable && AddHistogram(it->duration, r.duration());
    }
  }
  lines.push_back("");
  std::vector<std::string> header = {"PATH", "ENDPOINT", "COUNT"};
  for (const ServerStats& server : servers) header.push_back(SanitizeCell(server.server));
  for (const char* name : {"CANCELLED", "P50", "P90", "P99", "MAX"}) header.push_back(name);
  std::vector<std::vector<std::string>> route_rows = {header};
  for (const Route& r : routes) {
    uint64_t count = 0;
    for (uint64_t c : r.counts) count += c;
    std::vector<std::string> row = {
        r.path_template.empty() ? "(no route)" : SanitizeCell(r.path_template),
        SanitizeCell(r.endpoint), absl::StrCat(count)};
    for (uint64_t c : r.counts) row.push_back(absl::StrCat(c));
    row.push_back(absl::StrCat(r.cancelled));
    for (double q : {0.5, 0.9, 0.99}) {
      row.push_back(r.mergeable ? HistogramQuantile(r.duration, q) : "-");
    }
    row.push_back(FormatNanos(r.max_nanos));
    route_rows.push_back(std::move(row));
  }
  for (std::string& line : RenderAlignedTable(route_rows)) lines.push_back(std::move(line));
  return lines;
}

}  // namespace corouter::client
