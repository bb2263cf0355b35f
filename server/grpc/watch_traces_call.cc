#include "server/grpc/watch_traces_call.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/grpc/proto_convert.h"

namespace corouter::grpc_front {
namespace v1 = corouter::v1;

absl::StatusOr<watch::SubscribeOptions> SubscribeOptionsFromProto(
    const v1::WatchTracesRequest& request) {
  watch::SubscribeOptions options;
  switch (request.mode()) {
    case v1::WATCH_MODE_UNSPECIFIED:
    case v1::WATCH_MODE_LIVE:
      options.completed_mode = false;
      break;
    case v1::WATCH_MODE_COMPLETED:
      options.completed_mode = true;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("mode: ", static_cast<int>(request.mode()), " is not a WatchMode"));
  }
  const v1::WatchFilter& f = request.filter();
  watch::WatchFilterSpec spec;
  spec.completed_mode = options.completed_mode;
  spec.path_templates.assign(f.path_templates().begin(), f.path_templates().end());
  spec.endpoints.assign(f.endpoints().begin(), f.endpoints().end());
  spec.methods.assign(f.methods().begin(), f.methods().end());
  spec.status.assign(f.status().begin(), f.status().end());
  for (int outcome : f.outcomes()) {
    switch (outcome) {
      case v1::OUTCOME_RESPONDED:
        spec.outcomes.push_back(watch::Outcome::kResponded);
        break;
      case v1::OUTCOME_FAILED:
        spec.outcomes.push_back(watch::Outcome::kFailed);
        break;
      case v1::OUTCOME_CANCELLED:
        spec.outcomes.push_back(watch::Outcome::kCancelled);
        break;
      case v1::OUTCOME_BLOCKED_LOOP:
        spec.outcomes.push_back(watch::Outcome::kBlockedLoop);
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("filter.outcomes: ", outcome, " is not an Outcome"));
    }
  }
  spec.min_duration = std::chrono::nanoseconds(f.min_duration_nanos());
  spec.sample_rate = f.sample_rate() == 0.0 ? 1.0 : f.sample_rate();
  absl::StatusOr<watch::WatchFilter> filter = watch::WatchFilter::Create(spec);
  if (!filter.ok()) return filter.status();
  options.filter = *std::move(filter);
  options.replay = request.replay();
  if (!request.resume_cursor().empty()) options.resume_cursor = request.resume_cursor();
  return options;
}

void WatchTracesCall::Request(LoopServices& services) {
  auto* call = new WatchTracesCall(services);
  call->ArmDoneNotification();
  services.service->RequestWatchTraces(&call->ctx_, &call->request_, &call->writer_, services.cq,
                                       services.cq, call->arrived_op_.tag());
}

WatchTracesCall::~WatchTracesCall() {
  handle_->call = nullptr;
  Stop();
}

void WatchTracesCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  absl::Status status = Authenticate();
  absl::StatusOr<watch::SubscribeOptions> options =
      status.ok() ? SubscribeOptionsFromProto(request_) : status;
  if (status.ok()) status = options.status();
  if (status.ok()) {
    // The hub calls this on the publishing thread: hop to our loop.
    auto wake = [loop = services_.loop, handle = handle_] {
      loop->Post([handle] {
        if (handle->call != nullptr) handle->call->Pump();
      });
    };
    auto subscription = services_.shared->hub->Subscribe(*std::move(options), std::move(wake));
    status = subscription.status();
    if (status.ok()) subscription_ = *std::move(subscription);
  }
  if (!status.ok()) {
    FinishOnce(ToGrpcStatus(status));
    return;
  }
  services_.watches.insert(this);
  Pump();
}

void WatchTracesCall::Pump() {
  if (write_in_flight_ || finish_started() || subscription_ == nullptr) return;
  watch::Batch batch = services_.shared->hub->TakeBatch(*subscription_, kMaxBatchEvents);
  if (batch.events.empty() && batch.dropped_events == 0 && !batch.lost.has_value()) {
    if (end_requested_) FinishOnce(grpc::Status::OK);
    return;  // the hub wakes us
  }
  response_.Clear();
  for (const watch::EventPtr& event : batch.events) ToProto(*event, response_.add_events());
  response_.set_cursor(std::move(batch.cursor));
  response_.set_dropped_events(batch.dropped_events);
  if (batch.lost.has_value()) {
    response_.mutable_lost()->set_traces(batch.lost->traces);
    response_.mutable_lost()->set_earlier_run(batch.lost->earlier_run);
  }
  written_events_ = batch.events.size();
  write_in_flight_ = true;
  writer_.Write(response_, written_op_.tag());
}

void WatchTracesCall::OnWritten(bool ok) {
  write_in_flight_ = false;
  if (!ok) {  // the peer is gone
    Stop();
    FinishOnce(grpc::Status::CANCELLED);
  } else {
    services_.shared->hub->CountSent(written_events_);
    if (end_requested_) {
      FinishOnce(grpc::Status::OK);
    } else {
      Pump();
    }
  }
  MaybeDelete();
}

void WatchTracesCall::OnCancelled() {
  Stop();
  FinishOnce(grpc::Status::CANCELLED);
}

void WatchTracesCall::EndForShutdown() {
  end_requested_ = true;
  Stop();
  if (!write_in_flight_) FinishOnce(grpc::Status::OK);
}

void WatchTracesCall::Stop() {
  services_.watches.erase(this);
  if (subscription_ != nullptr) services_.shared->hub->Unsubscribe(*subscription_);
}

void WatchTracesCall::FinishOnce(const grpc::Status& status) {
  if (finish_started() || write_in_flight_) return;
  set_finish_started();
  Stop();
  writer_.Finish(status, finish_tag());
}

}  // namespace corouter::grpc_front
