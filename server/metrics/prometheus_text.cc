#include "server/metrics/prometheus_text.h"

#include <charconv>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace corouter::metrics {
namespace {

namespace v1 = ::corouter::v1;
using Labels = std::vector<std::pair<std::string, std::string>>;

// The shortest text that reads back as `value` (Go's strconv 'g', which
// Prometheus itself writes, is the same up to exponent spelling).
std::string Number(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string Seconds(int64_t nanos) { return Number(static_cast<double>(nanos) / 1e9); }

class Writer {
 public:
  void Family(absl::string_view name, absl::string_view type, absl::string_view help) {
    absl::StrAppend(&out_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  }
  void Sample(absl::string_view name, const Labels& labels, absl::string_view value) {
    absl::StrAppend(&out_, name);
    if (!labels.empty()) {
      out_ += '{';
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out_ += ',';
        absl::StrAppend(&out_, labels[i].first, "=\"", EscapeLabelValue(labels[i].second), "\"");
      }
      out_ += '}';
    }
    absl::StrAppend(&out_, " ", value, "\n");
  }
  void Sample(absl::string_view name, const Labels& labels, uint64_t value) {
    Sample(name, labels, absl::StrCat(value));
  }
  // A histogram's samples: cumulative buckets with le in seconds, +Inf, sum, count.
  void Histogram(absl::string_view name, const Labels& labels, const v1::DurationHistogram& h) {
    uint64_t cumulative = 0;
    for (int i = 0; i < h.bucket_counts_size(); ++i) {
      cumulative += h.bucket_counts(i);
      Labels with_le = labels;
      with_le.emplace_back("le", i < h.bucket_bounds_nanos_size()
                                     ? Seconds(h.bucket_bounds_nanos(i))
                                     : std::string("+Inf"));
      Sample(absl::StrCat(name, "_bucket"), with_le, cumulative);
    }
    if (h.bucket_counts_size() == 0) {
      Labels with_le = labels;
      with_le.emplace_back("le", "+Inf");
      Sample(absl::StrCat(name, "_bucket"), with_le, uint64_t{0});
    }
    Sample(absl::StrCat(name, "_sum"), labels, Seconds(h.sum_nanos()));
    Sample(absl::StrCat(name, "_count"), labels, h.count());
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string RouteLabel(const v1::RouteStats& route) {
  return route.path_template().empty() ? "none" : route.path_template();
}

std::string LoopLabel(const v1::LoopStats& loop) { return absl::StrCat(loop.loop()); }

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderMetrics(const v1::GetStatsResponse& stats) {
  Writer w;
  w.Family("corouter_requests_total", "counter",
           "Requests that ended, by route (path template; none: no route matched), method and "
           "status (the response's status code; cancelled: no response).");
  for (const v1::RouteStats& route : stats.routes()) {
    for (const v1::ResponseCount& c : route.responses()) {
      w.Sample("corouter_requests_total",
               {{"route", RouteLabel(route)},
                {"method", c.method()},
                {"status", c.status_code() == 0 ? "cancelled" : absl::StrCat(c.status_code())}},
               c.count());
    }
  }
  w.Family("corouter_request_duration_seconds", "histogram",
           "Requests from RECEIVED to the response handed to gRPC (or the cancellation), by "
           "route.");
  for (const v1::RouteStats& route : stats.routes()) {
    w.Histogram("corouter_request_duration_seconds", {{"route", RouteLabel(route)}},
                route.duration());
  }
  w.Family("corouter_requests_in_flight", "gauge", "Requests executing now, server-wide.");
  w.Sample("corouter_requests_in_flight", {}, absl::StrCat(stats.in_flight()));

  struct LoopCounter {
    const char* name;
    const char* help;
    uint64_t (v1::LoopStats::*field)() const;
  };
  const LoopCounter counters[] = {
      {"corouter_requests_refused_total", "Calls refused at once: over --max-in-flight.",
       &v1::LoopStats::refused},
      {"corouter_requests_cancelled_total",
       "Requests cancelled by the client, a deadline or shutdown.", &v1::LoopStats::cancelled},
      {"corouter_requests_deadline_exceeded_total",
       "Cancelled requests whose deadline passed (gRPC's or --max-deadline).",
       &v1::LoopStats::deadline_exceeded},
      {"corouter_loop_blocking_slices_total",
       "Slices of loop work longer than --slow-callback: blocking calls that held the loop.",
       &v1::LoopStats::blocking_slices},
  };
  for (const LoopCounter& c : counters) {
    w.Family(c.name, "counter", c.help);
    for (const v1::LoopStats& loop : stats.loops()) {
      w.Sample(c.name, {{"loop", LoopLabel(loop)}}, (loop.*c.field)());
    }
  }
  w.Family("corouter_loop_busy_ratio", "gauge",
           "Fraction of the time since start that the loop thread ran work rather than waited.");
  for (const v1::LoopStats& loop : stats.loops()) {
    w.Sample("corouter_loop_busy_ratio", {{"loop", LoopLabel(loop)}}, Number(loop.busy_ratio()));
  }
  w.Family("corouter_loop_longest_slice_seconds", "gauge",
           "The longest slice of loop work so far (a resume until the next suspension).");
  for (const v1::LoopStats& loop : stats.loops()) {
    w.Sample("corouter_loop_longest_slice_seconds", {{"loop", LoopLabel(loop)}},
             Seconds(loop.longest_slice_nanos()));
  }
  w.Family("corouter_loop_lag_seconds", "histogram",
           "Loop lag: how late a due timer or ready coroutine ran (Node's "
           "monitorEventLoopDelay); blocking calls drive it up.");
  for (const v1::LoopStats& loop : stats.loops()) {
    w.Histogram("corouter_loop_lag_seconds", {{"loop", LoopLabel(loop)}}, loop.lag());
  }
  w.Family("corouter_executor_running", "gauge", "Executor threads running work now.");
  w.Sample("corouter_executor_running", {}, uint64_t{stats.executor().running()});
  w.Family("corouter_executor_queued", "gauge", "Work waiting for an executor thread now.");
  w.Sample("corouter_executor_queued", {}, uint64_t{stats.executor().queued()});
  w.Family("corouter_executor_capacity", "gauge", "Executor threads at most (--executor-threads).");
  w.Sample("corouter_executor_capacity", {}, uint64_t{stats.executor().capacity()});
  w.Family("corouter_watch_subscribers", "gauge", "Open WatchTraces streams.");
  w.Sample("corouter_watch_subscribers", {}, uint64_t{stats.watch().subscribers()});
  w.Family("corouter_watch_events_sent_total", "counter",
           "Trace events written to WatchTraces subscribers.");
  w.Sample("corouter_watch_events_sent_total", {}, stats.watch().events_sent());
  w.Family("corouter_watch_events_dropped_total", "counter",
           "Trace events dropped because a WatchTraces subscriber's queue was full.");
  w.Sample("corouter_watch_events_dropped_total", {}, stats.watch().events_dropped());
  if (stats.has_otlp()) {
    w.Family("corouter_otlp_spans_exported_total", "counter", "Spans the OTLP receiver accepted.");
    w.Sample("corouter_otlp_spans_exported_total", {}, stats.otlp().spans_exported());
    w.Family("corouter_otlp_spans_dropped_total", "counter",
             "Spans lost: the export queue was full, the receiver refused them, or shutdown's "
             "grace ran out.");
    w.Sample("corouter_otlp_spans_dropped_total", {}, stats.otlp().spans_dropped());
    w.Family("corouter_otlp_export_failures_total", "counter",
             "OTLP Export calls that failed (each retry counts).");
    w.Sample("corouter_otlp_export_failures_total", {}, stats.otlp().export_failures());
    w.Family("corouter_otlp_queued_spans", "gauge", "Spans waiting in the export queue now.");
    w.Sample("corouter_otlp_queued_spans", {}, uint64_t{stats.otlp().queued_spans()});
  }
  w.Family("corouter_uptime_seconds", "gauge", "Time since the server started.");
  w.Sample("corouter_uptime_seconds", {}, Seconds(stats.uptime_nanos()));
  return w.Take();
}

}  // namespace corouter::metrics
