#include "server/grpc/list_routes_call.h"

#include "server/grpc/proto_convert.h"

namespace corouter::grpc_front {

void ListRoutesCall::Request(LoopServices& services) {
  auto* call = new ListRoutesCall(services);
  call->ArmDoneNotification();
  services.service->RequestListRoutes(&call->ctx_, &call->request_, &call->responder_, services.cq,
                                      services.cq, call->arrived_op_.tag());
}

void ListRoutesCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  if (absl::Status status = Authenticate(); !status.ok()) {
    responder_.FinishWithError(ToGrpcStatus(status), finish_tag());
    return;
  }
  const std::shared_ptr<const ServedApp> served = services_.shared->apps->current();
  ToProto(served->app(), &reply_);
  ToProto(*served, reply_.mutable_app());
  responder_.Finish(reply_, grpc::Status::OK, finish_tag());
}

}  // namespace corouter::grpc_front
