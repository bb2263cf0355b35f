// tests/fuzz/route_file.cc
//
// ParseRouteFile (server/app/route_file.h), the YAML loader, on arbitrary
// text. It must never throw (yaml-cpp throws; an exception escaping here is
// a crash) and never crash; every error is a status, INVALID_ARGUMENT
// "fuzz.yaml:LINE: problem" (or "fuzz.yaml: problem"). An app it returns
// has an OK status and serves: each of its routes (the built-in
// /openapi.json included, so the OpenAPI document of a random app) gets one
// request (GET, or the route's first method; each path parameter replaced by
// a value its converter accepts, the rest percent-encoded; a JSON body "{}")
// run without an event loop (fuzz::RunWithoutLoop), and every answer must
// pass fuzz::CheckOutcome.
#include "server/app/route_file.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "server/app/engine.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace app = corouter::app;
namespace routing = corouter::routing;

class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

const char* Sample(routing::Converter c) {
  switch (c) {
    case routing::Converter::kStr:
      return "s";
    case routing::Converter::kPath:
      return "p/q";
    case routing::Converter::kInt:
      return "1";
    case routing::Converter::kFloat:
      return "1.5";
    case routing::Converter::kUuid:
      return "0123abcd-4567-89ab-cdef-0123456789ab";
  }
  return "";
}

// Percent-encodes what a request target cannot hold, and '%', '?' and '#'.
std::string Encode(std::string_view text) {
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7E || c == '%' || c == '?' || c == '#') {
      out += absl::StrFormat("%%%02X", u);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static NullBuffer null_buffer;
  std::cerr.rdbuf(&null_buffer);  // each 500's cause, logged by the engine
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml = corouter::fuzz::AsView(data, size);
  absl::StatusOr<app::App> parsed = app::ParseRouteFile(yaml, "fuzz.yaml", {.time_scale = 0});
  if (corouter::fuzz::Verbose()) {
    std::fprintf(stderr, "ParseRouteFile: %s\n", parsed.status().ToString().c_str());
  }
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument) << parsed.status();
    FUZZ_CHECK(absl::StartsWith(parsed.status().message(), "fuzz.yaml:")) << parsed.status();
    return 0;
  }
  const app::App& loaded = *parsed;
  FUZZ_CHECK(loaded.status().ok()) << "ParseRouteFile returned an app with " << loaded.status();
  FUZZ_CHECK(loaded.operations().size() == loaded.router().size())
      << loaded.operations().size() << " operations, " << loaded.router().size() << " routes";

  const app::Engine engine(loaded);
  for (size_t i = 0; i < loaded.operations().size() && i < 16; ++i) {
    const app::PathOperation& op = loaded.operations()[i];
    std::string path;
    for (const auto& piece : loaded.router().path_template(i).pieces()) {
      path += Encode(piece.is_parameter ? Sample(piece.parameter.converter) : piece.literal);
    }
    app::WireRequest request;
    request.method = op.methods.empty() ? "GET" : op.methods.front();
    request.target = path;
    request.headers = {{"content-type", "application/json"}};
    request.body = "{}";
    if (!app::Engine::Validate(request).ok()) continue;  // a method that is no token
    const app::WireRequest copy = request;
    std::optional<app::Outcome> outcome =
        corouter::fuzz::RunWithoutLoop(engine, std::move(request));
    FUZZ_CHECK(outcome.has_value()) << copy.method << " " << copy.target << ": suspended";
    corouter::fuzz::CheckOutcome(copy, *outcome);
  }
  return 0;
}
