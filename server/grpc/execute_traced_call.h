// server/grpc/execute_traced_call.h
//
// ExecuteTracedCall: one `rpc ExecuteTraced` call. Runs the request like
// ExecuteCall and streams one TraceEvent per step as it happens; the last one,
// RESPONSE_SENT, carries the response, and the stream then finishes OK. A
// path operation that added background tasks goes on after RESPONSE_SENT
// with their steps (BACKGROUND_STARTED ... BACKGROUND_FINISHED), and the
// stream finishes once they did.
//
// Streaming discipline (gRPC allows one outstanding Write per call): events
// gather in the next message (ExecuteTracedResponse.events). It leaves when
// the slice of loop work that emitted them returns to the loop (a flush
// scheduled on the loop, like Netty's flush consolidation), or, while a
// Write is in flight, the moment that Write completes. So an event is never
// held past the work that produced it, and the steps one slice runs through
// (for an async path operation without an await: all of them) cost one
// write, not one each. (While a blocking call holds the loop, nothing on
// that loop moves anyway, writes included.) A failed Write means the peer is
// gone, and the rest is dropped. Events emitted on executor threads
// (OFFLOAD_STARTED...) are posted to the loop first, so every Write happens
// on the loop thread and in sequence order. A request emits a bounded number
// of events (its steps), which bounds the message.
//
// The last message, with RESPONSE_SENT, goes out with the status in one
// WriteAndFinish. Buffer hints are not used: a Write with
// WriteOptions::set_buffer_hint() completes only once something flushes it,
// and a hinted first write also holds the initial metadata
// (grpc/grpc#34231): tried, every traced call stalled.
//
// Thread safety: loop thread only, except OnEvent (any thread).
#ifndef COROUTER_SERVER_GRPC_EXECUTE_TRACED_CALL_H_
#define COROUTER_SERVER_GRPC_EXECUTE_TRACED_CALL_H_

#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/support/async_stream.h"
#include "server/grpc/call_base.h"
#include "server/loop/task.h"
#include "server/trace/trace_event.h"

namespace corouter::grpc_front {

class ExecuteTracedCall final : public CallBase, public trace::TraceSink {
 public:
  /// Requests one ExecuteTraced call on `services`' completion queue.
  static void Request(LoopServices& services);

  void OnEvent(trace::TraceEvent event) override;

 private:
  explicit ExecuteTracedCall(LoopServices& services) : CallBase(services) {}

  void OnArrived(bool ok);
  loop::Task<void> Run();
  void Enqueue(const trace::TraceEvent& event);
  void WriteNext();
  void OnWritten(bool ok);
  void OnBackgroundDone() override;
  void FinishAfterLastWrites();
  bool Idle() const override { return !write_in_flight_ && !flush_scheduled_; }

  corouter::v1::ExecuteTracedRequest request_;
  grpc::ServerAsyncWriter<corouter::v1::ExecuteTracedResponse> writer_{&ctx_};
  corouter::v1::ExecuteTracedResponse pending_;  // what the next Write sends
  corouter::v1::ExecuteTracedResponse in_flight_;
  bool write_in_flight_ = false;
  bool flush_scheduled_ = false;
  bool peer_gone_ = false;
  bool finish_after_writes_ = false;
  app::Outcome outcome_;
  grpc::Status finish_status_;
  loop::MemberOperation<ExecuteTracedCall, &ExecuteTracedCall::OnArrived> arrived_op_{this};
  loop::MemberOperation<ExecuteTracedCall, &ExecuteTracedCall::OnWritten> written_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_EXECUTE_TRACED_CALL_H_
