// tests/bench/floor_server.cc
//
// corouter-bench-floor: the cheapest asynchronous completion-queue gRPC C++
// server we can write, the floor that corouter-server is measured against
// (tests/bench/run_e2e.sh). One grpc::AsyncGenericService, one completion
// queue, one thread polling it; every call, whatever its method, is answered
// with its own request bytes and status OK. No routing, no parsing, no
// reflection or health service, and Abseil's mutex deadlock detection off
// (Debian's Abseil leaves it on, and gRPC's own locks pay for it).
//
//   corouter-bench-floor --listen 127.0.0.1:0 --port-file F [--hold-ms N]
//       [--health-service] [--absl-deadlock-detection] [--calls N] [--empty-reply]
//
// --empty-reply answers with an empty message instead of the echo: an OTLP
// ExportTraceServiceResponse of full success, so the floor serves as the
// OTLP receiver of run_e2e.sh's execute_fast_task_otlp (it never parses the
// spans, so it costs the machine as little as a receiver can).
// --hold-ms N holds every call N ms (a grpc::Alarm) before answering: what a
// sleeping call costs gRPC itself, the baseline for corouter's RSS per
// in-flight request. --health-service and --absl-deadlock-detection put back
// what corouter-server has, to measure what each costs (BENCHMARKS.md).
// SIGINT/SIGTERM stop it.
#include <signal.h>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "grpc/support/time.h"
#include "grpcpp/alarm.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"

namespace {

bool empty_reply = false;  // --empty-reply, set before serving

// Set under `mu` before the completion queue is shut down: from then on no
// call starts an operation (one started on a shut-down queue is an error).
struct Stop {
  std::mutex mu;
  bool stopping = false;
};

// One call: requested, read its one message, (held,) answered, deleted. Its
// address is the completion queue tag of the one operation it has pending.
class Call {
 public:
  Call(grpc::AsyncGenericService* service, grpc::ServerCompletionQueue* cq,
       std::chrono::milliseconds hold, Stop* stop)
      : service_(service), cq_(cq), hold_(hold), stop_(stop) {
    service_->RequestCall(&context_, &stream_, cq_, cq_, this);
  }

  // Handles the completion of the pending operation; deletes the call once it
  // has none left.
  void Proceed(bool ok) {
    std::lock_guard<std::mutex> lock(stop_->mu);  // uncontended until shutdown
    if (stop_->stopping || (!ok && state_ != State::kReading)) {
      delete this;  // shutting down, or the call is over
      return;
    }
    switch (state_) {
      case State::kRequested:
        new Call(service_, cq_, hold_, stop_);  // keep one call requested
        state_ = State::kReading;
        stream_.Read(&message_, this);
        return;
      case State::kReading:
        if (!ok) {  // half-closed without a message: nothing to echo
          state_ = State::kFinishing;
          stream_.Finish(grpc::Status::OK, this);
          return;
        }
        if (hold_.count() > 0) {
          state_ = State::kHolding;
          alarm_.Set(cq_,
                     gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                  gpr_time_from_millis(hold_.count(), GPR_TIMESPAN)),
                     this);
          return;
        }
        [[fallthrough]];
      case State::kHolding:
        state_ = State::kFinishing;
        if (empty_reply) {
          grpc::Slice nothing;
          message_ = grpc::ByteBuffer(&nothing, 1);  // an empty message: any proto's default
        }
        stream_.WriteAndFinish(message_, grpc::WriteOptions(), grpc::Status::OK, this);
        return;
      case State::kFinishing:
        delete this;
        return;
    }
  }

 private:
  enum class State { kRequested, kReading, kHolding, kFinishing };

  grpc::AsyncGenericService* const service_;
  grpc::ServerCompletionQueue* const cq_;
  const std::chrono::milliseconds hold_;
  Stop* const stop_;
  grpc::GenericServerContext context_;
  grpc::GenericServerAsyncReaderWriter stream_{&context_};
  grpc::ByteBuffer message_;
  grpc::Alarm alarm_;
  State state_ = State::kRequested;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"corouter-bench-floor: a generic async gRPC echo server, the benchmark floor"};
  std::string address = "127.0.0.1:0";
  std::string port_file;
  int hold_ms = 0;
  size_t requested = 8;
  bool deadlock_detection = false;
  bool health_service = false;
  cli.add_option("--listen", address, "host:port (port 0: the OS picks)")->capture_default_str();
  cli.add_option("--port-file", port_file, "write the bound port to this file once listening");
  cli.add_option("--hold-ms", hold_ms, "answer every call after this many ms")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  cli.add_option("--calls", requested, "calls requested ahead of time (corouter: 8 per method)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cli.add_flag("--absl-deadlock-detection", deadlock_detection,
               "keep Abseil's mutex deadlock detection on (Debian's Abseil has it on; it costs "
               "every gRPC-internal lock a graph update)");
  cli.add_flag("--empty-reply", empty_reply,
               "answer every call with an empty message instead of the echo, without parsing "
               "it: an OTLP receiver's full success, so the floor is a cheap OTLP sink");
  cli.add_flag("--health-service", health_service,
               "also serve grpc.health.v1 as corouter-server does (gRPC implements it with the "
               "callback API, which adds its own polling threads)");
  CLI11_PARSE(cli, argc, argv);
  if (!deadlock_detection) absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // inherited by every thread

  grpc::EnableDefaultHealthCheckService(health_service);
  grpc::AsyncGenericService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterAsyncGenericService(&service);
  std::unique_ptr<grpc::ServerCompletionQueue> cq = builder.AddCompletionQueue();
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "corouter-bench-floor: cannot listen on " << address << std::endl;
    return 1;
  }

  Stop stop;
  const std::chrono::milliseconds hold(hold_ms);
  for (size_t i = 0; i < requested; ++i) new Call(&service, cq.get(), hold, &stop);
  std::thread cq_thread([&cq] {
    void* tag = nullptr;
    bool ok = false;
    while (cq->Next(&tag, &ok)) static_cast<Call*>(tag)->Proceed(ok);
  });

  if (!port_file.empty()) {
    std::ofstream out(port_file);
    out << port << "\n";
  }
  std::cout << "corouter-bench-floor listening on port " << port << " (hold " << hold_ms << " ms)"
            << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  {
    // From here every completion just deletes its call: nothing new is queued.
    std::lock_guard<std::mutex> lock(stop.mu);
    stop.stopping = true;
  }
  server->Shutdown(gpr_now(GPR_CLOCK_MONOTONIC));
  cq->Shutdown();
  cq_thread.join();
  return 0;
}
