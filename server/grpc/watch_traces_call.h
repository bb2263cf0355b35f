// server/grpc/watch_traces_call.h
//
// WatchTracesCall: one `rpc WatchTraces` stream, the writer side of one
// watch::TraceHub subscriber. It lives on the loop of its connection, like
// every call; the requests it watches may run on any loop.
//
// Batching: one Write in flight at a time (gRPC's rule). When a Write
// completes, everything the hub queued for this subscriber meanwhile (up to
// kMaxBatchEvents) leaves in the next message. When nothing is queued the
// call goes idle and the hub's waker posts a Pump to this loop as soon as an
// event is queued, so an event leaves as soon as the stream can take it.
// No buffer hints: a hinted write waits for a later flush (see
// execute_traced_call.h).
//
// Ending: a client cancel, a deadline or a failed Write (the peer is gone)
// unsubscribes at once, freeing the queue; server shutdown (EndForShutdown)
// finishes the stream with OK once the Write in flight, if any, completes;
// a client that never reads is cut off when the shutdown grace ends.
//
// Errors: INVALID_ARGUMENT naming the field for a bad request (see
// WatchTracesRequest in proto/corouter/v1/execution.proto).
//
// Thread safety: loop thread only.
#ifndef COROUTER_SERVER_GRPC_WATCH_TRACES_CALL_H_
#define COROUTER_SERVER_GRPC_WATCH_TRACES_CALL_H_

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/support/async_stream.h"
#include "server/grpc/call_base.h"
#include "server/watch/trace_hub.h"

namespace corouter::grpc_front {

/// The subscription a WatchTracesRequest asks for.
/// Errors: INVALID_ARGUMENT naming the field (`mode`, `filter.status`,
/// `filter.outcomes`, `filter.sample_rate`, `filter.min_duration_nanos`).
absl::StatusOr<watch::SubscribeOptions> SubscribeOptionsFromProto(
    const corouter::v1::WatchTracesRequest& request);

class WatchTracesCall final : public CallBase {
 public:
  /// Events in one message at most (a whole replayed or COMPLETED trace is
  /// never split, so one larger trace may exceed it).
  static constexpr size_t kMaxBatchEvents = 512;

  static void Request(LoopServices& services);

  /// The server is shutting down: finish the stream with OK.
  void EndForShutdown();

 private:
  /// What the hub's waker reaches, cleared when the call is deleted.
  struct Handle {
    WatchTracesCall* call = nullptr;
  };

  explicit WatchTracesCall(LoopServices& services) : CallBase(services) { handle_->call = this; }
  ~WatchTracesCall() override;
  void OnArrived(bool ok);
  void OnWritten(bool ok);
  void OnCancelled() override;
  bool Idle() const override { return !write_in_flight_; }
  void Pump();
  void Stop();
  void FinishOnce(const grpc::Status& status);

  corouter::v1::WatchTracesRequest request_;
  corouter::v1::WatchTracesResponse response_;
  grpc::ServerAsyncWriter<corouter::v1::WatchTracesResponse> writer_{&ctx_};
  std::shared_ptr<Handle> handle_ = std::make_shared<Handle>();
  std::shared_ptr<watch::TraceHub::Subscription> subscription_;
  size_t written_events_ = 0;
  bool write_in_flight_ = false;
  bool end_requested_ = false;
  loop::MemberOperation<WatchTracesCall, &WatchTracesCall::OnArrived> arrived_op_{this};
  loop::MemberOperation<WatchTracesCall, &WatchTracesCall::OnWritten> written_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_WATCH_TRACES_CALL_H_
