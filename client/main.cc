// corouter: the command-line client of a corouter server.
//
//   corouter call [--server HOST:PORT] [--timeout D] METHOD TARGET [METHOD TARGET ...]
//                 [-H 'name: value']... [-d BODY] [--trace]
//   corouter routes [--server HOST:PORT] [--timeout D]
//   corouter stats [--server HOST:PORT] [--timeout D]
//
// Exit codes: see client/exit_code.h.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/call_command.h"
#include "client/connection.h"
#include "client/exit_code.h"
#include "client/request_spec.h"
#include "client/routes_command.h"

namespace corouter::client {
namespace {

// The raw text of the connection flags of one subcommand.
struct ConnectionFlags {
  std::string server = std::string(kDefaultServer);
  std::string timeout = std::string(kDefaultTimeoutText);
};

void AddConnectionFlags(CLI::App& command, ConnectionFlags& flags) {
  command.add_option("--server", flags.server, "corouter server as HOST:PORT (or any gRPC target)")
      ->type_name("HOST:PORT")
      ->envname(std::string(kServerEnvironmentVariable))
      ->capture_default_str();
  command
      .add_option("--timeout", flags.timeout,
                  "Deadline of each call, with a unit: 500ms, 2s, 1.5s, 1m")
      ->type_name("DURATION")
      ->capture_default_str();
}

// Converts the flags; throws CLI::ValidationError so that bad values are
// reported like every other usage error.
ConnectionOptions ToConnectionOptions(const ConnectionFlags& flags) {
  if (flags.server.empty()) throw CLI::ValidationError("--server", "must not be empty");
  absl::StatusOr<absl::Duration> timeout = ParseTimeout(flags.timeout);
  if (!timeout.ok()) {
    throw CLI::ValidationError("--timeout", std::string(timeout.status().message()));
  }
  ConnectionOptions options;
  options.server = flags.server;
  options.timeout = *timeout;
  return options;
}

int Main(int argc, char** argv) {
  CLI::App app{"corouter: run HTTP-style path requests on a corouter server over gRPC.",
               "corouter"};
  app.require_subcommand(1);

  CLI::App* call = app.add_subcommand(
      "call",
      "Send requests (concurrently, labelled A, B, C...) and print the responses, or with "
      "--trace the execution table");
  call->footer(
      "Examples:\n"
      "  corouter call GET '/slow_task/1?q=test'\n"
      "  corouter call --trace GET '/slow_task/1?q=test' GET /fast_task/\n"
      "  corouter call POST /items/ -H 'content-type: application/json' -d '{\"name\":\"x\"}'\n");
  ConnectionFlags call_flags;
  AddConnectionFlags(*call, call_flags);
  std::vector<std::string> pairs;
  std::vector<std::string> headers;
  std::string body;
  bool trace = false;
  call->add_option("requests", pairs,
                   "METHOD TARGET pairs, e.g. GET /slow_task/1?q=test GET /fast_task/")
      ->type_name("METHOD TARGET");
  call->add_option("-H,--header", headers, "Header sent with every request (repeatable)")
      ->type_name("'NAME: VALUE'")
      ->allow_extra_args(false);
  call->add_option("-d,--data", body, "Body sent with every request")->type_name("BODY");
  call->add_flag("--trace", trace,
                 "Stream execution traces (ExecuteTraced) and print the execution table");
  std::string reorder_window = "30ms";
  call->add_option("--reorder-window", reorder_window,
                   "With --trace: hold rows this long to print them in the server's order "
                   "across requests (0: arrival order)")
      ->type_name("DURATION")
      ->capture_default_str();

  CLI::App* routes = app.add_subcommand("routes", "Print the server's route table");
  ConnectionFlags routes_flags;
  AddConnectionFlags(*routes, routes_flags);

  CLI::App* stats = app.add_subcommand(
      "stats", "Print the server's counters: loops, executor, per-route latency");
  ConnectionFlags stats_flags;
  AddConnectionFlags(*stats, stats_flags);

  CallOptions call_options;
  ConnectionOptions routes_options;
  try {
    app.parse(argc, argv);
    if (call->parsed()) {
      call_options.connection = ToConnectionOptions(call_flags);
      absl::StatusOr<std::vector<RequestSpec>> requests = BuildRequests(pairs, headers, body);
      if (!requests.ok()) {
        throw CLI::ValidationError(std::string(requests.status().message()));
      }
      call_options.requests = *std::move(requests);
      call_options.trace = trace;
      absl::Duration window;
      if (!absl::ParseDuration(reorder_window, &window) || window < absl::ZeroDuration() ||
          window > absl::Seconds(10)) {
        throw CLI::ValidationError("--reorder-window",
                                   "want a duration from 0 to 10s, such as 30ms");
      }
      call_options.reorder_window = window;
    } else {
      routes_options = ToConnectionOptions(stats->parsed() ? stats_flags : routes_flags);
    }
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);  // --help: prints the help on stdout.
    }
    const std::string help = call->parsed()     ? "corouter call --help"
                             : routes->parsed() ? "corouter routes --help"
                             : stats->parsed()  ? "corouter stats --help"
                                                : "corouter --help";
    std::cerr << "corouter: " << e.what() << " (see '" << help << "')\n";
    return kExitUsage;
  }

  if (call->parsed()) return RunCall(call_options, std::cout, std::cerr);
  if (stats->parsed()) return RunStats(routes_options, std::cout, std::cerr);
  return RunRoutes(routes_options, std::cout, std::cerr);
}

}  // namespace
}  // namespace corouter::client

int main(int argc, char** argv) {
  try {
    return corouter::client::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "corouter: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "corouter: internal error\n";
  }
  return corouter::client::kExitRpcFailure;
}
