// server/grpc/loop_services.h
//
// What the call objects of one event loop share: the gRPC service and the
// completion queue to request calls on, the loop, the executor, the served
// app (its current version: served_app.h), the server-wide limits and
// in-flight count, and this loop's counters.
// One per loop; owned by the ExecutionServer.
//
// Thread safety: the counters are atomics, read by GetStats from any loop;
// everything else is used on its loop's thread only.
#ifndef COROUTER_SERVER_GRPC_LOOP_SERVICES_H_
#define COROUTER_SERVER_GRPC_LOOP_SERVICES_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/server_context.h"
#include "server/app/engine.h"
#include "server/grpc/served_app.h"
#include "server/journal/journal.h"
#include "server/loop/event_loop.h"
#include "server/loop/executor.h"
#include "server/otlp/otlp_exporter.h"
#include "server/security/bearer_auth.h"
#include "server/stats/route_stats.h"
#include "server/watch/trace_hub.h"

namespace corouter::grpc_front {

struct LoopServices;
class HealthWatchCall;
class WatchTracesCall;

/// Limits and counts shared by every loop of a server.
struct ServerShared {
  /// Every loop's services, for GetStats (set before serving).
  std::vector<LoopServices*> loops;
  loop::Executor* executor = nullptr;
  /// The server-wide trace feed (WatchTraces) and history.
  watch::TraceHub* hub = nullptr;
  /// The OTLP span exporter, when --otlp-endpoint is given.
  otlp::OtlpExporter* otlp = nullptr;
  /// The app served now, and its replacement (set before serving).
  AppSlot* apps = nullptr;
  /// AdminService calls are answered (--admin); else they end
  /// FAILED_PRECONDITION.
  bool admin = false;
  /// What LoadApp builds apps with (corouter-server's --time-scale).
  double time_scale = 1.0;
  /// And the seed (--seed) of their distributions' draws.
  uint64_t seed = 0;
  /// The request journal (--journal); null when it is off.
  journal::Journal* journal = nullptr;
  std::chrono::steady_clock::time_point started;
  /// The bearer token every call but grpc.health.v1 needs (--auth-token-file);
  /// null: none (CallBase::Authenticate).
  const security::BearerAuth* auth = nullptr;

  /// Requests executing at once, server-wide; 0 means no limit.
  int64_t max_in_flight = 0;
  /// Deadline given to requests that arrive without one (or with a later
  /// one); zero means none.
  absl::Duration max_deadline = absl::ZeroDuration();
  /// The request sizes Engine::Validate enforces (--max-body-size).
  app::RequestLimits limits;
  std::atomic<int64_t> in_flight{0};
  /// Requests whose background tasks are running (after their response).
  std::atomic<int64_t> background{0};

  /// Counts a request in, unless that would exceed max_in_flight.
  bool TryAdmit() {
    const int64_t now = in_flight.fetch_add(1, std::memory_order_relaxed) + 1;
    if (max_in_flight > 0 && now > max_in_flight) {
      in_flight.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void Release() { in_flight.fetch_sub(1, std::memory_order_relaxed); }
};

/// One loop's request counters.
struct LoopCounters {
  std::atomic<int64_t> in_flight{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> cancelled{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> deadline_exceeded{0};  // of cancelled
};

struct LoopServices {
  corouter::v1::ExecutionService::AsyncService* service = nullptr;
  grpc::health::v1::Health::AsyncService* health = nullptr;
  grpc::ServerCompletionQueue* cq = nullptr;
  loop::EventLoop* loop = nullptr;
  loop::Executor* executor = nullptr;
  corouter::v1::AdminService::AsyncService* admin = nullptr;
  corouter::v1::JournalService::AsyncService* journal_service = nullptr;
  ServerShared* shared = nullptr;
  LoopCounters counters;
  /// Open health Watch streams, ended before the server shuts down.
  absl::flat_hash_set<HealthWatchCall*> health_watches;
  /// Open WatchTraces streams on this loop, likewise.
  absl::flat_hash_set<WatchTracesCall*> watches;
  /// The contexts of background task runs on this loop, cancelled when the
  /// shutdown's grace period ends.
  absl::flat_hash_set<loop::TaskContext*> backgrounds;
  uint64_t requests = 0;

  /// A server-unique id for a request that came without one: "0-17" is the
  /// 17th request of loop 0.
  std::string NextRequestId() { return absl::StrCat(loop->index(), "-", ++requests); }
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_LOOP_SERVICES_H_
