#include "server/grpc/health_calls.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace corouter::grpc_front {

using grpc::health::v1::HealthCheckResponse;

HealthCheckResponse::ServingStatus ServingStatusOf(std::string_view service) {
  if (service.empty() || service == corouter::v1::ExecutionService::service_full_name()) {
    return HealthCheckResponse::SERVING;
  }
  return HealthCheckResponse::SERVICE_UNKNOWN;
}

void HealthCheckCall::Request(LoopServices& services) {
  auto* call = new HealthCheckCall(services);
  call->ArmDoneNotification();
  services.health->RequestCheck(&call->ctx_, &call->request_, &call->responder_, services.cq,
                                services.cq, call->arrived_op_.tag());
}

void HealthCheckCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  const auto status = ServingStatusOf(request_.service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    responder_.FinishWithError(
        grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service \"" + request_.service() + "\""),
        finish_tag());
    return;
  }
  reply_.set_status(status);
  responder_.Finish(reply_, grpc::Status::OK, finish_tag());
}

void HealthWatchCall::Request(LoopServices& services) {
  auto* call = new HealthWatchCall(services);
  call->ArmDoneNotification();
  services.health->RequestWatch(&call->ctx_, &call->request_, &call->writer_, services.cq,
                                services.cq, call->arrived_op_.tag());
}

HealthWatchCall::~HealthWatchCall() { services_.health_watches.erase(this); }

void HealthWatchCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  services_.health_watches.insert(this);
  reply_.set_status(ServingStatusOf(request_.service()));
  write_in_flight_ = true;
  writer_.Write(reply_, written_op_.tag());
}

void HealthWatchCall::OnWritten(bool ok) {
  write_in_flight_ = false;
  if (!ok) {
    FinishOnce(grpc::Status::CANCELLED);
  } else if (end_requested_) {
    FinishOnce(grpc::Status::OK);
  }
  // Otherwise stay open: the status does not change while the server runs.
  MaybeDelete();
}

void HealthWatchCall::OnCancelled() { FinishOnce(grpc::Status::CANCELLED); }

void HealthWatchCall::EndForShutdown() {
  end_requested_ = true;
  if (!write_in_flight_) FinishOnce(grpc::Status::OK);
}

void HealthWatchCall::FinishOnce(const grpc::Status& status) {
  if (finish_started() || write_in_flight_) return;
  set_finish_started();
  services_.health_watches.erase(this);
  writer_.Finish(status, finish_tag());
}

}  // namespace corouter::grpc_front
