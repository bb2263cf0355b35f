// server/grpc/execute_traced_call.h
//
// ExecuteTracedCall: one `rpc ExecuteTraced` call. Runs the request like
// ExecuteCall and streams one TraceEvent per step as it happens; the last one,
// RESPONSE_SENT, carries the response, and the stream then finishes OK.
//
// Streaming discipline (gRPC allows one outstanding Write per call): an
// event emitted while no Write is in flight leaves at once, alone; events
// emitted while one is in flight gather in the next message
// (ExecuteTracedResponse.events) and leave together the moment it completes.
// So nothing is held back, and a burst of steps costs one write, not one
// each. A failed Write means the peer is gone, and the rest is dropped.
// Events emitted on executor threads (OFFLOAD_STARTED...) are posted to the
// loop first, so every Write happens on the loop thread and in sequence
// order. A request emits a bounded number of events (its steps), which
// bounds the message.
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
  bool Idle() const override { return !write_in_flight_; }

  corouter::v1::ExecuteTracedRequest request_;
  grpc::ServerAsyncWriter<corouter::v1::ExecuteTracedResponse> writer_{&ctx_};
  corouter::v1::ExecuteTracedResponse pending_;  // what the next Write sends
  corouter::v1::ExecuteTracedResponse in_flight_;
  bool write_in_flight_ = false;
  bool peer_gone_ = false;
  bool finish_after_writes_ = false;
  app::Outcome outcome_;
  grpc::Status finish_status_;
  loop::MemberOperation<ExecuteTracedCall, &ExecuteTracedCall::OnArrived> arrived_op_{this};
  loop::MemberOperation<ExecuteTracedCall, &ExecuteTracedCall::OnWritten> written_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_EXECUTE_TRACED_CALL_H_
