// server/grpc/call_base.h
//
// CallBase: what every server-side call object of corouter has. A call object
// is created before its call arrives (it is the "requested call" gRPC fills
// in), lives through the handler, and deletes itself when gRPC is done with
// it: its Finish has completed AND the AsyncNotifyWhenDone tag has fired AND
// the subclass has no operation of its own in flight. Every one of those
// completions arrives on the call's loop thread, so no lock is needed.
//
// Authentication: with --auth-token-file, every call but the health
// service's first checks the call's "authorization: Bearer <token>"
// metadata (Authenticate; Admit does it for Execute and ExecuteTraced),
// before any work, and one without the token ends UNAUTHENTICATED: it is not
// traced, counted or run.
//
// Admission: a request that is not an HTTP request is refused with
// INVALID_ARGUMENT; one beyond --max-in-flight with RESOURCE_EXHAUSTED, at
// once (no queue). An admitted request counts as in flight until Complete().
//
// Cancellation (shared/design/architecture.md, decision 7): the done tag is
// armed before the call is requested. When it fires for a call the client
// cancelled or whose deadline passed, the request's TaskContext is cancelled:
// its coroutine wakes at its current await and unwinds. A request that came
// without a deadline (or with one beyond --max-deadline) gets the server's
// cap as a timer that cancels it the same way.
//
// Background tasks (Starlette's BackgroundTasks) run after RESPONSE_SENT on
// a TaskContext of their own, so the call's cancel does not reach them; the
// call object lives until they finished, and the trace feed's request ends
// with them.
//
// Thread safety: loop thread only.
#ifndef COROUTER_SERVER_GRPC_CALL_BASE_H_
#define COROUTER_SERVER_GRPC_CALL_BASE_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "corouter/v1/execution.pb.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "server/app/engine.h"
#include "server/grpc/loop_services.h"
#include "server/loop/deadline.h"
#include "server/loop/event_loop.h"
#include "server/loop/operation.h"
#include "server/loop/task_context.h"
#include "server/trace/request_trace.h"
#include "server/watch/request_recorder.h"

namespace corouter::grpc_front {

class CallBase {
 public:
  CallBase(const CallBase&) = delete;
  CallBase& operator=(const CallBase&) = delete;

 protected:
  explicit CallBase(LoopServices& services);
  virtual ~CallBase();

  /// Arms AsyncNotifyWhenDone; call once, before requesting the call.
  void ArmDoneNotification();

  /// Called when the requested call arrived (`ok`) or never will (the server
  /// is shutting down: the object is deleted, no done tag follows).
  /// Returns false in the latter case, after deleting `this`.
  bool Arrived(bool ok);

  /// OK when the server needs no bearer token or the call carries it
  /// (security::BearerAuth::Check on the client metadata). Errors:
  /// UNAUTHENTICATED saying what is missing or wrong, never quoting a token.
  absl::Status Authenticate() const;

  /// Authenticates the call, takes the current app version (served_), turns
  /// `request` into a WireRequest, assigns the request id, counts the
  /// request in and starts its trace (with `sink`,
  /// which may be null, and the server's trace feed when it is enabled).
  /// Errors: UNAUTHENTICATED (Authenticate), before anything else;
  /// INVALID_ARGUMENT for what is not an HTTP request (see
  /// app::Engine::Validate); RESOURCE_EXHAUSTED beyond --max-in-flight.
  /// `request` stays the subclass's: with the journal on, Complete() moves
  /// it into the request's journal entry.
  absl::Status Admit(corouter::v1::HttpRequest& request, const std::string& request_id,
                     trace::TraceSink* sink);

  /// What the trace feed keeps of the admitted request (wire_ and ctx_).
  watch::RequestInfo RequestInfoOf() const;

  /// The handler is done: counts the request out, stops its deadline
  /// timer and records it in the journal (when it is on). Prepares the response for the wire as
  /// uvicorn would (app::Engine::PrepareForWire: no body for HEAD). Returns the gRPC status to
  /// finish with: OK, or for a cancelled request DEADLINE_EXCEEDED / CANCELLED with the reason.
  grpc::Status Complete(app::Outcome& outcome);

  /// Records the ended request, which took `duration` from RECEIVED, in
  /// `journal` (Complete calls it).
  void Journal(journal::Journal& journal, const app::Outcome& outcome,
               std::chrono::nanoseconds duration);

  /// Emits RESPONSE_SENT for `outcome`'s response (call after Complete()
  /// returned OK): the trace's last event, also seen by the trace feed.
  void EmitResponseSent(const app::Outcome& outcome);

  /// Starts the outcome's background tasks, if it has any (call after
  /// EmitResponseSent), as a task of their own: cancelling the call does not
  /// cancel them; the server's shutdown does once its grace period ended.
  /// The call object lives until they finished, then OnBackgroundDone()
  /// runs. Returns false when there were none.
  bool StartBackground(app::Outcome& outcome);

  /// The background tasks finished (runs on the loop, in a slice of its own).
  virtual void OnBackgroundDone() {}

  /// The tag to pass to Finish / FinishWithError / WriteAndFinish.
  void* finish_tag() { return finish_op_.tag(); }

  /// The subclass has no gRPC operation of its own in flight.
  virtual bool Idle() const { return true; }

  /// Deletes `this` once Finish and the done tag completed and Idle().
  void MaybeDelete();

  /// The done tag fired for a cancelled call (client cancel, deadline,
  /// shutdown). By default cancels the request's TaskContext.
  virtual void OnCancelled();

  /// Whether Finish was started (its completion may still be pending).
  bool finish_started() const { return finish_started_; }
  void set_finish_started() { finish_started_ = true; }

  grpc::ServerContext ctx_;
  LoopServices& services_;
  app::WireRequest wire_;
  std::string method_;  // wire_.method, kept after wire_ is moved into the engine
  std::string request_id_;
  // The app version the request runs on (set by Admit), kept until the call
  // object is deleted: after its background tasks, so the version outlives
  // everything that runs on it.
  std::shared_ptr<const ServedApp> served_;
  // Declared before trace_, which refers to it.
  std::optional<watch::RequestRecorder> recorder_;
  std::optional<trace::RequestTrace> trace_;
  loop::TaskContext context_;

 private:
  void OnFinished(bool ok);
  void OnDone(bool ok);
  loop::Task<void> RunBackground(std::unique_ptr<app::BackgroundWork> work);

  // The request as the client sent it, for the journal (Admit's argument).
  corouter::v1::HttpRequest* sent_request_ = nullptr;
  bool admitted_ = false;
  bool finish_started_ = false;
  bool finished_ = false;
  bool done_ = false;
  bool background_running_ = false;
  loop::TaskContext background_context_;
  std::optional<loop::Deadline> max_deadline_;  // --max-deadline, while running
  loop::MemberOperation<CallBase, &CallBase::OnFinished> finish_op_{this};
  loop::MemberOperation<CallBase, &CallBase::OnDone> done_op_{this};
};

/// The gRPC status for an absl::Status (same canonical codes).
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_CALL_BASE_H_
