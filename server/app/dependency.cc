#include "server/app/dependency.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"

namespace corouter::app {
namespace {

absl::Status CheckOne(const Dependency& dep, const std::vector<std::string>& path_names,
                      std::vector<const Dependency*>* stack) {
  const std::string where = absl::StrCat("dependency ", dep.name, ": ");
  if (std::find(stack->begin(), stack->end(), &dep) != stack->end()) {
    return absl::InvalidArgumentError(where + "depends on itself");
  }
  if (static_cast<bool>(dep.async_handler) == static_cast<bool>(dep.sync_handler)) {
    return absl::InvalidArgumentError(where + "needs exactly one handler, async or sync");
  }
  if ((dep.async_teardown && !dep.is_async()) || (dep.sync_teardown && dep.is_async())) {
    return absl::InvalidArgumentError(where + "its teardown must be of its own kind");
  }
  if (absl::Status status = CheckDependant(dep.params, dep.dependencies, path_names);
      !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, status.message()));
  }
  stack->push_back(&dep);
  for (const Depends& use : dep.dependencies) {
    if (use.dependency == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(where, "Depends(None)"));
    }
    if (absl::Status status = CheckOne(*use.dependency, path_names, stack); !status.ok()) {
      return status;
    }
  }
  stack->pop_back();
  return absl::OkStatus();
}

void Flatten(const std::vector<routing::ParamSpec>& params, const std::vector<Depends>& uses,
             bool skip_repeats, std::vector<const Dependency*>* visited,
             std::vector<const routing::ParamSpec*>* out) {
  for (const routing::ParamSpec& spec : params) out->push_back(&spec);
  for (const Depends& use : uses) {
    const Dependency* dep = use.dependency.get();
    if (skip_repeats && std::find(visited->begin(), visited->end(), dep) != visited->end()) {
      continue;
    }
    visited->push_back(dep);
    Flatten(dep->params, dep->dependencies, skip_repeats, visited, out);
  }
}

}  // namespace

absl::Status CheckDependant(const std::vector<routing::ParamSpec>& params,
                            const std::vector<Depends>& uses,
                            const std::vector<std::string>& path_names) {
  std::set<std::string> names;
  for (const routing::ParamSpec& spec : params) {
    if (absl::Status status = routing::CheckParamSpec(spec); !status.ok()) return status;
    if (!names.insert(spec.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter '", spec.name, "' is declared twice"));
    }
    if (spec.location == routing::ParamLocation::kPath &&
        std::find(path_names.begin(), path_names.end(), spec.name) == path_names.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("path parameter '", spec.name, "' does not appear in the path template"));
    }
  }
  for (const Depends& use : uses) {
    if (!use.name.empty() && !names.insert(use.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter '", use.name, "' is declared twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDependencies(const std::vector<Depends>& uses,
                               const std::vector<std::string>& path_names) {
  std::vector<const Dependency*> stack;
  for (const Depends& use : uses) {
    if (use.dependency == nullptr) return absl::InvalidArgumentError("Depends(None)");
    if (absl::Status status = CheckOne(*use.dependency, path_names, &stack); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

std::vector<const routing::ParamSpec*> FlatParams(const std::vector<routing::ParamSpec>& params,
                                                  const std::vector<Depends>& uses,
                                                  bool skip_repeats) {
  std::vector<const routing::ParamSpec*> out;
  std::vector<const Dependency*> visited;
  Flatten(params, uses, skip_repeats, &visited, &out);
  return out;
}

bool FlatBodyEmbedded(const std::vector<const routing::ParamSpec*>& flat) {
  const routing::ParamSpec* first = nullptr;
  std::set<std::string> names;
  for (const routing::ParamSpec* spec : flat) {
    if (!routing::IsBodyLocation(spec->location)) continue;
    if (first == nullptr) first = spec;
    names.insert(spec->name);
  }
  // Form() and File() set embed=True.
  return first != nullptr &&
         (names.size() > 1 || first->embed || routing::IsFormLocation(first->location));
}

}  // namespace corouter::app
