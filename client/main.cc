// corouter: the command-line client of a corouter server.
//
//   corouter call [--server HOST:PORT] [--timeout D] METHOD TARGET [METHOD TARGET ...]
//                 [-H 'name: value']... [-d BODY] [--trace [--record FILE.json]
//                 [--timeline FILE.svg|FILE.png] [--tracker]] [--stagger D]
//   corouter routes [--server HOST:PORT] [--timeout D]
//   corouter stats [--server HOST:PORT]... [--timeout D]
//   corouter watch [--server HOST:PORT]... [filters] [--completed] [--replay N]
//                  [--resume CURSOR] [--plain | --json] [--record FILE.json]
//   corouter dashboard [--server HOST:PORT]... [--listen HOST:PORT] [--port-file FILE]
//   corouter app [--server HOST:PORT] [--load FILE]
//   corouter requests [--server HOST:PORT] [filters] [--json | --count | --clear |
//                     --wait N [--wait-timeout D]] [--limit N]
//
// Every subcommand also takes --tls, --ca FILE, --cert FILE --key FILE and
// --token-file FILE (or COROUTER_TOKEN), and all but dashboard --lb
// pick_first|round_robin: see client/connection.h.
//
// Exit codes: see client/exit_code.h.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/app_command.h"
#include "client/call_command.h"
#include "client/connection.h"
#include "client/dashboard_command.h"
#include "client/exit_code.h"
#include "client/output_file.h"
#include "client/request_spec.h"
#include "client/requests_command.h"
#include "client/routes_command.h"
#include "client/timeline_picture.h"
#include "client/watch_command.h"
#include "grpc/support/log.h"

namespace corouter::client {
namespace {

// The raw text of the connection flags of one subcommand.
struct ConnectionFlags {
  std::string server = std::string(kDefaultServer);
  // Instead of `server`, for the subcommands that take several (stats, watch).
  std::vector<std::string> servers;
  std::string timeout = std::string(kDefaultTimeoutText);
  std::string load_balancing = "pick_first";
  SecurityFlagValues security;
};

void AddSecurityFlags(CLI::App& command, SecurityFlagValues& flags) {
  command.add_flag("--tls", flags.tls,
                   "Speak TLS, verifying the server's certificate (against --ca, else the "
                   "default roots) and its name in --server");
  command.add_option("--ca", flags.ca_file, "PEM CA certificates for the server's (implies --tls)")
      ->type_name("FILE");
  command
      .add_option("--cert", flags.cert_file,
                  "PEM client certificate chain, for mutual TLS (with --key; implies --tls)")
      ->type_name("FILE");
  command.add_option("--key", flags.key_file, "Unencrypted PEM private key of --cert")
      ->type_name("FILE");
  command
      .add_option("--token-file", flags.token_file,
                  "Send the bearer token in FILE (one trailing newline stripped) as "
                  "'authorization: Bearer <token>'; default: $" +
                      std::string(kTokenEnvironmentVariable) + ", the token itself")
      ->type_name("FILE");
}

// Reads the security flags' files (and COROUTER_TOKEN); throws
// CLI::ValidationError naming the flag.
ChannelSecurity ToChannelSecurity(const SecurityFlagValues& flags) {
  absl::StatusOr<ChannelSecurity> security =
      LoadChannelSecurity(flags, std::getenv(std::string(kTokenEnvironmentVariable).c_str()));
  if (!security.ok()) throw CLI::ValidationError(std::string(security.status().message()));
  return *std::move(security);
}

// With `several`, --server is repeatable (into flags.servers).
void AddConnectionFlags(CLI::App& command, ConnectionFlags& flags, bool several = false) {
  if (several) {
    command
        .add_option("--server", flags.servers,
                    "corouter server as HOST:PORT (or any gRPC target); repeatable: several "
                    "servers (replicas) are merged, each labelled (default " +
                        std::string(kDefaultServer) + ")")
        ->type_name("HOST:PORT")
        ->envname(std::string(kServerEnvironmentVariable))
        ->allow_extra_args(false);
  } else {
    command
        .add_option("--server", flags.server,
                    "corouter server as HOST:PORT (or any gRPC target, such as "
                    "ipv4:HOST:PORT,HOST:PORT for several, with --lb)")
        ->type_name("HOST:PORT")
        ->envname(std::string(kServerEnvironmentVariable))
        ->capture_default_str();
  }
  command
      .add_option("--lb", flags.load_balancing,
                  "How calls spread over the addresses --server resolves to: pick_first (one "
                  "connection) or round_robin (every address, in turn)")
      ->type_name("POLICY")
      ->capture_default_str();
  command
      .add_option("--timeout", flags.timeout,
                  "Deadline of each call, with a unit: 500ms, 2s, 1.5s, 1m")
      ->type_name("DURATION")
      ->capture_default_str();
  AddSecurityFlags(command, flags.security);
}

// Converts the flags; throws CLI::ValidationError so that bad values are
// reported like every other usage error.
ConnectionOptions ToConnectionOptions(const ConnectionFlags& flags) {
  if (flags.server.empty()) throw CLI::ValidationError("--server", "must not be empty");
  absl::StatusOr<absl::Duration> timeout = ParseTimeout(flags.timeout);
  if (!timeout.ok()) {
    throw CLI::ValidationError("--timeout", std::string(timeout.status().message()));
  }
  absl::StatusOr<LoadBalancing> load_balancing = ParseLoadBalancing(flags.load_balancing);
  if (!load_balancing.ok()) {
    throw CLI::ValidationError("--lb", std::string(load_balancing.status().message()));
  }
  ConnectionOptions options;
  options.server = flags.server;
  options.timeout = *timeout;
  options.load_balancing = *load_balancing;
  options.security = ToChannelSecurity(flags.security);
  return options;
}

// The same for a subcommand that takes several --server: one
// ConnectionOptions per server, in the order given.
std::vector<ConnectionOptions> ToConnectionOptionsList(const ConnectionFlags& flags) {
  std::vector<std::string> servers = flags.servers;
  if (servers.empty()) servers.emplace_back(kDefaultServer);
  ConnectionFlags one = flags;
  one.server = servers[0];
  const ConnectionOptions first = ToConnectionOptions(one);
  std::vector<ConnectionOptions> list;
  for (const std::string& server : servers) {
    if (server.empty()) throw CLI::ValidationError("--server", "must not be empty");
    for (const ConnectionOptions& seen : list) {
      if (seen.server == server) {
        throw CLI::ValidationError("--server", absl::StrCat(server, " is given twice"));
      }
    }
    ConnectionOptions options = first;
    options.server = server;
    list.push_back(std::move(options));
  }
  return list;
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
      "  corouter call --trace --tracker --stagger 10ms GET /wait GET /wait GET /blocking GET "
      "/fast_task/\n"
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
  std::string call_record;
  std::vector<std::string> call_timelines;
  call->add_option("--record", call_record,
                   "With --trace: write the requests' timeline to FILE.json in the Trace Event "
                   "Format, for ui.perfetto.dev or chrome://tracing")
      ->type_name("FILE.json");
  call->add_option("--timeline", call_timelines,
                   "With --trace: draw the requests' timeline to FILE.svg or FILE.png "
                   "(repeatable)")
      ->type_name("FILE.svg|FILE.png")
      ->allow_extra_args(false);
  bool call_tracker = false;
  call->add_flag("--tracker", call_tracker,
                 "With --trace: after the execution table, print the Variable Tracker: each "
                 "request's state (and, with several, the server's) after every step that "
                 "changed one");
  std::string call_stagger = "0s";
  call->add_option("--stagger", call_stagger,
                   "Send the requests in argument order, each this long after the previous one "
                   "was sent (not answered), so the server receives them in order: 10ms "
                   "(0: all at once); or one gap per pair, 10ms,2.1s,10ms (the last repeats)")
      ->type_name("DURATION[,DURATION...]")
      ->capture_default_str();

  CLI::App* routes = app.add_subcommand("routes", "Print the server's route table");
  ConnectionFlags routes_flags;
  AddConnectionFlags(*routes, routes_flags);

  CLI::App* stats = app.add_subcommand(
      "stats", "Print the server's counters: loops, executor, per-route latency");
  stats->footer(
      "Examples:\n"
      "  corouter stats\n"
      "  corouter stats --server 10.0.0.1:50051 --server 10.0.0.2:50051   (replicas, merged)\n");
  ConnectionFlags stats_flags;
  AddConnectionFlags(*stats, stats_flags, /*several=*/true);

  CLI::App* watch = app.add_subcommand(
      "watch",
      "Watch every request the server runs, live: a top-like screen, or --plain/--json lines");
  watch->footer(
      "Examples:\n"
      "  corouter watch\n"
      "  corouter watch --plain --path '/slow_task/{item_id}'\n"
      "  corouter watch --completed --status 5xx --status 422 --min-duration 100ms\n"
      "  corouter watch --json --replay 100 | jq 'select(.step == \"STEP_RESPONSE_SENT\")'\n"
      "  corouter watch --plain --server 10.0.0.1:50051 --server 10.0.0.2:50051   (replicas, "
      "labelled)\n");
  ConnectionFlags watch_flags;
  watch_flags.timeout = "5s";
  AddConnectionFlags(*watch, watch_flags, /*several=*/true);
  std::vector<std::string> watch_paths, watch_endpoints, watch_methods, watch_status,
      watch_outcomes;
  std::string watch_min_duration, watch_resume;
  double watch_sample = 1.0;
  unsigned watch_replay = 0;
  bool watch_completed = false, watch_plain = false, watch_json = false;
  watch->add_option("--path", watch_paths, "Only this path template (repeatable)")
      ->type_name("TEMPLATE");
  watch->add_option("--endpoint", watch_endpoints, "Only this endpoint (repeatable)")
      ->type_name("NAME");
  watch->add_option("--method", watch_methods, "Only this method (repeatable)")
      ->type_name("METHOD");
  watch->add_flag("--completed", watch_completed,
                  "Whole traces once each request ended (needed by --status, --outcome and "
                  "--min-duration)");
  watch->add_option("--status", watch_status, "With --completed: status code or class: 404, 5xx")
      ->type_name("CODE");
  watch
      ->add_option("--outcome", watch_outcomes,
                   "With --completed: responded, failed, cancelled or blocked (repeatable)")
      ->type_name("OUTCOME");
  watch
      ->add_option("--min-duration", watch_min_duration,
                   "With --completed: requests that took at least this long: 100ms")
      ->type_name("DURATION");
  watch->add_option("--sample", watch_sample, "Fraction of requests, 0 to 1, decided per request")
      ->check(CLI::Range(0.0, 1.0));
  watch->add_option("--replay", watch_replay, "First the last N completed traces the server kept");
  watch
      ->add_option("--resume", watch_resume,
                   "First every kept trace after this cursor (from --json output or a "
                   "previous watch)")
      ->type_name("CURSOR");
  auto* plain_flag = watch->add_flag("--plain", watch_plain, "One line per event, for pipes");
  watch->add_flag("--json", watch_json, "One proto3-JSON TraceEvent per line, for jq")
      ->excludes(plain_flag);
  std::string watch_record;
  watch
      ->add_option("--record", watch_record,
                   "On exit (Ctrl-C, q, the server gone) write every event seen to FILE.json in "
                   "the Trace Event Format, for ui.perfetto.dev")
      ->type_name("FILE.json");

  CLI::App* app_command = app.add_subcommand(
      "app",
      "Show the app the server serves, or replace it with a route file (the server needs "
      "--admin)");
  app_command->footer(
      "Examples:\n"
      "  corouter app\n"
      "  corouter app --load routes.yaml\n");
  ConnectionFlags app_flags;
  AddConnectionFlags(*app_command, app_flags);
  std::string app_load;
  app_command
      ->add_option("--load", app_load,
                   "Serve this route file from now on (requests running finish on the old app)")
      ->type_name("FILE");

  CLI::App* requests = app.add_subcommand(
      "requests",
      "The server's request journal: what reached it, in order, with each request's route, "
      "parameters and status; count, clear or wait for requests");
  requests->footer(
      "Examples:\n"
      "  corouter requests\n"
      "  corouter requests --path '/items/{item_id}' --status 2xx --limit 10\n"
      "  corouter requests --method POST --count\n"
      "  corouter requests --path /orders/ --wait 3 --wait-timeout 5s\n"
      "  corouter requests --clear\n");
  ConnectionFlags requests_flags;
  AddConnectionFlags(*requests, requests_flags);
  std::vector<std::string> requests_methods, requests_paths, requests_endpoints, requests_status,
      requests_headers;
  std::string requests_target_regex, requests_wait_timeout = "10s";
  uint32_t requests_limit = 0;
  uint64_t requests_wait = 0;
  bool requests_json = false, requests_count = false, requests_clear = false;
  requests->add_option("--method", requests_methods, "Only this method (repeatable)")
      ->type_name("METHOD");
  requests->add_option("--path", requests_paths, "Only this path template (repeatable)")
      ->type_name("TEMPLATE");
  requests->add_option("--endpoint", requests_endpoints, "Only this endpoint (repeatable)")
      ->type_name("NAME");
  requests->add_option("--status", requests_status, "Status code or class: 404, 5xx (repeatable)")
      ->type_name("CODE");
  requests
      ->add_option("-H,--header", requests_headers,
                   "Only requests with this header and value (repeatable)")
      ->type_name("'NAME: VALUE'")
      ->allow_extra_args(false);
  requests
      ->add_option("--target-regex", requests_target_regex,
                   "Only targets this RE2 pattern finds: '^/items/[0-9]+$'")
      ->type_name("REGEX");
  requests->add_option("--limit", requests_limit, "Only the newest N");
  auto* json_flag = requests->add_flag("--json", requests_json, "One JSON JournalEntry a line");
  auto* count_flag = requests->add_flag("--count", requests_count, "Print how many match");
  auto* clear_flag = requests->add_flag("--clear", requests_clear, "Remove the matching ones");
  auto* wait_flag =
      requests
          ->add_option("--wait", requests_wait,
                       "Wait until N requests match (those already there count), then print them")
          ->type_name("N");
  requests
      ->add_option("--wait-timeout", requests_wait_timeout, "With --wait: how long to wait at most")
      ->type_name("DURATION")
      ->capture_default_str();
  count_flag->excludes(clear_flag)->excludes(wait_flag)->excludes(json_flag);
  clear_flag->excludes(wait_flag)->excludes(json_flag);

  CLI::App* dashboard = app.add_subcommand(
      "dashboard",
      "Serve a live web page of one or more servers' requests: timeline, in flight, recent, "
      "blocking warnings");
  dashboard->footer(
      "Examples:\n"
      "  corouter dashboard --listen 127.0.0.1:8080\n"
      "  corouter dashboard --server 10.0.0.1:50051 --server 10.0.0.2:50051 --listen "
      "0.0.0.0:8080\n");
  DashboardFlags dashboard_flags;
  dashboard
      ->add_option("--server", dashboard_flags.servers,
                   "corouter server to watch, HOST:PORT (repeatable; default 127.0.0.1:50051)")
      ->type_name("HOST:PORT")
      ->allow_extra_args(false);
  dashboard
      ->add_option("--listen", dashboard_flags.listen,
                   "Where the page is served, HOST:PORT; port 0 lets the OS pick")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  dashboard
      ->add_option("--port-file", dashboard_flags.port_file,
                   "Write the bound port there once listening")
      ->type_name("FILE");
  dashboard
      ->add_option("--tab-buffer", dashboard_flags.tab_buffer,
                   "Frames queued per browser tab; beyond it the tab drops and is told")
      ->capture_default_str();
  dashboard->add_option("--max-tabs", dashboard_flags.max_tabs, "Event streams served at once")
      ->capture_default_str();
  dashboard
      ->add_option("--replay", dashboard_flags.replay,
                   "Completed traces each server sends first, for the recent list")
      ->capture_default_str();
  SecurityFlagValues dashboard_security;
  AddSecurityFlags(*dashboard, dashboard_security);

  AppOptions app_options;
  RequestsOptions requests_options;
  CallOptions call_options;
  ConnectionOptions routes_options;
  std::vector<ConnectionOptions> stats_options;
  DashboardOptions dashboard_options;
  WatchOptions watch_options;
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
      for (absl::string_view text : absl::StrSplit(call_stagger, ',')) {
        absl::Duration gap;
        if (!absl::ParseDuration(absl::StripAsciiWhitespace(text), &gap) ||
            gap < absl::ZeroDuration() || gap == absl::InfiniteDuration()) {
          throw CLI::ValidationError(
              "--stagger", absl::StrCat("\"", call_stagger, "\": ",
                                        text.empty() ? std::string("an empty gap")
                                                     : absl::StrCat("\"", text, "\""),
                                        " is not a duration of 0 or more; want 10ms, or one "
                                        "gap per pair such as 10ms,2.1s,10ms"));
        }
        call_options.stagger.push_back(gap);
      }
      if (call_tracker && !trace) {
        throw CLI::ValidationError("--tracker",
                                   "needs --trace (it is built from the traced steps)");
      }
      call_options.tracker = call_tracker;
      std::vector<std::pair<std::string, std::string>> files;
      if (!call_record.empty()) files.emplace_back("--record", call_record);
      for (const std::string& path : call_timelines) files.emplace_back("--timeline", path);
      for (const auto& [flag, path] : files) {
        if (!trace) throw CLI::ValidationError(flag, "needs --trace (it draws the traced steps)");
        if (flag == "--timeline") {
          absl::StatusOr<PictureFormat> format = PictureFormatForPath(path);
          if (!format.ok()) {
            throw CLI::ValidationError(flag, std::string(format.status().message()));
          }
        }
        absl::Status writable = CheckWritable(path);
        if (!writable.ok()) throw CLI::ValidationError(flag, std::string(writable.message()));
      }
      call_options.record_path = call_record;
      call_options.timeline_paths = call_timelines;
    } else if (dashboard->parsed()) {
      absl::StatusOr<DashboardOptions> options = ToDashboardOptions(dashboard_flags);
      if (!options.ok()) throw CLI::ValidationError(std::string(options.status().message()));
      dashboard_options = *std::move(options);
      dashboard_options.security = ToChannelSecurity(dashboard_security);
    } else if (watch->parsed()) {
      watch_options.servers = ToConnectionOptionsList(watch_flags);
      corouter::v1::WatchTracesRequest& r = watch_options.request;
      r.set_mode(watch_completed ? corouter::v1::WATCH_MODE_COMPLETED
                                 : corouter::v1::WATCH_MODE_LIVE);
      corouter::v1::WatchFilter& f = *r.mutable_filter();
      for (const auto& v : watch_paths) f.add_path_templates(v);
      for (const auto& v : watch_endpoints) f.add_endpoints(v);
      for (const auto& v : watch_methods) f.add_methods(v);
      for (const auto& v : watch_status) f.add_status(v);
      for (const auto& v : watch_outcomes) {
        if (v == "responded") {
          f.add_outcomes(corouter::v1::OUTCOME_RESPONDED);
        } else if (v == "failed") {
          f.add_outcomes(corouter::v1::OUTCOME_FAILED);
        } else if (v == "cancelled") {
          f.add_outcomes(corouter::v1::OUTCOME_CANCELLED);
        } else if (v == "blocked") {
          f.add_outcomes(corouter::v1::OUTCOME_BLOCKED_LOOP);
        } else {
          throw CLI::ValidationError("--outcome", "\"" + v +
                                                      "\" is not one of responded, failed, "
                                                      "cancelled, blocked");
        }
      }
      if (!watch_min_duration.empty()) {
        absl::Duration d;
        if (!absl::ParseDuration(watch_min_duration, &d) || d < absl::ZeroDuration() ||
            d == absl::InfiniteDuration()) {
          throw CLI::ValidationError("--min-duration", "want a duration such as 100ms");
        }
        f.set_min_duration_nanos(absl::ToInt64Nanoseconds(d));
      }
      if (!watch_completed &&
          (!watch_status.empty() || !watch_outcomes.empty() || !watch_min_duration.empty())) {
        throw CLI::ValidationError("--status/--outcome/--min-duration",
                                   "only with --completed (a live event comes before the "
                                   "request has ended)");
      }
      // On the wire an unset (zero) rate means 1, so --sample 0 is sent as the
      // tiniest rate: a request passes only if its hash is exactly 0 (1 in 2^53).
      if (watch_sample < 1.0) f.set_sample_rate(watch_sample == 0.0 ? 1e-300 : watch_sample);
      r.set_replay(watch_replay);
      r.set_resume_cursor(watch_resume);
      if (!watch_record.empty()) {
        absl::Status writable = CheckWritable(watch_record);
        if (!writable.ok()) throw CLI::ValidationError("--record", std::string(writable.message()));
      }
      watch_options.record_path = watch_record;
      watch_options.display = watch_json    ? WatchDisplay::kJson
                              : watch_plain ? WatchDisplay::kPlain
                                            : WatchDisplay::kScreen;
    } else if (requests->parsed()) {
      requests_options.connection = ToConnectionOptions(requests_flags);
      corouter::v1::RequestFilter& f = requests_options.filter;
      for (const auto& v : requests_methods) f.add_methods(v);
      for (const auto& v : requests_paths) f.add_path_templates(v);
      for (const auto& v : requests_endpoints) f.add_endpoints(v);
      for (const auto& v : requests_status) f.add_status(v);
      for (const auto& v : requests_headers) {
        absl::StatusOr<corouter::v1::HttpHeader> header = ParseHeader(v);
        if (!header.ok())
          throw CLI::ValidationError("--header", std::string(header.status().message()));
        *f.add_headers() = *std::move(header);
      }
      f.set_target_regex(requests_target_regex);
      requests_options.limit = requests_limit;
      requests_options.json = requests_json;
      requests_options.action = requests_count           ? RequestsAction::kCount
                                : requests_clear         ? RequestsAction::kClear
                                : wait_flag->count() > 0 ? RequestsAction::kWait
                                                         : RequestsAction::kList;
      if (requests_options.action == RequestsAction::kWait) {
        if (requests_wait == 0) throw CLI::ValidationError("--wait", "must be at least 1");
        requests_options.wait_count = requests_wait;
        absl::Duration d;
        if (!absl::ParseDuration(requests_wait_timeout, &d) || d <= absl::ZeroDuration() ||
            d > absl::Minutes(10)) {
          throw CLI::ValidationError("--wait-timeout",
                                     "want a duration more than 0 and at most 10m, such as 5s");
        }
        requests_options.wait_timeout = d;
      }
    } else if (app_command->parsed()) {
      app_options.connection = ToConnectionOptions(app_flags);
      app_options.load_path = app_load;
    } else if (stats->parsed()) {
      stats_options = ToConnectionOptionsList(stats_flags);
    } else {
      routes_options = ToConnectionOptions(routes_flags);
    }
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);  // --help: prints the help on stdout.
    }
    const std::string help = call->parsed()          ? "corouter call --help"
                             : routes->parsed()      ? "corouter routes --help"
                             : stats->parsed()       ? "corouter stats --help"
                             : watch->parsed()       ? "corouter watch --help"
                             : dashboard->parsed()   ? "corouter dashboard --help"
                             : app_command->parsed() ? "corouter app --help"
                             : requests->parsed()    ? "corouter requests --help"
                                                     : "corouter --help";
    std::cerr << "corouter: " << e.what() << " (see '" << help << "')\n";
    return kExitUsage;
  }

  if (call->parsed()) return RunCall(call_options, std::cout, std::cerr);
  if (watch->parsed()) return RunWatch(watch_options, std::cout, std::cerr);
  if (dashboard->parsed()) return RunDashboard(dashboard_options, std::cout, std::cerr);
  if (app_command->parsed()) return RunApp(app_options, std::cout, std::cerr);
  if (requests->parsed()) return RunRequests(requests_options, std::cout, std::cerr);
  if (stats->parsed()) return RunStats(stats_options, std::cout, std::cerr);
  return RunRoutes(routes_options, std::cout, std::cerr);
}

}  // namespace
}  // namespace corouter::client

int main(int argc, char** argv) {
  // gRPC logs a failed TLS handshake on stderr itself ("E... Handshake
  // failed ..."); the client says what went wrong in one line of its own
  // (rpc_error.h). GRPC_VERBOSITY or GRPC_TRACE keeps gRPC's log, for
  // debugging.
  if (std::getenv("GRPC_VERBOSITY") == nullptr && std::getenv("GRPC_TRACE") == nullptr) {
    gpr_set_log_function([](gpr_log_func_args* /*args*/) {});
  }
  try {
    return corouter::client::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "corouter: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "corouter: internal error\n";
  }
  return corouter::client::kExitRpcFailure;
}
