#include "server/grpc/admin_calls.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "server/app/route_file.h"
#include "server/grpc/proto_convert.h"
#include "server/loop/offload.h"
#include "server/loop/spawn.h"

namespace corouter::grpc_front {

absl::Status CheckAdmin(absl::Status authenticated, const ServerShared& shared) {
  if (!authenticated.ok()) return authenticated;
  if (shared.admin) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "corouter.v1.AdminService is off: start corouter-server with --admin to load apps at run "
      "time");
}

void LoadAppCall::Request(LoopServices& services) {
  auto* call = new LoadAppCall(services);
  call->ArmDoneNotification();
  services.admin->RequestLoadApp(&call->ctx_, &call->request_, &call->responder_, services.cq,
                                 services.cq, call->arrived_op_.tag());
}

void LoadAppCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  if (absl::Status status = CheckAdmin(Authenticate(), *services_.shared); !status.ok()) {
    responder_.FinishWithError(ToGrpcStatus(status), finish_tag());
    return;
  }
  context_ = loop::TaskContext(services_.loop, services_.executor, /*trace=*/nullptr);
  loop::Spawn(&context_, Run());
}

loop::Task<void> LoadAppCall::Run() {
  // Parsing a large file takes milliseconds: on the executor, not the loop.
  auto parse = [this]() -> absl::StatusOr<app::App> {
    const std::string name = request_.file_name().empty() ? "LoadApp" : request_.file_name();
    return app::ParseRouteFile(
        request_.route_file(), name,
        {.time_scale = services_.shared->time_scale, .seed = services_.shared->seed});
  };
  absl::StatusOr<app::App> parsed = co_await loop::Offload("parse route file", std::move(parse));
  if (!parsed.ok()) {
    responder_.FinishWithError(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(parsed.status().message())),
        finish_tag());
    co_return;
  }
  absl::StatusOr<std::shared_ptr<const ServedApp>> served = services_.shared->apps->Replace(
      std::make_shared<const app::App>(*std::move(parsed)),
      AppSource{.source = "LoadApp", .route_file = request_.route_file()});
  if (!served.ok()) {
    responder_.FinishWithError(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(served.status().message())),
        finish_tag());
    co_return;
  }
  ToProto(**served, reply_.mutable_app());
  responder_.Finish(reply_, grpc::Status::OK, finish_tag());
}

void GetAppCall::Request(LoopServices& services) {
  auto* call = new GetAppCall(services);
  call->ArmDoneNotification();
  services.admin->RequestGetApp(&call->ctx_, &call->request_, &call->responder_, services.cq,
                                services.cq, call->arrived_op_.tag());
}

void GetAppCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  if (absl::Status status = CheckAdmin(Authenticate(), *services_.shared); !status.ok()) {
    responder_.FinishWithError(ToGrpcStatus(status), finish_tag());
    return;
  }
  const std::shared_ptr<const ServedApp> served = services_.shared->apps->current();
  ToProto(*served, reply_.mutable_app());
  reply_.set_route_file(served->source().route_file);
  responder_.Finish(reply_, grpc::Status::OK, finish_tag());
}

}  // namespace corouter::grpc_front
