// server/metrics/prometheus_text.h
//
// The server's counters (a GetStats snapshot) in the Prometheus text
// exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), as served
// on GET /metrics. Names follow Prometheus' conventions: a `corouter_`
// prefix, base units (seconds), `_total` for counters.
//
//   corouter_requests_total{route,method,status}       counter
//   corouter_request_duration_seconds{route}           histogram
//   corouter_requests_in_flight                        gauge
//   corouter_requests_refused_total{loop}              counter (--max-in-flight)
//   corouter_requests_cancelled_total{loop}            counter (client, deadline, shutdown)
//   corouter_requests_deadline_exceeded_total{loop}    counter (of the cancelled)
//   corouter_loop_busy_ratio{loop}                     gauge
//   corouter_loop_blocking_slices_total{loop}          counter (over --slow-callback)
//   corouter_loop_longest_slice_seconds{loop}          gauge
//   corouter_loop_lag_seconds{loop}                    histogram
//   corouter_executor_running / _queued / _capacity    gauges
//   corouter_watch_subscribers                         gauge
//   corouter_watch_events_sent_total / _dropped_total  counters
//   corouter_otlp_spans_exported_total / _dropped_total, corouter_otlp_export_failures_total
//                                                      counters (with --otlp-endpoint)
//   corouter_otlp_queued_spans                         gauge (likewise)
//   corouter_uptime_seconds                            gauge
//
// `route` is the path template ("/slow_task/{item_id}"), or "none" for
// requests that matched no route (404, 405); `status` is the response's
// status code, or "cancelled" for a request that got none.
//
// Thread safety: a pure function.
#ifndef COROUTER_SERVER_METRICS_PROMETHEUS_TEXT_H_
#define COROUTER_SERVER_METRICS_PROMETHEUS_TEXT_H_

#include <string>
#include <string_view>

#include "corouter/v1/execution.pb.h"

namespace corouter::metrics {

/// The Content-Type of RenderMetrics' output.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

/// `stats` as exposition text: every family's # HELP and # TYPE, then its
/// samples.
std::string RenderMetrics(const corouter::v1::GetStatsResponse& stats);

/// A label value escaped as the format requires (\\, \", \n).
std::string EscapeLabelValue(std::string_view value);

}  // namespace corouter::metrics

#endif  // COROUTER_SERVER_METRICS_PROMETHEUS_TEXT_H_
