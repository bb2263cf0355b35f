#include "server/grpc/call_base.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/grpc/proto_convert.h"
#include "server/http/headers.h"
#include "server/http/response.h"
#include "server/loop/spawn.h"

namespace corouter::grpc_front {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

CallBase::CallBase(LoopServices& services) : services_(services) {}

CallBase::~CallBase() {
  if (admitted_) {  // never completed (cannot happen while the loop runs)
    services_.shared->Release();
    services_.counters.in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
}

void CallBase::ArmDoneNotification() { ctx_.AsyncNotifyWhenDone(done_op_.tag()); }

bool CallBase::Arrived(bool ok) {
  if (!ok) {
    // Never started: gRPC delivers no done tag for it.
    delete this;
    return false;
  }
  return true;
}

absl::Status CallBase::Authenticate() const {
  const security::BearerAuth* auth = services_.shared->auth;
  if (auth == nullptr) return absl::OkStatus();
  return auth->Check(ctx_.client_metadata());
}

absl::Status CallBase::Admit(corouter::v1::HttpRequest& request, const std::string& request_id,
                             trace::TraceSink* sink) {
  if (absl::Status status = Authenticate(); !status.ok()) return status;
  served_ = services_.shared->apps->current();
  sent_request_ = &request;
  wire_ = FromProto(request);
  method_ = wire_.method;  // wire_ moves into the engine; the stats need the method after
  request_id_ = request_id.empty() ? services_.NextRequestId() : request_id;
  if (absl::Status status = app::Engine::Validate(wire_, services_.shared->limits); !status.ok())
    return status;
  if (!services_.shared->TryAdmit()) {
    services_.counters.refused.fetch_add(1, std::memory_order_relaxed);
    return absl::ResourceExhaustedError(absl::StrCat("the server is running its maximum of ",
                                                     services_.shared->max_in_flight,
                                                     " requests (--max-in-flight); retry later"));
  }
  admitted_ = true;
  services_.counters.in_flight.fetch_add(1, std::memory_order_relaxed);
  // Only an admitted request is traced: a refused one costs the trace feed
  // nothing (it never ran, so it has no steps).
  watch::TraceHub* hub = services_.shared->hub;
  if (hub != nullptr && hub->enabled()) recorder_.emplace(*hub, request_id_, RequestInfoOf());
  trace_.emplace(services_.loop->index(), sink, recorder_.has_value() ? &*recorder_ : nullptr);
  context_ = loop::TaskContext(services_.loop, services_.executor, &*trace_);

  const absl::Duration cap = services_.shared->max_deadline;
  if (cap > absl::ZeroDuration() &&
      ctx_.deadline() > std::chrono::system_clock::now() + absl::ToChronoNanoseconds(cap)) {
    // No deadline (infinite future) or one beyond the cap.
    max_deadline_.emplace(
        context_, absl::ToChronoNanoseconds(cap),
        absl::StrCat("deadline exceeded (server --max-deadline ", absl::FormatDuration(cap), ")"));
  }
  return absl::OkStatus();
}

watch::RequestInfo CallBase::RequestInfoOf() const {
  watch::RequestInfo info{wire_.method, {}, {}, {}};
  // Only an exporter reads the target and the trace context: no copy and no
  // header scan per request otherwise.
  if (!services_.shared->hub->exporting()) return info;
  info.target = wire_.target;
  // The caller's W3C trace context: the HTTP request's own header fields
  // (what an HTTP server would continue), else the gRPC call's metadata
  // (what a gRPC-instrumented client sends). tracestate only goes with the
  // traceparent it came with.
  if (std::optional<std::string_view> parent = http::FindHeader(wire_.headers, "traceparent")) {
    info.traceparent = std::string(*parent);
    if (std::optional<std::string_view> state = http::FindHeader(wire_.headers, "tracestate")) {
      info.tracestate = std::string(*state);
    }
    return info;
  }
  const auto& metadata = ctx_.client_metadata();
  if (auto it = metadata.find("traceparent"); it != metadata.end()) {
    info.traceparent = std::string(it->second.data(), it->second.size());
    if (auto st = metadata.find("tracestate"); st != metadata.end()) {
      info.tracestate = std::string(st->second.data(), st->second.size());
    }
  }
  return info;
}

void CallBase::Journal(journal::Journal& journal, const app::Outcome& outcome,
                       std::chrono::nanoseconds duration) {
  corouter::v1::JournalEntry entry;
  entry.set_request_id(request_id_);
  // The call needs its request no more: the entry takes it.
  if (sent_request_ != nullptr) entry.mutable_request()->Swap(sent_request_);
  if (outcome.route.has_value()) {
    entry.set_path_template(outcome.route->operation->path);
    entry.set_endpoint(outcome.route->operation->endpoint);
  }
  for (const auto& [name, value] : outcome.parameters) {
    corouter::v1::BoundParameter* parameter = entry.add_parameters();
    parameter->set_name(name);
    // Bytes that are not UTF-8 (a str parameter holds what was sent) are
    // replaced rather than thrown on.
    parameter->set_value_json(value.dump(-1, ' ', false, http::Json::error_handler_t::replace));
  }
  entry.set_status_code(outcome.cancelled ? 0 : outcome.response.status_code);
  entry.set_cancelled(outcome.cancelled);
  if (outcome.fault.has_value()) {
    entry.set_fault(
        outcome.fault->kind() == app::CallFault::Kind::kReset
            ? "reset"
            : absl::StrCat("abort ", outcome.fault->code(), ": ", outcome.fault->message()));
  }
  entry.set_duration_nanos(duration.count());
  entry.set_received_unix_nanos(absl::ToUnixNanos(absl::Now() - absl::FromChrono(duration)));
  entry.set_app_version(served_->version());
  journal.Record(std::move(entry));
}

grpc::Status CallBase::Complete(app::Outcome& outcome) {
  max_deadline_.reset();
  app::Engine::PrepareForWire(method_, &outcome.response);
  if (admitted_) {
    admitted_ = false;
    services_.shared->Release();
    services_.counters.in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  stats::RouteStats& route_stats = served_->route_stats(services_.loop->index());
  const size_t route =
      outcome.route.has_value()
          ? static_cast<size_t>(outcome.route->operation - served_->app().operations().data())
          : route_stats.routes();
  const auto duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now() - trace_->received());
  route_stats.Record(route, duration,
                     stats::RouteStats::Ending{
                         method_, outcome.cancelled ? 0 : outcome.response.status_code,
                         outcome.cancelled, outcome.cancelled && context_.deadline_exceeded()});
  if (journal::Journal* journal = services_.shared->journal) Journal(*journal, outcome, duration);
  if (!outcome.cancelled) {
    services_.counters.completed.fetch_add(1, std::memory_order_relaxed);
    return grpc::Status::OK;
  }
  services_.counters.cancelled.fetch_add(1, std::memory_order_relaxed);
  if (outcome.fault.has_value()) {
    if (outcome.fault->kind() == app::CallFault::Kind::kReset) {
      // RST_STREAM: the client sees CANCELLED, as when a proxy drops it.
      ctx_.TryCancel();
      return grpc::Status(grpc::StatusCode::CANCELLED, outcome.fault->message());
    }
    return grpc::Status(static_cast<grpc::StatusCode>(outcome.fault->code()),
                        outcome.fault->message());
  }
  if (context_.deadline_exceeded()) {
    services_.counters.deadline_exceeded.fetch_add(1, std::memory_order_relaxed);
  }
  return grpc::Status(context_.deadline_exceeded() ? grpc::StatusCode::DEADLINE_EXCEEDED
                                                   : grpc::StatusCode::CANCELLED,
                      context_.cancel_reason());
}

void CallBase::EmitResponseSent(const app::Outcome& outcome) {
  if (!trace_->enabled()) return;
  if (recorder_.has_value()) {
    if (outcome.background != nullptr) recorder_->ContinueAfterResponse();
    watch::ResponseHead head;
    head.status_code = outcome.response.status_code;
    for (const http::Header& h : outcome.response.headers)
      head.headers.emplace_back(h.name, h.value);
    recorder_->set_response(std::move(head));
  }
  trace_->Emit(trace::Step::kResponseSent, outcome.response.status_code, " ",
               outcome.response.body.size(), " bytes");
}

bool CallBase::StartBackground(app::Outcome& outcome) {
  if (outcome.background == nullptr) return false;
  background_running_ = true;
  background_context_ = loop::TaskContext(services_.loop, services_.executor, &*trace_);
  services_.backgrounds.insert(&background_context_);
  services_.shared->background.fetch_add(1);
  loop::Spawn(&background_context_, RunBackground(std::move(outcome.background)));
  return true;
}

loop::Task<void> CallBase::RunBackground(std::unique_ptr<app::BackgroundWork> work) {
  co_await app::RunBackgroundTasks(std::move(*work), background_context_);
  services_.backgrounds.erase(&background_context_);
  if (recorder_.has_value()) recorder_->Finish();
  // Not from inside this coroutine: MaybeDelete may delete `this`, whose
  // context the coroutine still refers to until it has returned. Counted
  // out only then, so a shutdown waiting for the count to reach zero stops
  // the loop after this has run.
  services_.loop->Schedule([this, shared = services_.shared] {
    background_running_ = false;
    OnBackgroundDone();
    MaybeDelete();
    shared->background.fetch_sub(1);
  });
}

void CallBase::OnFinished(bool /*ok*/) {
  finished_ = true;
  MaybeDelete();
}

void CallBase::OnDone(bool /*ok*/) {
  done_ = true;
  if (ctx_.IsCancelled()) OnCancelled();
  MaybeDelete();
}

void CallBase::OnCancelled() {
  // gRPC cancels the call when the client does and when its deadline
  // passes; tell them apart by the deadline. The client's own deadline
  // timer usually fires first: the server's deadline is the grpc-timeout
  // header counted from arrival, so it falls later by the request's transit
  // time. A cancel that close to the deadline is the deadline.
  constexpr auto kDeadlineSlack = std::chrono::milliseconds(50);
  if (std::chrono::system_clock::now() + kDeadlineSlack >= ctx_.deadline()) {
    context_.ExceedDeadline("deadline exceeded (the call's gRPC deadline)");
  } else {
    context_.Cancel("the client cancelled the call");
  }
}

void CallBase::MaybeDelete() {
  if (finished_ && done_ && !background_running_ && Idle()) delete this;
}

}  // namespace corouter::grpc_front
