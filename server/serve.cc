// corouter::Serve: corouter-server's command line (flags and wiring only;
// everything else lives in the rooms under server/), for corouter-server and
// for any program that serves its own App (examples/embed/).
#include "server/serve.h"

#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/app/route_file.h"
#include "server/file_watcher.h"
#include "server/grpc/execution_server.h"
#include "server/security_flags.h"

namespace {

// Blocks SIGINT and SIGTERM in every thread (the mask is inherited by the
// threads the server starts) so that the main thread can wait for them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Parses a non-negative duration flag ("10s", "500ms"); says why on stderr
// when it is not one.
bool ParseFlagDuration(const std::string& program, const char* flag, const std::string& text,
                       absl::Duration* out) {
  if (absl::ParseDuration(text, out) && *out >= absl::ZeroDuration() &&
      *out < absl::InfiniteDuration()) {
    return true;
  }
  std::cerr << program << ": " << flag << ": \"" << text
            << "\" is not a duration such as 10s or 500ms" << std::endl;
  return false;
}

// Writes `port` and a newline to `file` (nothing when `file` is empty); says
// why on stderr when it cannot.
bool WritePortFile(const std::string& program, const char* flag, const std::string& file,
                   int port) {
  if (file.empty()) return true;
  std::ofstream out(file);
  out << port << "\n";
  if (out) return true;
  std::cerr << program << ": " << flag << ": cannot write " << file << ": " << std::strerror(errno)
            << std::endl;
  return false;
}

}  // namespace

namespace corouter {

int Serve(int argc, char** argv, const ServeOptions& serve) {
  const std::string& program = serve.program;
  CLI::App cli{serve.description};
  corouter::grpc_front::ServerOptions options;
  double time_scale = 1.0;
  std::string grace_text = "10s";
  std::string port_file;
  std::string app_file;
  uint64_t seed = 0;
  auto* seed_flag = cli.add_option(
      "--seed", seed,
      "seed of the sleeps drawn from a distribution ({lognormal: ...}): the same seed gives the "
      "same durations (default: a random one, printed at start)");
  auto* app_flag = cli.add_option(
      "--app", app_file,
      absl::StrCat("route file (YAML) declaring the app to serve; default: ", serve.app_name));
  std::string check_file;
  cli.add_option("--check", check_file,
                 "check a route file (YAML) and exit: 0 and its route count when it loads, 1 "
                 "and FILE:LINE: problem when it does not; nothing is served")
      ->type_name("FILE");
  bool watch = false;
  cli.add_flag("--watch", watch,
               "reload the --app file when it changes on disk (requests running finish on the "
               "old app; a file that does not load is logged and the old app keeps serving)")
      ->needs(app_flag);
  cli.add_option("--journal", options.journal,
                 "requests kept in the request journal (JournalService, corouter requests), "
                 "the oldest leaving first; 0: off")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{10'000'000}));
  cli.add_flag("--admin", options.admin,
               "answer corouter.v1.AdminService (LoadApp, GetApp: replace the app at run time); "
               "with --auth-token-file its calls need the token");
  cli.add_option("--listen", options.address, "host:port to listen on (port 0: the OS picks)")
      ->capture_default_str();
  cli.add_option("--loops", options.loops, "event loop threads, one completion queue each")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cli.add_option("--executor-threads", options.executor_threads,
                 "executor capacity: sync path operations and offloads at once (anyio's 40)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cli.add_option("--time-scale", time_scale,
                 "multiply every duration of the app (0.01 makes sleep(2s) 20ms)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  cli.add_option("--grace", grace_text,
                 "on SIGINT/SIGTERM, time in-flight calls and background tasks get to finish")
      ->capture_default_str();
  cli.add_option("--port-file", port_file, "write the bound port to this file once listening");
  cli.add_option("--max-in-flight", options.max_in_flight,
                 "requests executing at once; beyond it calls get RESOURCE_EXHAUSTED (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--max-body-size", options.limits.max_body_bytes,
                 "largest request body accepted, in bytes or with a unit (512KiB, 4MiB, 1MB); "
                 "beyond it calls get RESOURCE_EXHAUSTED")
      ->transform(CLI::AsSizeValue(/*kb_is_1000=*/true))
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 30))
      ->capture_default_str();
  std::string max_deadline_text = "0s";
  cli.add_option("--max-deadline", max_deadline_text,
                 "deadline for calls that come without one, or with a later one (0s: none)")
      ->capture_default_str();
  std::string slow_callback_text = "100ms";
  cli.add_option("--slow-callback", slow_callback_text,
                 "a slice of loop work longer than this is traced as BLOCKING_CALL "
                 "(asyncio's slow_callback_duration)")
      ->capture_default_str();
  cli.add_option("--trace-history", options.trace_history,
                 "completed traces kept for WatchTraces replay and resuming (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1000000}));
  cli.add_option("--watch-buffer", options.watch_buffer,
                 "events one WatchTraces subscriber may have queued; beyond it new events are "
                 "dropped and counted")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10000000}));
  corouter::otlp::OtlpOptions otlp;
  std::string otlp_delay_text = "5s";
  std::string otlp_timeout_text = "10s";
  auto* otlp_endpoint =
      cli.add_option("--otlp-endpoint", otlp.endpoint,
                     "export every request as an OTLP span to this OTLP/gRPC receiver "
                     "(HOST:PORT; plaintext unless --otlp-tls; off when not given)");
  cli.add_option("--otlp-service-name", otlp.service_name, "the spans' service.name")
      ->capture_default_str()
      ->needs(otlp_endpoint);
  cli.add_option("--otlp-queue-size", otlp.max_queue_spans,
                 "spans queued for export at most; beyond it spans are dropped and counted")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10000000}))
      ->needs(otlp_endpoint);
  cli.add_option("--otlp-batch-size", otlp.max_batch_spans,
                 "spans per Export call at most (no more than --otlp-queue-size)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10000000}))
      ->needs(otlp_endpoint);
  cli.add_option("--otlp-schedule-delay", otlp_delay_text, "the longest a span waits for its batch")
      ->capture_default_str()
      ->needs(otlp_endpoint);
  cli.add_option("--otlp-timeout", otlp_timeout_text, "deadline of one Export call")
      ->capture_default_str()
      ->needs(otlp_endpoint);
  cli.add_option("--otlp-concurrent-exports", otlp.concurrent_exports,
                 "Export calls in flight at once, one thread each")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{64}))
      ->needs(otlp_endpoint);
  cli.add_option("--metrics-listen", options.metrics_listen,
                 "serve Prometheus metrics on GET /metrics at this HOST:PORT (port 0: the OS "
                 "picks; off when not given)");
  std::string metrics_port_file;
  cli.add_option("--metrics-port-file", metrics_port_file,
                 "write the metrics endpoint's bound port to this file once listening");
  corouter::SecurityFlags security;
  corouter::AddSecurityFlags(cli, security);
  CLI11_PARSE(cli, argc, argv);

  // --check: the loader's verdict on a file, as --app would give it.
  if (!check_file.empty()) {
    absl::StatusOr<corouter::app::App> checked =
        corouter::app::LoadRouteFile(check_file, {.time_scale = time_scale});
    if (!checked.ok()) {
      std::cerr << program << ": --check " << checked.status().message() << std::endl;
      return 1;
    }
    std::cout << check_file << ": OK, " << checked->operations().size()
              << (checked->operations().size() == 1 ? " route" : " routes") << std::endl;
    return 0;
  }

  absl::Duration grace;
  if (!ParseFlagDuration(program, "--grace", grace_text, &grace) ||
      !ParseFlagDuration(program, "--max-deadline", max_deadline_text, &options.max_deadline) ||
      !ParseFlagDuration(program, "--slow-callback", slow_callback_text, &options.slow_callback) ||
      !ParseFlagDuration(program, "--otlp-schedule-delay", otlp_delay_text, &otlp.schedule_delay) ||
      !ParseFlagDuration(program, "--otlp-timeout", otlp_timeout_text, &otlp.export_timeout)) {
    return 2;
  }
  if (otlp_endpoint->count() > 0) {
    if (absl::StatusOr<std::string> endpoint = corouter::otlp::ParseOtlpEndpoint(otlp.endpoint);
        !endpoint.ok()) {
      std::cerr << program << ": --otlp-endpoint: " << endpoint.status().message() << std::endl;
      return 2;
    }
    if (otlp.max_batch_spans > otlp.max_queue_spans) {
      std::cerr << program << ": --otlp-batch-size " << otlp.max_batch_spans
                << " is more than --otlp-queue-size " << otlp.max_queue_spans << std::endl;
      return 2;
    }
    if (otlp.export_timeout <= absl::ZeroDuration()) {
      std::cerr << program << ": --otlp-timeout must be more than 0s" << std::endl;
      return 2;
    }
    options.otlp = otlp;
  }
  if (!options.metrics_listen.empty()) {
    if (absl::Status status =
            corouter::metrics::MetricsServer::CheckAddress(options.metrics_listen);
        !status.ok()) {
      std::cerr << program << ": --metrics-listen: " << status.message() << std::endl;
      return 2;
    }
  }
  if (!metrics_port_file.empty() && options.metrics_listen.empty()) {
    std::cerr << program << ": --metrics-port-file needs --metrics-listen" << std::endl;
    return 2;
  }
  if (absl::Status status = corouter::ApplySecurityFlags(security, &options); !status.ok()) {
    std::cerr << program << ": " << status.message() << std::endl;
    return 2;
  }

  // Debian's Abseil checks every mutex acquisition for lock-order cycles;
  // that costs ~15% of a request (BENCHMARKS.md, profile finding 4). The test
  // build keeps it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const sigset_t stop_signals = BlockStopSignals();
  options.time_scale = time_scale;
  if (seed_flag->count() == 0) seed = std::random_device()();
  options.seed = seed;
  absl::StatusOr<corouter::app::App> app = absl::UnknownError("no app");
  if (app_file.empty()) {
    app = serve.app(time_scale);
    options.app_source = {.source = serve.app_name};
  } else {
    absl::StatusOr<std::string> text = corouter::app::ReadRouteFileText(app_file);
    app = text.ok() ? corouter::app::ParseRouteFile(*text, app_file,
                                                    {.time_scale = time_scale, .seed = seed})
                    : absl::StatusOr<corouter::app::App>(text.status());
    if (text.ok()) options.app_source = {.source = "--app " + app_file, .route_file = *text};
  }
  if (!app.ok()) {
    std::cerr << program << ": " << (app_file.empty() ? "" : "--app ") << app.status().message()
              << std::endl;
    return 1;
  }
  corouter::grpc_front::ExecutionServer server(*app, options);
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) {
    std::cerr << program << ": " << port.status().message() << std::endl;
    return 1;
  }
  if (!WritePortFile(program, "--port-file", port_file, *port) ||
      !WritePortFile(program, "--metrics-port-file", metrics_port_file, server.metrics_port())) {
    server.Shutdown(absl::ZeroDuration());
    return 1;
  }
  const std::string host = options.address.substr(0, options.address.rfind(':'));
  if (server.metrics_port() > 0) {
    const std::string metrics_host =
        options.metrics_listen.substr(0, options.metrics_listen.rfind(':'));
    std::cout << program << ": metrics on http://" << metrics_host << ":" << server.metrics_port()
              << "/metrics" << std::endl;
  }
  if (options.otlp.has_value()) {
    std::cout << program << ": exporting spans to " << options.otlp->endpoint << " (OTLP/gRPC)"
              << std::endl;
  }
  const corouter::SecurityLines security_lines = corouter::DescribeSecurity(security);
  for (const std::string& line : security_lines.info) std::cout << line << std::endl;
  if (!security_lines.warning.empty()) std::cerr << security_lines.warning << std::endl;
  std::cout << program << " listening on " << host << ":" << *port << " (" << options.loops
            << (options.loops == 1 ? " event loop" : " event loops") << ", executor capacity "
            << options.executor_threads << ", " << (app_file.empty() ? serve.app_name : app_file)
            << ", time scale " << time_scale << ")" << std::endl;

  // --watch: each change of the file is loaded as a new version; one that
  // does not load is said, and the served app stays.
  std::optional<corouter::FileWatcher> watcher;
  if (watch) {
    watcher.emplace(app_file, [&] {
      absl::StatusOr<std::string> text = corouter::app::ReadRouteFileText(app_file);
      absl::StatusOr<corouter::app::App> changed =
          text.ok() ? corouter::app::ParseRouteFile(*text, app_file,
                                                    {.time_scale = time_scale, .seed = seed})
                    : absl::StatusOr<corouter::app::App>(text.status());
      absl::StatusOr<corouter::v1::AppVersion> version =
          changed.ok()
              ? server.ReplaceApp(std::make_shared<const corouter::app::App>(*std::move(changed)),
                                  {.source = "--watch " + app_file, .route_file = *text})
              : absl::StatusOr<corouter::v1::AppVersion>(changed.status());
      if (version.ok()) {
        std::cout << program << ": --watch: loaded " << app_file << " as app version "
                  << version->version() << " (" << version->routes()
                  << (version->routes() == 1 ? " route)" : " routes)") << std::endl;
      } else {
        std::cerr << program << ": --watch: " << version.status().message()
                  << "; still serving app version " << server.app_version().version() << std::endl;
      }
    });
    std::cout << program << ": watching " << app_file << " for changes" << std::endl;
  }
  if (options.admin) {
    std::cout << program << ": AdminService is on (LoadApp, GetApp)" << std::endl;
  }
  // Only route files draw sleeps: said when one is or may be served.
  if (seed_flag->count() == 0 && (!app_file.empty() || options.admin)) {
    std::cout << program << ": --seed " << seed
              << " (random; give it to draw the same sleeps again)" << std::endl;
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  watcher.reset();  // no reload while shutting down
  std::cout << program << ": " << strsignal(signal_number) << ", shutting down (grace "
            << absl::FormatDuration(grace) << ")" << std::endl;
  server.Shutdown(grace);
  std::cout << program << ": stopped" << std::endl;
  return 0;
}

}  // namespace corouter
