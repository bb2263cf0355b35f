#include "server/watch/watch_filter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace corouter::watch {

absl::StatusOr<WatchFilter> WatchFilter::Create(const WatchFilterSpec& spec) {
  WatchFilter filter;
  if (!spec.completed_mode) {
    const char* completed_only = !spec.status.empty()             ? "filter.status"
                                 : !spec.outcomes.empty()         ? "filter.outcomes"
                                 : spec.min_duration.count() != 0 ? "filter.min_duration_nanos"
                                                                  : nullptr;
    if (completed_only != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(completed_only,
                       ": only WATCH_MODE_COMPLETED can filter on it (a LIVE event is sent "
                       "before the request has ended)"));
    }
  }
  if (!(spec.sample_rate >= 0.0 && spec.sample_rate <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter.sample_rate: ", spec.sample_rate, " is outside [0, 1]"));
  }
  if (spec.min_duration.count() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter.min_duration_nanos: ", spec.min_duration.count(), " is below zero"));
  }
  for (const std::string& s : spec.status) {
    const std::string lower = absl::AsciiStrToLower(s);
    int code = 0;
    if (lower.size() == 3 && lower[0] >= '1' && lower[0] <= '5' && lower.substr(1) == "xx") {
      filter.status_classes_.push_back(lower[0] - '0');
    } else if (s.size() == 3 && absl::SimpleAtoi(s, &code) && code >= 100 && code <= 599) {
      filter.status_codes_.insert(code);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "filter.status: \"", s, "\" is neither a status code 100-599 nor a class 1xx-5xx"));
    }
  }
  filter.path_templates_.insert(spec.path_templates.begin(), spec.path_templates.end());
  filter.endpoints_.insert(spec.endpoints.begin(), spec.endpoints.end());
  filter.methods_.insert(spec.methods.begin(), spec.methods.end());
  filter.outcomes_ = spec.outcomes;
  filter.min_duration_ = spec.min_duration;
  filter.sample_rate_ = spec.sample_rate;
  return filter;
}

bool WatchFilter::Sampled(uint64_t serial) const {
  if (sample_rate_ >= 1.0) return true;
  // splitmix64's finaliser: consecutive serials spread evenly over [0, 2^64).
  uint64_t z = serial + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53 < sample_rate_;
}

WatchFilter::Verdict WatchFilter::Live(const RequestFacts& facts) const {
  if (!Sampled(facts.serial)) return Verdict::kReject;
  if (!methods_.empty() && !methods_.contains(facts.method)) return Verdict::kReject;
  if (!needs_route()) return Verdict::kPass;
  if (!facts.route_known) return Verdict::kHold;
  // A request without a route (404, 405) passes no route field.
  if (facts.path_template.empty()) return Verdict::kReject;
  if (!path_templates_.empty() && !path_templates_.contains(facts.path_template)) {
    return Verdict::kReject;
  }
  if (!endpoints_.empty() && !endpoints_.contains(facts.endpoint)) return Verdict::kReject;
  return Verdict::kPass;
}

bool WatchFilter::Completed(const RequestFacts& facts) const {
  RequestFacts ended = facts;
  ended.route_known = true;
  if (Live(ended) != Verdict::kPass) return false;
  if (!status_codes_.empty() || !status_classes_.empty()) {
    const bool code_ok = facts.status_code != 0 && status_codes_.contains(facts.status_code);
    const bool class_ok =
        facts.status_code != 0 && std::find(status_classes_.begin(), status_classes_.end(),
                                            facts.status_code / 100) != status_classes_.end();
    if (!code_ok && !class_ok) return false;
  }
  if (!outcomes_.empty()) {
    const bool any = std::any_of(outcomes_.begin(), outcomes_.end(), [&](Outcome o) {
      switch (o) {
        case Outcome::kResponded:
          return facts.status_code != 0;
        case Outcome::kFailed:
          return facts.failed;
        case Outcome::kCancelled:
          return facts.cancelled;
        case Outcome::kBlockedLoop:
          return facts.blocked_loop;
      }
      return false;
    });
    if (!any) return false;
  }
  return facts.duration >= min_duration_;
}

}  // namespace corouter::watch
