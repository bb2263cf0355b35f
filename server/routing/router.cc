#include "server/routing/router.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_join.h"

namespace corouter::routing {

size_t Router::Add(std::vector<std::string> methods, PathTemplate path_template) {
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  routes_.push_back(Entry{std::move(methods), std::move(path_template)});
  return routes_.size() - 1;
}

RouteResult Router::Match(std::string_view method, std::string_view path) const {
  RouteResult result;
  const Entry* partial = nullptr;
  PathParams params;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Entry& entry = routes_[i];
    if (!entry.path_template.Match(path, &params)) continue;
    if (std::binary_search(entry.methods.begin(), entry.methods.end(), method)) {
      result.kind = RouteResult::Kind::kMatched;
      result.route = i;
      result.path_params = std::move(params);
      return result;
    }
    if (partial == nullptr) partial = &entry;
  }
  if (partial != nullptr) {
    result.kind = RouteResult::Kind::kMethodNotAllowed;
    result.allowed_methods = partial->methods;
  }
  return result;
}

std::string AllowHeader(const std::vector<std::string>& methods) {
  return absl::StrJoin(methods, ", ");
}

}  // namespace corouter::routing
