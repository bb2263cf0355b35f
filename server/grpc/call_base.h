// server/grpc/call_base.h
//
// CallBase: what every server-side call object of corouter has. A call object
// is created before its call arrives (it is the "requested call" gRPC fills
// in), lives through the handler, and deletes itself when gRPC is done with
// it: its Finish has completed AND the AsyncNotifyWhenDone tag has fired AND
// the subclass has no operation of its own in flight. Every one of those
// completions arrives on the call's loop thread, so no lock is needed.
//
// The done tag is armed before the call is requested (shared/design/
// architecture.md, decision 7), so a client that cancels or a deadline that
// passes is seen on the loop (`cancelled()`).
//
// Thread safety: loop thread only.
#ifndef COROUTER_SERVER_GRPC_CALL_BASE_H_
#define COROUTER_SERVER_GRPC_CALL_BASE_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "corouter/v1/execution.pb.h"
#include "grpcpp/server_context.h"
#include "server/app/engine.h"
#include "server/grpc/loop_services.h"
#include "server/loop/operation.h"
#include "server/loop/task_context.h"
#include "server/trace/request_trace.h"

namespace corouter::grpc_front {

class CallBase {
 public:
  CallBase(const CallBase&) = delete;
  CallBase& operator=(const CallBase&) = delete;

 protected:
  explicit CallBase(LoopServices& services);
  virtual ~CallBase() = default;

  /// Arms AsyncNotifyWhenDone; call once, before requesting the call.
  void ArmDoneNotification();

  /// Called when the requested call arrived (`ok`) or never will (the server
  /// is shutting down: the object is deleted, no done tag follows).
  /// Returns false in the latter case, after deleting `this`.
  bool Arrived(bool ok);

  /// Turns `request` into a WireRequest, assigns the request id and starts
  /// the trace (with `sink`, which may be null). Errors: INVALID_ARGUMENT for
  /// what is not an HTTP request (see app::Engine::Validate).
  absl::Status Admit(const corouter::v1::HttpRequest& request, const std::string& request_id,
                     trace::TraceSink* sink);

  /// The tag to pass to Finish / FinishWithError / WriteAndFinish.
  void* finish_tag() { return finish_op_.tag(); }

  /// Whether the call was cancelled (client cancel or deadline), as known on
  /// the loop once the done tag fired.
  bool cancelled() const { return done_ && ctx_.IsCancelled(); }

  /// The subclass has no gRPC operation of its own in flight.
  virtual bool Idle() const { return true; }

  /// Deletes `this` once Finish and the done tag completed and Idle().
  void MaybeDelete();

  grpc::ServerContext ctx_;
  LoopServices& services_;
  app::WireRequest wire_;
  std::string request_id_;
  std::optional<trace::RequestTrace> trace_;
  loop::TaskContext context_;

 private:
  void OnFinished(bool ok);
  void OnDone(bool ok);

  bool finished_ = false;
  bool done_ = false;
  loop::MemberOperation<CallBase, &CallBase::OnFinished> finish_op_{this};
  loop::MemberOperation<CallBase, &CallBase::OnDone> done_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_CALL_BASE_H_
