#include "server/grpc/execute_traced_call.h"

#include <utility>

#include "server/grpc/proto_convert.h"
#include "server/loop/spawn.h"

namespace corouter::grpc_front {

void ExecuteTracedCall::Request(LoopServices& services) {
  auto* call = new ExecuteTracedCall(services);
  call->ArmDoneNotification();
  services.service->RequestExecuteTraced(&call->ctx_, &call->request_, &call->writer_, services.cq,
                                         services.cq, call->arrived_op_.tag());
}

void ExecuteTracedCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  if (absl::Status status = Admit(*request_.mutable_request(), request_.request_id(), this);
      !status.ok()) {
    writer_.Finish(ToGrpcStatus(status), finish_tag());
    return;
  }
  loop::Spawn(&context_, Run());
}

loop::Task<void> ExecuteTracedCall::Run() {
  outcome_ = co_await served_->engine().Run(std::move(wire_), context_);
  finish_status_ = Complete(outcome_);
  if (finish_status_.ok()) {
    EmitResponseSent(outcome_);
    // The stream goes on with the background tasks' steps and ends after
    // them (OnBackgroundDone).
    if (StartBackground(outcome_)) co_return;
  }
  // A cancelled request's trace ended with CANCELLED: no response.
  FinishAfterLastWrites();
}

void ExecuteTracedCall::OnBackgroundDone() { FinishAfterLastWrites(); }

void ExecuteTracedCall::FinishAfterLastWrites() {
  // From here the next write is the last: the trace's last events leave
  // with the status.
  finish_after_writes_ = true;
  if (!write_in_flight_) WriteNext();
}

void ExecuteTracedCall::OnEvent(trace::TraceEvent event) {
  if (services_.loop->IsInLoopThread()) {
    Enqueue(event);
  } else {
    // Posted before the executor posts the coroutine's resumption, so it is
    // written first: the loop's queue is FIFO.
    services_.loop->Post([this, event = std::move(event)] { Enqueue(event); });
  }
}

void ExecuteTracedCall::Enqueue(const trace::TraceEvent& event) {
  if (peer_gone_) return;
  corouter::v1::TraceEvent* out = pending_.add_events();
  ToProto(event, out);
  out->set_request_id(request_id_);
  if (event.step == trace::Step::kResponseSent) ToProto(outcome_.response, out->mutable_response());
  if (write_in_flight_ || flush_scheduled_) return;  // it leaves with the next write
  flush_scheduled_ = true;
  services_.loop->Schedule([this] {
    flush_scheduled_ = false;
    if (!write_in_flight_) WriteNext();
    MaybeDelete();
  });
}

void ExecuteTracedCall::WriteNext() {
  if (finish_started()) return;
  if (pending_.events_size() > 0 && !peer_gone_) {
    in_flight_.Swap(&pending_);
    pending_.Clear();
    if (finish_after_writes_) {
      // The last events and the status in one operation.
      set_finish_started();
      writer_.WriteAndFinish(in_flight_, grpc::WriteOptions(), finish_status_, finish_tag());
      return;
    }
    write_in_flight_ = true;
    writer_.Write(in_flight_, written_op_.tag());
    return;
  }
  if (finish_after_writes_) {
    set_finish_started();
    writer_.Finish(finish_status_, finish_tag());
  }
}

void ExecuteTracedCall::OnWritten(bool ok) {
  write_in_flight_ = false;
  if (!ok) {  // the peer is gone: nothing more will be read
    peer_gone_ = true;
    pending_.Clear();
  }
  WriteNext();
  MaybeDelete();
}

}  // namespace corouter::grpc_front
