// server/grpc/health_calls.h
//
// The standard health service (grpc.health.v1.Health, grpc/grpc
// doc/health-checking.md) served on corouter's own loops with the async API,
// like every other call: gRPC's built-in service uses the callback API,
// which on gRPC 1.51's poller starts extra threads that poll the same
// sockets and bounce every call between threads (BENCHMARKS.md, finding 2).
//
// The server itself ("") and corouter.v1.ExecutionService are SERVING while
// the server runs; any other name is unknown: Check fails with NOT_FOUND, a
// Watch answers SERVICE_UNKNOWN. A Watch stays open until its client leaves
// or the server begins to shut down, when it is finished with OK so that it
// does not hold the shutdown's grace period.
//
// Health stays open: with --auth-token-file these calls need no token (they
// never call CallBase::Authenticate), so that probes and load balancers
// (grpc_health_probe, Kubernetes gRPC probes) work without one.
//
// Thread safety: loop thread only.
#ifndef COROUTER_SERVER_GRPC_HEALTH_CALLS_H_
#define COROUTER_SERVER_GRPC_HEALTH_CALLS_H_

#include <string_view>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/support/async_stream.h"
#include "grpcpp/support/async_unary_call.h"
#include "server/grpc/call_base.h"

namespace corouter::grpc_front {

/// The status of `service` on a running server.
grpc::health::v1::HealthCheckResponse::ServingStatus ServingStatusOf(std::string_view service);

/// One Health.Check call.
class HealthCheckCall final : public CallBase {
 public:
  static void Request(LoopServices& services);

 private:
  explicit HealthCheckCall(LoopServices& services) : CallBase(services) {}
  void OnArrived(bool ok);
  void OnCancelled() override {}

  grpc::health::v1::HealthCheckRequest request_;
  grpc::health::v1::HealthCheckResponse reply_;
  grpc::ServerAsyncResponseWriter<grpc::health::v1::HealthCheckResponse> responder_{&ctx_};
  loop::MemberOperation<HealthCheckCall, &HealthCheckCall::OnArrived> arrived_op_{this};
};

/// One Health.Watch call.
class HealthWatchCall final : public CallBase {
 public:
  static void Request(LoopServices& services);

  /// The server is shutting down: finish the stream with OK.
  void EndForShutdown();

 private:
  explicit HealthWatchCall(LoopServices& services) : CallBase(services) {}
  ~HealthWatchCall() override;
  void OnArrived(bool ok);
  void OnWritten(bool ok);
  void OnCancelled() override;
  bool Idle() const override { return !write_in_flight_; }
  void FinishOnce(const grpc::Status& status);

  grpc::health::v1::HealthCheckRequest request_;
  grpc::health::v1::HealthCheckResponse reply_;
  grpc::ServerAsyncWriter<grpc::health::v1::HealthCheckResponse> writer_{&ctx_};
  bool write_in_flight_ = false;
  bool end_requested_ = false;
  loop::MemberOperation<HealthWatchCall, &HealthWatchCall::OnArrived> arrived_op_{this};
  loop::MemberOperation<HealthWatchCall, &HealthWatchCall::OnWritten> written_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_HEALTH_CALLS_H_
