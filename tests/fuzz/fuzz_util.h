// tests/fuzz/fuzz_util.h
//
// What the libFuzzer targets of tests/fuzz share: FUZZ_CHECK (a property
// that must hold; on violation it prints what was seen and aborts, which
// libFuzzer reports as a crash and saves the input), byte-string helpers,
// a strict JSON equality, and the inline engine runner with the checks every
// response must pass.
#ifndef COROUTER_TESTS_FUZZ_FUZZ_UTIL_H_
#define COROUTER_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "server/app/engine.h"
#include "server/http/json_decode.h"
#include "server/http/response.h"
#include "server/http/sendable_headers.h"
#include "server/http/utf8.h"
#include "server/loop/spawn.h"
#include "server/loop/task_context.h"
#include "server/trace/request_trace.h"
#include "server/trace/trace_event.h"

namespace corouter::fuzz {

/// Streams a message, then aborts when destroyed (the end of the statement).
class Failure {
 public:
  Failure(const char* file, int line, const char* condition) {
    os_ << file << ":" << line << ": property violated: " << condition << "\n";
  }
  Failure(const Failure&) = delete;
  Failure& operator=(const Failure&) = delete;
  ~Failure() {
    const std::string text = os_.str();
    std::fprintf(stderr, "%s\n", text.c_str());
    std::fflush(stderr);
    std::abort();
  }
  template <typename T>
  Failure& operator<<(const T& value) {
    os_ << value;
    return *this;
  }

 private:
  std::ostringstream os_;
};

// `FUZZ_CHECK(a == b) << "a=" << a;` (the switch keeps an enclosing
// if/else unambiguous, as gtest's assertions do).
#define FUZZ_CHECK(condition) \
  switch (0)                  \
  case 0:                     \
  default:                    \
    if (condition) {          \
    } else                    \
      ::corouter::fuzz::Failure(__FILE__, __LINE__, #condition)

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

/// FUZZ_VERBOSE=1 in the environment: the targets that can say what an
/// input did (a status, a response) print it to stderr, for reproducing.
inline bool Verbose() {
  static const bool verbose = std::getenv("FUZZ_VERBOSE") != nullptr;
  return verbose;
}

/// C-escaped, quoted, for messages.
inline std::string Quote(std::string_view bytes) {
  return "\"" + absl::CHexEscape(absl::string_view(bytes.data(), bytes.size())) + "\"";
}

inline bool IsValidUtf8(std::string_view bytes) { return !http::FindUtf8Error(bytes).has_value(); }

/// RFC 9110 tchar.
inline bool IsTchar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}
inline bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTchar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

/// JSON values equal as Python would see them after a round trip, and no
/// looser: same kinds (an int is never equal to a float, 1 != 1.0), floats
/// bit for bit (so -0.0 != 0.0), integers by value whichever of nlohmann's
/// signed or unsigned forms holds them, strings and keys byte for byte, key
/// order kept.
inline bool StrictEqual(const http::Json& a, const http::Json& b) {
  const bool a_int = a.is_number_integer();  // signed or unsigned
  const bool b_int = b.is_number_integer();
  if (a_int || b_int) {
    if (!(a_int && b_int)) return false;
    const bool a_neg = a.is_number_unsigned() ? false : a.get<int64_t>() < 0;
    const bool b_neg = b.is_number_unsigned() ? false : b.get<int64_t>() < 0;
    if (a_neg != b_neg) return false;
    if (a_neg) return a.get<int64_t>() == b.get<int64_t>();
    return a.get<uint64_t>() == b.get<uint64_t>();
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case http::Json::value_t::number_float: {
      const double x = a.get<double>(), y = b.get<double>();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    case http::Json::value_t::array:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!StrictEqual(a[i], b[i])) return false;
      }
      return true;
    case http::Json::value_t::object: {
      if (a.size() != b.size()) return false;
      auto i = a.items().begin();
      auto j = b.items().begin();
      for (; i != a.items().end(); ++i, ++j) {
        if (i.key() != j.key() || !StrictEqual(i.value(), j.value())) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

/// A JSON value for messages (dump with invalid UTF-8 replaced, never throws).
inline std::string Show(const http::Json& value) {
  return value.dump(-1, ' ', false, http::Json::error_handler_t::replace);
}

/// Ignores every trace event: tracing on, so that the engine formats its steps.
class NullSink : public trace::TraceSink {
 public:
  void OnEvent(trace::TraceEvent) override {}
};

/// Runs `request` through `engine` on this thread, to completion. There is no
/// event loop and no executor, so the request's context is cancelled before
/// it starts: routing, parameter binding, validation and every step up to the
/// handler's first await run as they would on a server, and that await
/// (Sleep, Offload, a def's run_in_threadpool) throws CancelledError at once
/// instead of suspending (loop/sleep.h, loop/offload.h), which ends the
/// request as cancelled. Handlers that never await run to their response.
/// Returns nullopt only if the request suspended anyway (a bug: it would
/// have touched the missing loop first).
inline std::optional<app::Outcome> RunWithoutLoop(const app::Engine& engine,
                                                  app::WireRequest request) {
  static NullSink sink;
  trace::RequestTrace trace(0, &sink);
  loop::TaskContext context(nullptr, nullptr, &trace);
  context.Cancel("fuzz: no event loop, every await ends the request");
  std::optional<app::Outcome> outcome;
  auto run = [](const app::Engine& e, app::WireRequest r, loop::TaskContext& c,
                std::optional<app::Outcome>& out) -> loop::Task<void> {
    out = co_await e.Run(std::move(r), c);
  };
  loop::Spawn(&context, run(engine, std::move(request), context, outcome));
  return outcome;
}

inline std::string HeaderOr(const http::Headers& headers, std::string_view name) {
  auto value = http::FindHeader(headers, name);
  return value ? std::string(*value) : std::string();
}

/// What every answer of the engine must satisfy, whatever the request:
///  - a cancel only happens at a matched handler's await;
///  - a status code in [100, 599], header fields that can be sent
///    (http::CheckSendable), `content-length` equal to the body's size, no
///    body for a status that has none;
///  - a JSON body is valid JSON (http::JsonLoads) and in the canonical form
///    (re-serialising what it loads gives the same bytes: every JSON body is
///    SerializeJson's output);
///  - a 422 is FastAPI's {"detail": [{"loc": [...], "msg": ..., "type": ...}]}.
/// Then applies Engine::PrepareForWire, as the gRPC front does, and checks
/// that a HEAD answer has no body.
inline void CheckOutcome(const app::WireRequest& request, app::Outcome& outcome) {
  const std::string what = request.method + " " + Quote(request.target);
  if (outcome.cancelled) {
    if (Verbose()) std::fprintf(stderr, "%s -> cancelled at an await\n", what.c_str());
    FUZZ_CHECK(outcome.route.has_value()) << what << ": cancelled without a matched route";
    return;
  }
  const http::Response& r = outcome.response;
  FUZZ_CHECK(r.status_code >= 100 && r.status_code <= 599) << what << ": status " << r.status_code;
  const absl::Status sendable = http::CheckSendable(r.headers);
  FUZZ_CHECK(sendable.ok()) << what << ": unsendable headers: " << sendable;
  if (auto length = http::FindHeader(r.headers, "content-length")) {
    FUZZ_CHECK(*length == std::to_string(r.body.size()))
        << what << ": content-length " << *length << " for a body of " << r.body.size();
  }
  if (!http::IsBodyAllowedForStatus(r.status_code)) {
    FUZZ_CHECK(r.body.empty()) << what << ": status " << r.status_code << " with a body";
  }
  const std::string type = HeaderOr(r.headers, "content-type");
  if (absl::StartsWith(type, "application/json") && !r.body.empty()) {
    http::JsonLoadResult loaded = http::JsonLoads(r.body);
    const http::Json* json = std::get_if<http::Json>(&loaded);
    FUZZ_CHECK(json != nullptr) << what << ": " << r.status_code
                                << " JSON body that json.loads refuses: " << Quote(r.body);
    absl::StatusOr<std::string> again = http::SerializeJson(*json);
    FUZZ_CHECK(again.ok() && *again == r.body)
        << what << ": JSON body not canonical: " << Quote(r.body) << " re-serialises as "
        << (again.ok() ? Quote(*again) : again.status().ToString());
    if (r.status_code == 422) {
      FUZZ_CHECK(json->is_object() && json->contains("detail") && (*json)["detail"].is_array() &&
                 !(*json)["detail"].empty())
          << what << ": 422 body " << Quote(r.body);
      for (const http::Json& error : (*json)["detail"]) {
        FUZZ_CHECK(error.is_object() && error.contains("loc") && error["loc"].is_array() &&
                   error.contains("msg") && error["msg"].is_string() && error.contains("type") &&
                   error["type"].is_string())
            << what << ": 422 error item " << Show(error);
      }
    }
  }
  if (r.status_code == 405) {
    FUZZ_CHECK(!HeaderOr(r.headers, "allow").empty()) << what << ": 405 without allow";
  }
  if (Verbose()) {
    std::fprintf(stderr, "%s %s -> %d %s\n", request.method.c_str(), Quote(request.target).c_str(),
                 r.status_code, Quote(r.body.substr(0, 300)).c_str());
  }
  app::Engine::PrepareForWire(request.method, &outcome.response);
  if (request.method == "HEAD") {
    FUZZ_CHECK(outcome.response.body.empty()) << what << ": HEAD answered with a body";
  }
}

}  // namespace corouter::fuzz

#endif  // COROUTER_TESTS_FUZZ_FUZZ_UTIL_H_
