#include "server/app/request_context.h"

#include <iostream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/trace/thread_name.h"

namespace corouter::app {

const http::Json& RequestContext::Param(std::string_view name) const {
  for (const auto& [n, value] : params_) {
    if (n == name) return value;
  }
  throw std::out_of_range("no parameter named '" + std::string(name) + "' is declared");
}

void RequestContext::BlockingSleep(std::chrono::nanoseconds duration) {
  AnnounceBlockingCall(
      absl::StrCat("sleep(", absl::FormatDuration(absl::FromChrono(duration)), ")"));
  std::this_thread::sleep_for(duration);
}

void RequestContext::AnnounceBlockingCall(std::string_view what_text) {
  const absl::string_view what(what_text.data(), what_text.size());
  if (absl::StartsWith(trace::CurrentThreadName(), "loop-")) {
    trace_.Emit(trace::Step::kBlockingCall, "blocking call ", what, " holds loop ", trace_.loop());
  } else {
    trace_.Emit(trace::Step::kBlockingCall, "blocking call ", what, " on ",
                trace::CurrentThreadName(), "; the loop stays free");
  }
}

void RequestContext::DropNeverAwaited(std::string_view coroutine, std::atomic<bool>* once) {
  const absl::string_view name(coroutine.data(), coroutine.size());
  trace_.Emit(trace::Step::kNeverAwaited, "coroutine '", name, "' was never awaited");
  if (once != nullptr && once->exchange(true)) return;
  std::cerr << "corouter: RuntimeWarning: coroutine '" << name << "' was never awaited (in "
            << request_.method << " " << request_.path << ")" << std::endl;
}

}  // namespace corouter::app
