#include "client/dashboard_command.h"

#include <signal.h>

#include <charconv>
#include <fstream>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/connection.h"
#include "client/exit_code.h"

namespace corouter::client {
namespace {

absl::Status FlagError(absl::string_view flag, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", message));
}

// SIGINT and SIGTERM, blocked in every thread and awaited by RunDashboard.
sigset_t StopSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(absl::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("want HOST:PORT, not \"", text, "\""));
  }
  absl::string_view host = text.substr(0, colon);
  const absl::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("an IPv6 host goes in brackets, [::1]:8080, not \"", text, "\""));
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no host in \"", text, "\""));
  }
  int port = -1;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("the port must be a number from 0 to 65535, not \"", port_text, "\""));
  }
  return std::make_pair(std::string(host), port);
}

absl::StatusOr<DashboardOptions> ToDashboardOptions(const DashboardFlags& flags) {
  DashboardOptions options;
  std::set<std::string> seen;
  for (const std::string& server : flags.servers) {
    if (server.empty()) return FlagError("--server", "must not be empty");
    if (!seen.insert(server).second) {
      return FlagError("--server", absl::StrCat(server, " is given twice"));
    }
    options.servers.push_back(server);
  }
  if (options.servers.empty()) options.servers.push_back(std::string(kDefaultServer));
  absl::StatusOr<std::pair<std::string, int>> listen = ParseListenAddress(flags.listen);
  if (!listen.ok()) return FlagError("--listen", listen.status().message());
  options.listen_host = listen->first;
  options.listen_port = listen->second;
  options.port_file = flags.port_file;
  if (flags.tab_buffer < 16 || flags.tab_buffer > 1'000'000) {
    return FlagError("--tab-buffer", "want a count from 16 to 1000000");
  }
  options.tab_buffer = static_cast<size_t>(flags.tab_buffer);
  if (flags.max_tabs < 1 || flags.max_tabs > 256) {
    return FlagError("--max-tabs", "want a count from 1 to 256");
  }
  options.max_tabs = static_cast<size_t>(flags.max_tabs);
  if (flags.replay < 0 || flags.replay > 100'000) {
    return FlagError("--replay", "want a count from 0 to 100000");
  }
  options.replay = static_cast<uint32_t>(flags.replay);
  return options;
}

int RunDashboard(const DashboardOptions& options, std::ostream& out, std::ostream& err) {
  // Before any thread starts (gRPC's, httplib's): they inherit the mask, so
  // only sigwait below takes the signals. A shell starts background jobs
  // with SIGINT ignored, and an ignored signal is never pending: restore the
  // default first.
  const sigset_t stop_signals = StopSignalSet();
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  DashboardServer server(options);
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) {
    err << "corouter dashboard: " << port.status().message() << " (--listen)" << std::endl;
    return kExitRpcFailure;
  }
  if (!options.port_file.empty()) {
    std::ofstream file(options.port_file, std::ios::trunc);
    file << *port << '\n';
    if (!file.flush()) {
      err << "corouter dashboard: cannot write the port file " << options.port_file
          << " (--port-file)" << std::endl;
      return kExitRpcFailure;
    }
  }
  const bool ipv6 = options.listen_host.find(':') != std::string::npos;
  out << "dashboard: http://" << (ipv6 ? "[" : "") << options.listen_host << (ipv6 ? "]" : "")
      << ":" << *port << "/ (watching";
  for (const std::string& server_address : options.servers) out << " " << server_address;
  out << ")" << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  return kExitOk;
}

}  // namespace corouter::client
