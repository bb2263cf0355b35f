#include "server/app/app.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/app/openapi.h"
#include "server/http/request_target.h"

namespace corouter::app {
namespace {

absl::Status Check(const PathOperation& op, const routing::PathTemplate& path_template) {
  const std::string where = absl::StrCat("route ", op.endpoint, " (", op.path, "): ");
  if (op.methods.empty()) return absl::InvalidArgumentError(where + "no methods");
  for (const std::string& m : op.methods) {
    if (!http::IsHttpToken(m)) {
      return absl::InvalidArgumentError(absl::StrCat(where, "invalid method \"", m, "\""));
    }
  }
  if (!op.async_handler && !op.sync_handler) {
    return absl::InvalidArgumentError(where + "no handler");
  }
  std::vector<std::string> path_names;
  for (const auto& p : path_template.parameters()) path_names.push_back(p.name);
  if (absl::Status status = CheckDependant(op.params, op.dependencies, path_names); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, status.message()));
  }
  if (absl::Status status = CheckDependencies(op.dependencies, path_names); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, status.message()));
  }
  return absl::OkStatus();
}

}  // namespace

AdditionalResponses MergeResponses(AdditionalResponses base, const AdditionalResponses& over) {
  for (const auto& [code, response] : over) {
    auto it = std::find_if(base.begin(), base.end(),
                           [&code = code](const auto& entry) { return entry.first == code; });
    if (it != base.end()) {
      it->second = response;
    } else {
      base.emplace_back(code, response);
    }
  }
  return base;
}

App::App(AppOptions options) : options_(std::move(options)) {
  // FastAPI.setup() adds /openapi.json before any user route; it is a
  // Starlette Route, so the app's dependencies do not apply to it.
  if (!options_.openapi_url.empty()) AddPrepared(OpenApiOperation(options_.openapi_url));
}

void App::Add(PathOperation op) {
  if (!options_.dependencies.empty()) {
    op.dependencies.insert(op.dependencies.begin(), options_.dependencies.begin(),
                           options_.dependencies.end());
  }
  AddPrepared(std::move(op));
}

void App::AddPrepared(PathOperation op) {
  std::sort(op.methods.begin(), op.methods.end());
  op.methods.erase(std::unique(op.methods.begin(), op.methods.end()), op.methods.end());
  auto path_template = routing::PathTemplate::Compile(op.path);
  absl::Status status = path_template.ok() ? Check(op, *path_template) : path_template.status();
  if (!status.ok()) {
    if (status_.ok()) status_ = std::move(status);
    return;
  }
  router_.Add(op.methods, *std::move(path_template));
  operations_.push_back(std::move(op));
}

}  // namespace corouter::app
