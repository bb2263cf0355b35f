#include "server/grpc/execute_call.h"

#include <utility>

#include "server/grpc/proto_convert.h"
#include "server/loop/spawn.h"

namespace corouter::grpc_front {

void ExecuteCall::Request(LoopServices& services) {
  auto* call = new ExecuteCall(services);
  call->ArmDoneNotification();
  services.service->RequestExecute(&call->ctx_, &call->request_, &call->responder_, services.cq,
                                   services.cq, call->arrived_op_.tag());
}

void ExecuteCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  if (absl::Status status = Admit(*request_.mutable_request(), request_.request_id(), nullptr);
      !status.ok()) {
    responder_.FinishWithError(ToGrpcStatus(status), finish_tag());
    return;
  }
  loop::Spawn(&context_, Run());
}

loop::Task<void> ExecuteCall::Run() {
  app::Outcome outcome = co_await served_->engine().Run(std::move(wire_), context_);
  if (grpc::Status status = Complete(outcome); !status.ok()) {
    responder_.FinishWithError(status, finish_tag());
    co_return;
  }
  EmitResponseSent(outcome);
  reply_.set_request_id(request_id_);
  ToProto(outcome.response, reply_.mutable_response());
  if (outcome.route.has_value()) ToProto(*outcome.route, reply_.mutable_route());
  responder_.Finish(reply_, grpc::Status::OK, finish_tag());
  // Execute has replied; the background tasks run on after it.
  StartBackground(outcome);
}

}  // namespace corouter::grpc_front
