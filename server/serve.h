// server/serve.h
//
// corouter::Serve: the one entry point of a program that serves an App over
// gRPC (corouter.v1.ExecutionService) with corouter-server's command line.
// corouter-server is Serve with the embedded seed app; a project of its own
// (examples/embed/, linking the installed package's corouter::server) passes
// its own App, with its own C++ path operations:
//
//   int main(int argc, char** argv) {
//     return corouter::Serve(argc, argv, {.program = "my-server",
//                                         .app = [](double) { return MyApp(); },
//                                         .app_name = "my app"});
//   }
//
// Every flag of corouter-server is there, with the same meaning and checks
// (docs/deployment.md): --listen, --loops, --executor-threads, --time-scale,
// --grace, --port-file, the limits, tracing, OTLP, metrics, TLS and token
// auth. `--app FILE` still serves a route file instead of the given app.
//
// Thread safety: call once, from the program's main thread, before any other
// thread is started: Serve blocks SIGINT and SIGTERM in the calling thread
// (and so in every thread the server starts) and waits for one of them.
#ifndef COROUTER_SERVER_SERVE_H_
#define COROUTER_SERVER_SERVE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "server/app/app.h"

namespace corouter {

/// Builds the app to serve, once the flags are parsed. `time_scale` is
/// --time-scale (1 unless given): the factor by which the app's own sleeps
/// and blocking calls should be scaled (the seed app's `Sleep(2s)` lasts
/// 2 s x time_scale). An error status stops the program with exit code 1
/// and the status's message on stderr.
using AppFactory = std::function<absl::StatusOr<app::App>(double time_scale)>;

struct ServeOptions {
  /// The program's name in its messages ("my-server: listening on ...").
  std::string program = "corouter-server";
  /// The first line of --help.
  std::string description = "corouter-server: FastAPI's async path-operation model behind gRPC";
  /// The app served when --app is not given. Required.
  AppFactory app;
  /// How the startup line and --help name that app ("seed app").
  std::string app_name = "the embedded app";
};

/// Parses argv with corouter-server's flags, builds the app, listens, prints
/// "PROGRAM listening on HOST:PORT (...)" on stdout, then serves until
/// SIGINT or SIGTERM, when in-flight calls and background tasks get --grace
/// to finish (docs/deployment.md, "Stopping").
/// Returns the process's exit code: 0 after that stop (and for --help), 2
/// for a flag that is malformed or out of range (one line on stderr naming
/// the flag), 1 when the app cannot be built or loaded, the address cannot
/// be bound, or a --port-file cannot be written.
int Serve(int argc, char** argv, const ServeOptions& options);

}  // namespace corouter

#endif  // COROUTER_SERVER_SERVE_H_
