// tests/fuzz/engine.cc
//
// The whole Engine (server/app/engine.h) on random requests: request target
// and percent-decoding, routing, redirect_slashes, query, header, cookie and
// body parameters, JSON bodies, validation and its 422s, the OpenAPI
// document, the handlers that never await. The app is the embedded seed app
// (server/app/seed_app.h, time_scale 0), or, when the input starts with a
// line `@NAME`, the route file NAME.yaml of tests/conformance/apps/ or
// examples/ (loaded once, at start; one that does not load is skipped with
// a message).
//
// Input, HTTP/1.1-like so that seeds are readable:
//   [@APP\n] METHOD SP TARGET \n (NAME: VALUE \n)* \n BODY
// (a "\r" before a "\n" is dropped; a header line without ':' is a name
// with an empty value).
//
// Only requests that pass Engine::Validate run (the gRPC front refuses the
// others with INVALID_ARGUMENT), without an event loop: see
// fuzz::RunWithoutLoop (an await ends the request as cancelled). Every
// answer must pass fuzz::CheckOutcome.
#include "server/app/engine.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>

#include "server/app/route_file.h"
#include "server/app/seed_app.h"
#include "tests/fuzz/fuzz_util.h"

#ifndef COROUTER_SOURCE_DIR
#error "COROUTER_SOURCE_DIR must name the source tree (tests/fuzz/CMakeLists.txt sets it)"
#endif

namespace {

namespace app = corouter::app;
namespace http = corouter::http;

// The engine logs each 500's cause to std::cerr; at fuzzing speed that is
// noise (and slow). The sanitizers and FUZZ_CHECK write to stderr directly.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

struct Apps {
  app::App seed = app::BuildSeedApp({.time_scale = 0});
  std::map<std::string, std::unique_ptr<app::App>> files;
};

Apps* LoadApps() {
  auto* apps = new Apps;
  for (const char* dir : {"tests/conformance/apps", "examples"}) {
    const std::filesystem::path folder = std::filesystem::path(COROUTER_SOURCE_DIR) / dir;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      if (entry.path().extension() != ".yaml") continue;
      absl::StatusOr<app::App> loaded =
          app::LoadRouteFile(entry.path().string(), {.time_scale = 0});
      if (!loaded.ok() || !loaded->status().ok()) {
        std::fprintf(stderr, "fuzz_engine: skipping %s: %s\n", entry.path().c_str(),
                     (loaded.ok() ? loaded->status() : loaded.status()).ToString().c_str());
        continue;
      }
      apps->files[entry.path().stem().string()] = std::make_unique<app::App>(*std::move(loaded));
    }
  }
  std::fprintf(stderr, "fuzz_engine: the seed app and %zu route files\n", apps->files.size());
  return apps;
}

std::string_view NextLine(std::string_view* rest) {
  const size_t newline = rest->find('\n');
  std::string_view line = rest->substr(0, newline);
  *rest = newline == std::string_view::npos ? std::string_view() : rest->substr(newline + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static NullBuffer null_buffer;
  std::cerr.rdbuf(&null_buffer);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Apps* apps = LoadApps();
  std::string_view rest = corouter::fuzz::AsView(data, size);

  const app::App* target_app = &apps->seed;
  if (!rest.empty() && rest.front() == '@') {
    const std::string name(NextLine(&rest).substr(1));
    auto it = apps->files.find(name);
    if (it == apps->files.end()) return 0;
    target_app = it->second.get();
  }
  app::WireRequest request;
  const std::string_view line = NextLine(&rest);
  const size_t space = line.find(' ');
  request.method = std::string(line.substr(0, space));
  request.target = space == std::string_view::npos ? "" : std::string(line.substr(space + 1));
  while (!rest.empty()) {
    const std::string_view header = NextLine(&rest);
    if (header.empty()) break;
    const size_t colon = header.find(':');
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : header.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.push_back({std::string(header.substr(0, colon)), std::string(value)});
  }
  request.body = std::string(rest);

  if (!app::Engine::Validate(request).ok()) return 0;
  const app::Engine engine(*target_app);
  const app::WireRequest copy = request;
  std::optional<app::Outcome> outcome = corouter::fuzz::RunWithoutLoop(engine, std::move(request));
  FUZZ_CHECK(outcome.has_value()) << copy.method << " " << corouter::fuzz::Quote(copy.target)
                                  << ": the request suspended with no event loop";
  corouter::fuzz::CheckOutcome(copy, *outcome);
  return 0;
}
