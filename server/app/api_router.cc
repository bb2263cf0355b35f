#include "server/app/api_router.h"

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace corouter::app {
namespace {

// APIRouter.__init__'s and include_router's asserts.
absl::Status CheckPrefix(const std::string& prefix) {
  if (prefix.empty()) return absl::OkStatus();
  if (prefix.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("prefix \"", prefix, "\": a path prefix must start with '/'"));
  }
  if (prefix.back() == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("prefix \"", prefix,
                     "\": a path prefix must not end with '/', as the routes will start with '/'"));
  }
  return absl::OkStatus();
}

template <typename T>
std::vector<T> Concat(const std::vector<T>& first, const std::vector<T>& second) {
  std::vector<T> out = first;
  out.insert(out.end(), second.begin(), second.end());
  return out;
}

}  // namespace

ApiRouter::ApiRouter(RouterOptions options) : options_(std::move(options)) {
  status_ = CheckPrefix(options_.prefix);
}

void ApiRouter::Add(PathOperation op) {
  op.path = options_.prefix + op.path;
  op.tags = Concat(options_.tags, op.tags);
  op.dependencies = Concat(options_.dependencies, op.dependencies);
  op.responses = MergeResponses(options_.responses, op.responses);
  operations_.push_back(std::move(op));
}

absl::StatusOr<std::vector<PathOperation>> IncludedOperations(const ApiRouter& router,
                                                              const RouterOptions& include) {
  if (!router.status().ok()) return router.status();
  if (absl::Status status = CheckPrefix(include.prefix); !status.ok()) return status;
  std::vector<PathOperation> out;
  for (const PathOperation& route : router.operations()) {
    if (include.prefix.empty() && route.path.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Prefix and path cannot be both empty (path operation: ", route.endpoint, ")"));
    }
    PathOperation op = route;
    op.path = include.prefix + route.path;
    op.tags = Concat(include.tags, route.tags);
    op.dependencies = Concat(include.dependencies, route.dependencies);
    op.responses = MergeResponses(include.responses, route.responses);
    out.push_back(std::move(op));
  }
  return out;
}

void ApiRouter::IncludeRouter(const ApiRouter& router, const RouterOptions& include) {
  absl::StatusOr<std::vector<PathOperation>> ops = IncludedOperations(router, include);
  if (!ops.ok()) {
    if (status_.ok()) status_ = ops.status();
    return;
  }
  for (PathOperation& op : *ops) Add(std::move(op));
}

void IncludeRouter(App* app, const ApiRouter& router, const RouterOptions& include) {
  absl::StatusOr<std::vector<PathOperation>> ops = IncludedOperations(router, include);
  if (!ops.ok()) {
    app->Fail(ops.status());
    return;
  }
  for (PathOperation& op : *ops) app->Add(std::move(op));
}

}  // namespace corouter::app
