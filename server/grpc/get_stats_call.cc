#include "server/grpc/get_stats_call.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "server/grpc/proto_convert.h"

namespace corouter::grpc_front {

void GetStatsCall::Request(LoopServices& services) {
  auto* call = new GetStatsCall(services);
  call->ArmDoneNotification();
  services.service->RequestGetStats(&call->ctx_, &call->request_, &call->responder_, services.cq,
                                    services.cq, call->arrived_op_.tag());
}

void GetStatsCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  if (absl::Status status = Authenticate(); !status.ok()) {
    responder_.FinishWithError(ToGrpcStatus(status), finish_tag());
    return;
  }
  SnapshotStats(*services_.shared, &reply_);
  responder_.Finish(reply_, grpc::Status::OK, finish_tag());
}

namespace {

void ToProto(const stats::BucketHistogram& h, corouter::v1::DurationHistogram* out) {
  for (const std::chrono::nanoseconds bound : h.bounds())
    out->add_bucket_bounds_nanos(bound.count());
  for (const uint64_t count : h.counts()) out->add_bucket_counts(count);
  out->set_count(h.count());
  out->set_sum_nanos(h.sum().count());
}

}  // namespace

void SnapshotStats(const ServerShared& shared, corouter::v1::GetStatsResponse* out) {
  const std::shared_ptr<const ServedApp> served = shared.apps->current();
  const app::App& app = served->app();
  ToProto(*served, out->mutable_app());
  using std::chrono::nanoseconds;
  out->set_uptime_nanos(
      std::chrono::duration_cast<nanoseconds>(std::chrono::steady_clock::now() - shared.started)
          .count());
  out->set_in_flight(shared.in_flight.load());
  std::vector<stats::RouteStats::Slot> slots;
  for (const LoopServices* services : shared.loops) {
    const loop::LoopStats loop_stats = services->loop->stats();
    corouter::v1::LoopStats* l = out->add_loops();
    l->set_loop(services->loop->index());
    l->set_in_flight(services->counters.in_flight.load());
    l->set_completed(services->counters.completed.load());
    l->set_cancelled(services->counters.cancelled.load());
    l->set_refused(services->counters.refused.load());
    l->set_busy_ratio(loop_stats.running.count() > 0
                          ? static_cast<double>(loop_stats.busy.count()) /
                                static_cast<double>(loop_stats.running.count())
                          : 0.0);
    l->set_longest_slice_nanos(loop_stats.longest_slice.count());
    l->set_blocking_slices(loop_stats.slow_slices);
    ToProto(loop_stats.lag, l->mutable_lag());
    l->set_deadline_exceeded(services->counters.deadline_exceeded.load());
    served->route_stats(services->loop->index()).MergeInto(&slots);
  }
  corouter::v1::ExecutorStats* e = out->mutable_executor();
  e->set_capacity(static_cast<uint32_t>(shared.executor->capacity()));
  e->set_running(static_cast<uint32_t>(shared.executor->running()));
  e->set_queued(static_cast<uint32_t>(shared.executor->queued()));
  e->set_max_running(static_cast<uint32_t>(shared.executor->max_running()));
  if (shared.hub != nullptr) {
    const watch::HubStats hub = shared.hub->stats();
    corouter::v1::WatchStats* w = out->mutable_watch();
    w->set_subscribers(static_cast<uint32_t>(hub.subscribers));
    w->set_events_sent(hub.events_sent);
    w->set_events_dropped(hub.events_dropped);
    w->set_history(static_cast<uint32_t>(hub.history));
    w->set_history_capacity(static_cast<uint32_t>(hub.history_capacity));
  }
  if (shared.otlp != nullptr) {
    const otlp::OtlpStats o = shared.otlp->stats();
    corouter::v1::OtlpStats* p = out->mutable_otlp();
    p->set_endpoint(shared.otlp->options().endpoint);
    p->set_spans_exported(o.spans_exported);
    p->set_spans_dropped(o.spans_dropped);
    p->set_export_failures(o.export_failures);
    p->set_queued_spans(static_cast<uint32_t>(o.queued_spans));
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    corouter::v1::RouteStats* r = out->add_routes();
    if (i < app.operations().size()) {
      r->set_path_template(app.operations()[i].path);
      r->set_endpoint(app.operations()[i].endpoint);
    }
    const stats::LatencyHistogram& h = slots[i].latency;
    r->set_count(h.count());
    r->set_cancelled(slots[i].cancelled);
    r->set_p50_nanos(h.Percentile(0.50).count());
    r->set_p90_nanos(h.Percentile(0.90).count());
    r->set_p99_nanos(h.Percentile(0.99).count());
    r->set_max_nanos(h.max().count());
    // Sorted (method, then status), so the output is stable.
    std::vector<std::pair<std::string, int>> keys;
    for (const auto& [method, by_status] : slots[i].responses) {
      for (const auto& entry : by_status) keys.emplace_back(method, entry.first);
    }
    std::sort(keys.begin(), keys.end());
    for (const auto& [method, status] : keys) {
      corouter::v1::ResponseCount* c = r->add_responses();
      c->set_method(method);
      c->set_status_code(status);
      c->set_count(slots[i].responses.find(method)->second.find(status)->second);
    }
    ToProto(slots[i].duration, r->mutable_duration());
  }
}

}  // namespace corouter::grpc_front
