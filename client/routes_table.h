// The route table: renders ListRoutes' answer as an aligned text table with
// columns METHODS, PATH, ENDPOINT, KIND and PARAMETERS.
//
//   METHODS  PATH                  ENDPOINT   KIND   PARAMETERS
//   -------  --------------------  ---------  -----  ---------------------------------------------
//   GET      /slow_task/{item_id}  read_item  async  item_id: int (path), q: str = None (query)
//
// Columns are as wide as their widest cell (all routes are known up front);
// cells are made one line (see text_cell.h). All functions are pure (no
// I/O) and thread-safe. Rows carry no trailing newline or trailing spaces.
#ifndef COROUTER_CLIENT_ROUTES_TABLE_H_
#define COROUTER_CLIENT_ROUTES_TABLE_H_

#include <string>
#include <vector>

#include "corouter/v1/execution.pb.h"

namespace corouter::client {

// One parameter as Python would declare it, with where it is read from:
// "item_id: int (path)", "q: str = None (query)". A default_json of
// null/true/false shows as None/True/False, other JSON as is; a parameter
// without a type omits ": type"; required parameters show no default.
std::string FormatParameter(const corouter::v1::Parameter& parameter);

// The header row, a rule, then one row per route in the given order. With no
// routes, only the header and the rule.
std::vector<std::string> RenderRoutesTable(const corouter::v1::ListRoutesResponse& routes);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_ROUTES_TABLE_H_
