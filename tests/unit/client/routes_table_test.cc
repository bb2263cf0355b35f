// Unit tests of the route table (client/routes_table.h).
#include "client/routes_table.h"

#include "corouter/v1/execution.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using ::corouter::v1::Parameter;
using ::testing::ElementsAre;

Parameter MakeParameter(std::string name, corouter::v1::ParameterLocation location,
                        std::string type, bool required, std::string default_json) {
  Parameter parameter;
  parameter.set_name(std::move(name));
  parameter.set_location(location);
  parameter.set_type(std::move(type));
  parameter.set_required(required);
  parameter.set_default_json(std::move(default_json));
  return parameter;
}

TEST(FormatParameterTest, ShowsARequiredPathParameterWithItsType) {
  EXPECT_EQ(FormatParameter(
                MakeParameter("item_id", corouter::v1::PARAMETER_LOCATION_PATH, "int", true, "")),
            "item_id: int (path)");
}

TEST(FormatParameterTest, ShowsANullDefaultAsPythonNone) {
  EXPECT_EQ(FormatParameter(
                MakeParameter("q", corouter::v1::PARAMETER_LOCATION_QUERY, "str", false, "null")),
            "q: str = None (query)");
}

TEST(FormatParameterTest, ShowsBooleanDefaultsAsPythonAndOtherJsonAsIs) {
  EXPECT_EQ(FormatParameter(MakeParameter("flag", corouter::v1::PARAMETER_LOCATION_QUERY, "bool",
                                          false, "true")),
            "flag: bool = True (query)");
  EXPECT_EQ(FormatParameter(
                MakeParameter("limit", corouter::v1::PARAMETER_LOCATION_QUERY, "int", false, "10")),
            "limit: int = 10 (query)");
  EXPECT_EQ(FormatParameter(MakeParameter("token", corouter::v1::PARAMETER_LOCATION_HEADER, "str",
                                          false, "\"x\"")),
            "token: str = \"x\" (header)");
}

TEST(FormatParameterTest, OmitsWhatIsNotDeclared) {
  EXPECT_EQ(FormatParameter(
                MakeParameter("item", corouter::v1::PARAMETER_LOCATION_UNSPECIFIED, "", true, "")),
            "item");
}

TEST(RenderRoutesTableTest, AlignsColumnsToTheWidestCell) {
  corouter::v1::ListRoutesResponse routes;
  corouter::v1::Route* slow = routes.add_routes();
  slow->add_methods("GET");
  slow->set_path_template("/slow_task/{item_id}");
  slow->set_endpoint("read_item");
  slow->set_is_async(true);
  *slow->add_parameters() =
      MakeParameter("item_id", corouter::v1::PARAMETER_LOCATION_PATH, "int", true, "");
  *slow->add_parameters() =
      MakeParameter("q", corouter::v1::PARAMETER_LOCATION_QUERY, "str", false, "null");
  corouter::v1::Route* sync = routes.add_routes();
  sync->add_methods("GET");
  sync->add_methods("HEAD");
  sync->set_path_template("/sync");
  sync->set_endpoint("sync_wait");
  sync->set_is_async(false);

  EXPECT_THAT(RenderRoutesTable(routes),
              ElementsAre("METHODS   PATH                  ENDPOINT   KIND   PARAMETERS",
                          "--------  --------------------  ---------  -----  "
                          "------------------------------------------",
                          "GET       /slow_task/{item_id}  read_item  async  item_id: int (path), "
                          "q: str = None (query)",
                          "GET,HEAD  /sync                 sync_wait  sync"));
}

TEST(RenderRoutesTableTest, ShowsOnlyTheHeaderWhenThereAreNoRoutes) {
  EXPECT_THAT(RenderRoutesTable(corouter::v1::ListRoutesResponse()),
              ElementsAre("METHODS  PATH  ENDPOINT  KIND  PARAMETERS",
                          "-------  ----  --------  ----  ----------"));
}

}  // namespace
}  // namespace corouter::client
