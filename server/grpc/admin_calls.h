// server/grpc/admin_calls.h
//
// The calls of `service AdminService` (proto/corouter/v1/execution.proto):
//  - LoadAppCall: parses a route file's text (app::ParseRouteFile, with the
//    server's --time-scale) on the executor, so the loop stays free, then
//    makes it the served app (AppSlot::Replace, served_app.h) and replies
//    with its version. A file that does not load ends INVALID_ARGUMENT with
//    the loader's "FILE:LINE: problem" message; the served app is unchanged.
//  - GetAppCall: the served app's version and route file, at once.
// Both end FAILED_PRECONDITION when the server runs without --admin, and
// UNAUTHENTICATED without the bearer token when --auth-token-file is set
// (CallBase::Authenticate), before anything else.
//
// A LoadApp whose client cancels or whose deadline passes while the file is
// parsed still takes effect (the outcome of a cancelled call is unknown to
// its client, as gRPC says of every RPC); GetApp tells what is served.
//
// Thread safety: loop thread only (the parse runs on the executor and
// touches nothing of the loop's).
#ifndef COROUTER_SERVER_GRPC_ADMIN_CALLS_H_
#define COROUTER_SERVER_GRPC_ADMIN_CALLS_H_

#include "absl/status/status.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/support/async_unary_call.h"
#include "server/grpc/call_base.h"
#include "server/loop/task.h"

namespace corouter::grpc_front {

/// The checks every admin call makes first: `authenticated` (the call's
/// CallBase::Authenticate) when it is an error, else OK when AdminService
/// is on (--admin), else FAILED_PRECONDITION saying how to turn it on.
absl::Status CheckAdmin(absl::Status authenticated, const ServerShared& shared);

class LoadAppCall final : public CallBase {
 public:
  /// Requests one LoadApp call on `services`' completion queue.
  static void Request(LoopServices& services);

 private:
  explicit LoadAppCall(LoopServices& services) : CallBase(services) {}

  void OnArrived(bool ok);
  loop::Task<void> Run();
  /// A cancelled LoadApp still finishes its load (see above).
  void OnCancelled() override {}

  corouter::v1::LoadAppRequest request_;
  corouter::v1::LoadAppResponse reply_;
  grpc::ServerAsyncResponseWriter<corouter::v1::LoadAppResponse> responder_{&ctx_};
  loop::MemberOperation<LoadAppCall, &LoadAppCall::OnArrived> arrived_op_{this};
};

class GetAppCall final : public CallBase {
 public:
  /// Requests one GetApp call on `services`' completion queue.
  static void Request(LoopServices& services);

 private:
  explicit GetAppCall(LoopServices& services) : CallBase(services) {}

  void OnArrived(bool ok);

  corouter::v1::GetAppRequest request_;
  corouter::v1::GetAppResponse reply_;
  grpc::ServerAsyncResponseWriter<corouter::v1::GetAppResponse> responder_{&ctx_};
  loop::MemberOperation<GetAppCall, &GetAppCall::OnArrived> arrived_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_ADMIN_CALLS_H_
