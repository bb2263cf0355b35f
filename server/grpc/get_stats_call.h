// server/grpc/get_stats_call.h
//
// GetStatsCall: one `rpc GetStats` call, answered on the loop that received
// it with a snapshot of every loop's counters (in flight, completed,
// cancelled, refused, busy ratio, longest slice, blocking slices), the
// executor's occupancy, and per-route counts and latency percentiles.
//
// Thread safety: loop thread only; other loops' counters are atomics and
// their route statistics are read under their mutexes.
#ifndef COROUTER_SERVER_GRPC_GET_STATS_CALL_H_
#define COROUTER_SERVER_GRPC_GET_STATS_CALL_H_

#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/support/async_unary_call.h"
#include "server/grpc/call_base.h"

namespace corouter::grpc_front {

class GetStatsCall final : public CallBase {
 public:
  /// Requests one GetStats call on `services`' completion queue.
  static void Request(LoopServices& services);

 private:
  explicit GetStatsCall(LoopServices& services) : CallBase(services) {}

  void OnArrived(bool ok);

  corouter::v1::GetStatsRequest request_;
  corouter::v1::GetStatsResponse reply_;
  grpc::ServerAsyncResponseWriter<corouter::v1::GetStatsResponse> responder_{&ctx_};
  loop::MemberOperation<GetStatsCall, &GetStatsCall::OnArrived> arrived_op_{this};
};

/// Fills `out` from the server's counters now; the routes are those of the
/// app version served now, counted since it was loaded.
void SnapshotStats(const ServerShared& shared, corouter::v1::GetStatsResponse* out);

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_GET_STATS_CALL_H_
