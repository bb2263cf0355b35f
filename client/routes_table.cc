#include "client/routes_table.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "client/aligned_table.h"
#include "client/text_cell.h"

namespace corouter::client {
namespace {

absl::string_view LocationName(corouter::v1::ParameterLocation location) {
  switch (location) {
    case corouter::v1::PARAMETER_LOCATION_PATH:
      return "path";
    case corouter::v1::PARAMETER_LOCATION_QUERY:
      return "query";
    case corouter::v1::PARAMETER_LOCATION_HEADER:
      return "header";
    case corouter::v1::PARAMETER_LOCATION_COOKIE:
      return "cookie";
    case corouter::v1::PARAMETER_LOCATION_BODY:
      return "body";
    case corouter::v1::PARAMETER_LOCATION_FORM:
      return "form";
    case corouter::v1::PARAMETER_LOCATION_FILE:
      return "file";
    default:
      return "";
  }
}

// JSON literal -> Python literal for the three spellings that differ.
std::string PythonDefault(absl::string_view json) {
  if (json == "null") return "None";
  if (json == "true") return "True";
  if (json == "false") return "False";
  return std::string(json);
}

}  // namespace

std::string FormatParameter(const corouter::v1::Parameter& parameter) {
  std::string text = parameter.name();
  if (!parameter.type().empty()) absl::StrAppend(&text, ": ", parameter.type());
  if (!parameter.required() && !parameter.default_json().empty()) {
    absl::StrAppend(&text, " = ", PythonDefault(parameter.default_json()));
  }
  const absl::string_view location = LocationName(parameter.location());
  if (!location.empty()) absl::StrAppend(&text, " (", location, ")");
  return text;
}

std::vector<std::string> RenderRoutesTable(const corouter::v1::ListRoutesResponse& routes) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"METHODS", "PATH", "ENDPOINT", "KIND", "PARAMETERS"});
  for (const corouter::v1::Route& route : routes.routes()) {
    std::vector<std::string> parameters;
    for (const corouter::v1::Parameter& parameter : route.parameters()) {
      parameters.push_back(FormatParameter(parameter));
    }
    rows.push_back({
        SanitizeCell(absl::StrJoin(route.methods(), ",")),
        SanitizeCell(route.path_template()),
        SanitizeCell(route.endpoint()),
        route.is_async() ? "async" : "sync",
        SanitizeCell(absl::StrJoin(parameters, ", ")),
    });
  }
  return RenderAlignedTable(rows);
}

}  // namespace corouter::client
