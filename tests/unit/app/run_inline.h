// tests/unit/app/run_inline.h
//
// RunInline: runs one request through an Engine on the calling thread, for
// apps whose path operations are async and never suspend (no loop, no
// executor needed): the engine's Task then completes inside Spawn. The
// response is what the client gets (Engine::PrepareForWire applied).
#ifndef COROUTER_TESTS_UNIT_APP_RUN_INLINE_H_
#define COROUTER_TESTS_UNIT_APP_RUN_INLINE_H_

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "server/app/engine.h"
#include "server/loop/spawn.h"
#include "server/trace/request_trace.h"

namespace corouter::app {

inline Outcome RunInline(const Engine& engine, WireRequest request) {
  trace::RequestTrace trace(0, nullptr);
  loop::TaskContext context(nullptr, nullptr, &trace);
  std::optional<Outcome> outcome;
  const std::string method = request.method;
  auto run = [](const Engine& e, WireRequest r, loop::TaskContext& c,
                std::optional<Outcome>& out) -> loop::Task<void> {
    out = co_await e.Run(std::move(r), c);
  };
  loop::Spawn(&context, run(engine, std::move(request), context, outcome));
  if (!outcome.has_value()) throw std::logic_error("the request suspended");
  Engine::PrepareForWire(method, &outcome->response);
  return *std::move(outcome);
}

}  // namespace corouter::app

#endif  // COROUTER_TESTS_UNIT_APP_RUN_INLINE_H_
