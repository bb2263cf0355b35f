#include "client/routes_table.h"

#include <algorithm>
#include <array>
#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "client/text_cell.h"

namespace corouter::client {
namespace {

constexpr std::size_t kColumns = 5;
using Row = std::array<std::string, kColumns>;

absl::string_view LocationName(corouter::v1::ParameterLocation location) {
  switch (location) {
    case corouter::v1::PARAMETER_LOCATION_PATH:
      return "path";
    case corouter::v1::PARAMETER_LOCATION_QUERY:
      return "query";
    case corouter::v1::PARAMETER_LOCATION_HEADER:
      return "header";
    case corouter::v1::PARAMETER_LOCATION_BODY:
      return "body";
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

std::string JoinRow(const Row& cells, const std::array<std::size_t, kColumns>& widths) {
  std::string line;
  for (std::size_t i = 0; i < kColumns; ++i) {
    if (i > 0) line.append("  ");
    line.append(i + 1 < kColumns ? PadRight(cells[i], widths[i]) : cells[i]);
  }
  // The last cell may be empty: drop the padding before it.
  line.erase(line.find_last_not_of(' ') + 1);
  return line;
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
  std::vector<Row> rows;
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
  std::array<std::size_t, kColumns> widths{};
  for (const Row& row : rows) {
    for (std::size_t i = 0; i < kColumns; ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  Row rule;
  for (std::size_t i = 0; i < kColumns; ++i) rule[i] = std::string(widths[i], '-');
  std::vector<std::string> lines;
  lines.push_back(JoinRow(rows[0], widths));
  lines.push_back(JoinRow(rule, widths));
  for (std::size_t r = 1; r < rows.size(); ++r) lines.push_back(JoinRow(rows[r], widths));
  return lines;
}

}  // namespace corouter::client
