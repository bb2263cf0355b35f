#include "server/journal/request_filter.h"

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace corouter::journal {

absl::StatusOr<RequestFilter> RequestFilter::Create(const corouter::v1::RequestFilter& filter) {
  watch::WatchFilterSpec spec;
  spec.completed_mode = true;
  spec.methods.assign(filter.methods().begin(), filter.methods().end());
  spec.status.assign(filter.status().begin(), filter.status().end());
  absl::StatusOr<watch::WatchFilter> route = watch::WatchFilter::Create(spec);
  if (!route.ok()) return route.status();
  RequestFilter out;
  out.method_and_status_ = *std::move(route);
  out.path_templates_.insert(filter.path_templates().begin(), filter.path_templates().end());
  out.endpoints_.insert(filter.endpoints().begin(), filter.endpoints().end());
  if (!filter.target_regex().empty()) {
    RE2::Options options;
    options.set_log_errors(false);
    auto target = std::make_shared<const RE2>(filter.target_regex(), options);
    if (!target->ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.target_regex is not an RE2 pattern: ", target->error()));
    }
    out.target_ = std::move(target);
  }
  for (int i = 0; i < filter.headers_size(); ++i) {
    if (filter.headers(i).name().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("filter.headers[", i, "].name is empty"));
    }
    out.headers_.emplace_back(absl::AsciiStrToLower(filter.headers(i).name()),
                              filter.headers(i).value());
  }
  out.after_ = filter.received_after_unix_nanos();
  out.before_ = filter.received_before_unix_nanos();
  if (out.after_ != 0 && out.before_ != 0 && out.before_ <= out.after_) {
    return absl::InvalidArgumentError(
        "filter.received_before_unix_nanos must be after filter.received_after_unix_nanos");
  }
  return out;
}

bool RequestFilter::Matches(const corouter::v1::JournalEntry& entry) const {
  watch::RequestFacts facts;
  facts.method = entry.request().method();
  facts.route_known = true;
  facts.path_template = entry.path_template();
  facts.endpoint = entry.endpoint();
  facts.status_code = entry.status_code();
  facts.cancelled = entry.cancelled();
  facts.duration = std::chrono::nanoseconds(entry.duration_nanos());
  if (!method_and_status_.Completed(facts)) return false;
  // Here, not in the WatchFilter: "" asks for the requests without a route.
  if (!path_templates_.empty() && !path_templates_.contains(entry.path_template())) return false;
  if (!endpoints_.empty() && !endpoints_.contains(entry.endpoint())) return false;
  if (target_ != nullptr && !RE2::PartialMatch(entry.request().target(), *target_)) return false;
  for (const auto& [name, value] : headers_) {
    bool found = false;
    for (const corouter::v1::HttpHeader& header : entry.request().headers()) {
      if (header.value() == value && absl::EqualsIgnoreCase(header.name(), name)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  if (after_ != 0 && entry.received_unix_nanos() < after_) return false;
  if (before_ != 0 && entry.received_unix_nanos() >= before_) return false;
  return true;
}

}  // namespace corouter::journal
