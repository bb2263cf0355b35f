// tests/unit/app/fastapi_golden_test.cc
//
// Replays testdata/fastapi_golden.jsonl: every request there was answered by
// the real FastAPI 0.92 (testdata/make_fastapi_golden.py builds the app and
// records status, headers and body byte for byte). Here the same path
// operations are declared in C++, the same requests go through the Engine,
// and the answers must be identical. Each case is one test, named after the
// row of the reference (../shared/reference/fastapi-semantics.md) it checks.
// Every C++ path operation here is async and never suspends, so a request
// runs to completion on the test thread (run_inline.h). To add a case, add
// it (and any path operation) to the generator, rerun it with
// /usr/bin/python3, and mirror the path operation in BuildGoldenApp.
#include <fstream>
#include <limits>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/app.h"
#include "server/app/engine.h"
#include "server/app/http_exception.h"
#include "server/http/utf8.h"
#include "tests/unit/app/run_inline.h"

namespace corouter::app {
namespace {

using http::Json;
using routing::ModelSpec;
using routing::ParamSpec;
using routing::ParamType;
using routing::ValueType;

// ---- the path operations of make_fastapi_golden.py ----------------------

// `return locals()`: every bound parameter under its name.
loop::Task<http::Response> Echo(RequestContext& ctx) {
  Json out = Json::object();
  for (const auto& [name, value] : ctx.params()) out[name] = value;
  co_return http::JsonResponse(out);
}

// `return item`: the one parameter's value.
loop::Task<http::Response> ReturnOnly(RequestContext& ctx) {
  co_return http::JsonResponse(ctx.params().front().second);
}

auto Returns(Json value, int status = 200) {
  return [value = std::move(value), status](RequestContext&) -> loop::Task<http::Response> {
    co_return http::JsonResponse(value, status);
  };
}

routing::FieldSpec Field(std::string name, ValueType type) {
  return routing::FieldSpec::Required(std::move(name), std::move(type));
}

routing::FieldSpec Optional(std::string name, ValueType type, Json default_value = nullptr) {
  return routing::FieldSpec::Optional(std::move(name), std::move(type), std::move(default_value));
}

App BuildGoldenApp() {
  const ValueType color = ValueType::Enum("Color", {"red", "green"});
  auto child = std::make_shared<ModelSpec>(ModelSpec{
      "Child",
      {Field("x", ParamType::kInt), Optional("y", ValueType(ParamType::kStr).AsNullable())}});
  auto item = std::make_shared<ModelSpec>(
      ModelSpec{"Item",
                {Field("name", ParamType::kStr), Field("price", ParamType::kFloat),
                 Optional("tags", ValueType::List(ParamType::kStr), Json::array()),
                 Optional("desc", ValueType(ParamType::kStr).AsNullable())}});
  routing::FieldSpec lim = Optional("lim", ParamType::kStr, "dflt");
  lim.constraints.min_length = 2;
  lim.constraints.max_length = 4;
  routing::FieldSpec n = Optional("n", ParamType::kInt, 5);
  n.constraints.gt = 0;
  n.constraints.le = 10;
  routing::FieldSpec al = Optional("al", ParamType::kStr, "a");
  al.alias = "Al-ias";
  routing::FieldSpec maybe = Field("maybe", ValueType(ParamType::kInt).AsNullable());
  auto full = std::make_shared<ModelSpec>(ModelSpec{
      "Full",
      {Field("s", ParamType::kStr), Field("i", ParamType::kInt), Field("f", ParamType::kFloat),
       Field("b", ParamType::kBool), Optional("l", ValueType::List(ParamType::kInt), Json::array()),
       Optional("child", ValueType::Model(child).AsNullable()),
       Field("req_child", ValueType::Model(child)), maybe,
       Optional("u", ValueType(ParamType::kUuid).AsNullable()), Optional("c", color.AsNullable()),
       lim, n, al}});
  const ValueType item_type = ValueType::Model(item);

  App app;
  auto get = [&app](std::string path, std::vector<ParamSpec> params, auto handler) {
    app.Route({"GET"}, path, "op", std::move(params), std::move(handler));
  };
  auto post = [&app](std::string path, std::vector<ParamSpec> params, auto handler) {
    app.Route({"POST"}, path, "op", std::move(params), std::move(handler));
  };
  auto path = [](const char* name, ValueType type) { return ParamSpec::Path(name, type); };
  auto query = [](const char* name, ValueType type) { return ParamSpec::Query(name, type); };
  auto opt_query = [](const char* name, ValueType type, Json d = nullptr) {
    return ParamSpec::OptionalQuery(name, type, std::move(d));
  };
  const ValueType str = ParamType::kStr;
  const ValueType integer = ParamType::kInt;
  const ValueType real = ParamType::kFloat;
  const ValueType boolean = ParamType::kBool;
  const ValueType uuid = ParamType::kUuid;

  // section 3: matching, conflicts
  get("/users/me", {}, Returns({{"route", "users_me"}}));
  get("/users/{id}", {path("id", str)}, Echo);
  get("/late/{x}", {path("x", str)}, Echo);
  get("/late/me", {}, Returns({{"route", "late_me"}}));
  get("/dup", {}, Returns({{"which", 1}}));
  get("/dup", {}, Returns({{"which", 2}}));
  get("/fall/{x}", {path("x", integer)}, Echo);
  get("/fall/{x}", {path("x", str)}, Returns({{"second", "unused"}}));
  get("/fallc/{x:int}", {path("x", integer)}, Echo);
  app.Route({"GET"}, "/fallc/{x}", "fallc_str", {path("x", str)},
            [](RequestContext& ctx) -> loop::Task<http::Response> {
              co_return http::JsonResponse({{"second", ctx.Param("x")}});
            });
  get("/multi-method", {}, Returns({{"m", "GET"}}));
  app.Route({"PUT"}, "/multi-method", "mm_put", {}, Returns({{"m", "PUT"}}));
  app.Route({"DELETE"}, "/multi-method", "mm_delete", {}, Returns({{"m", "DELETE"}}));
  get("/pf/{x}", {path("x", str)}, Echo);
  app.Route({"PUT"}, "/pf/{x}", "pf_put", {path("x", str)}, Echo);
  post("/pf/fixed", {}, Returns({{"route", "pf_fixed"}}));
  get("/Case", {}, Returns({{"route", "Case"}}));
  get("/slash", {}, Returns({{"route", "slash"}}));
  get("/withslash/", {}, Returns({{"route", "withslash"}}));
  get("/items/{item_id}", {path("item_id", integer)}, Echo);

  // section 1: templates and converters
  get("/conv/int/{v:int}", {path("v", integer)}, Echo);
  get("/conv/float/{v:float}", {path("v", real)}, Echo);
  get("/conv/path/{p:path}", {path("p", str)}, Echo);
  get("/conv/uuid/{u:uuid}", {path("u", uuid)}, Echo);
  get("/conv/tail/{p:path}/tail", {path("p", str)}, Echo);
  get("/prefix-{name}.txt", {path("name", str)}, Echo);
  get("/two/{a}-{b}", {path("a", str), path("b", str)}, Echo);
  get("/cv/int/{v:int}/str", {path("v", str)}, Echo);
  get("/cv/float/{v:float}/str", {path("v", str)}, Echo);
  get("/cv/float/{v:float}/int", {path("v", integer)}, Echo);
  get("/cv/int/{v:int}/float", {path("v", real)}, Echo);
  get("/cv/int/{v:int}/bool", {path("v", boolean)}, Echo);
  get("/cv/uuid/{v:uuid}/str", {path("v", str)}, Echo);
  get("/cv/int/{v:int}/enum", {path("v", color)}, Echo);
  get("/p/float/{v}", {path("v", real)}, Echo);
  get("/p/bool/{v}", {path("v", boolean)}, Echo);
  get("/p/uuid/{v}", {path("v", uuid)}, Echo);
  get("/p/enum/{c}", {path("c", color)}, Echo);
  get("/drop/{x}", {}, Returns({{"route", "drop"}}));
  get("/notpath/{x}", {query("y", integer)}, Echo);

  // section 2: query parameters
  get("/q/str", {query("q", str)}, Echo);
  get("/q/opt", {opt_query("q", str)}, Echo);
  get("/q/int", {query("n", integer)}, Echo);
  get("/q/optint", {opt_query("n", integer)}, Echo);
  get("/q/bool", {query("b", boolean)}, Echo);
  get("/q/list", {opt_query("q", ValueType::List(str))}, Echo);
  get("/q/listint", {opt_query("q", ValueType::List(integer), Json::array())}, Echo);
  get("/q/listreq", {query("q", ValueType::List(integer))}, Echo);
  // FastAPI validates a list parameter's default like a received value.
  get("/q/listdefault", {opt_query("q", ValueType::List(integer), Json::array({"1", "x"}))}, Echo);
  get("/q/listmin", {opt_query("q", ValueType::List(str)).WithMinLength(2)}, Echo);
  get("/q/alias", {query("q", str).WithAlias("item-q")}, Echo);
  get("/q/len", {query("q", str).WithMinLength(3).WithMaxLength(5)}, Echo);
  get("/q/regex", {query("q", str).WithPattern("^[a-z]+$")}, Echo);
  get("/q/regex-start", {query("q", str).WithPattern("ab")}, Echo);
  get("/q/gt", {query("n", integer).WithGt(0).WithLt(10)}, Echo);
  get("/q/ge", {query("n", real).WithGe(0.5).WithLe(10)}, Echo);
  get("/q/enum", {opt_query("c", color, "red")}, Echo);
  get("/q/uuid", {query("u", uuid)}, Echo);
  get("/q/default", {opt_query("n", integer, 5), opt_query("s", str, "x")}, Echo);
  get("/q/many",
      {opt_query("a", str, ""), opt_query("b", str, ""), opt_query("e", str), opt_query("f", str),
       opt_query("j", str), opt_query("k", str)},
      Echo);
  get("/q/semi", {opt_query("a", str).WithAlias(";a"), opt_query("b", str)}, Echo);
  get("/q/unicode", {opt_query("e", str).WithAlias("\xC3\xA9")}, Echo);

  // headers
  get("/h/one", {ParamSpec::Header("x_token", str)}, Echo);
  get("/h/int", {ParamSpec::Header("x_num", integer)}, Echo);
  get("/h/list", {ParamSpec::OptionalHeader("x_tag", ValueType::List(str))}, Echo);
  get("/h/alias", {ParamSpec::Header("v", str).WithAlias("X-Custom")}, Echo);
  ParamSpec raw_header = ParamSpec::OptionalHeader("x_raw", str);
  raw_header.convert_underscores = false;
  get("/h/nounderscore", {raw_header}, Echo);
  get("/mix/{item_id}",
      {path("item_id", integer), query("q", integer), ParamSpec::Header("x_a", integer)}, Echo);

  // section 5: exceptions and serialisation
  auto raise = [](HttpException e) {
    return [e](RequestContext&) -> loop::Task<http::Response> {
      throw e;
      co_return http::Response{};
    };
  };
  get("/exc/teapot", {}, raise(HttpException(418, "I'm a teapot")));
  get("/exc/detail", {},
      raise(HttpException(400, {{"code", 7}, {"msg", "bad"}}, {{"X-Err", "1"}})));
  get("/exc/{code}", {path("code", integer)},
      [](RequestContext& ctx) -> loop::Task<http::Response> {
        throw HttpException(static_cast<int>(ctx.Get<int64_t>("code")));
        co_return http::Response{};
      });
  get("/exc-headers/204", {}, raise(HttpException(204, nullptr, {{"X-A", "b"}})));
  get("/boom", {}, [](RequestContext&) -> loop::Task<http::Response> {
    throw std::runtime_error("boom");
    co_return http::Response{};
  });
  get("/ser/dict", {},
      Returns(
          {{"a", 1}, {"b", {1, 2}}, {"c", nullptr}, {"d", 1.5}, {"e", "\xC3\xA9"}, {"f", true}}));
  get("/ser/list", {}, Returns(Json::array({1, "two", nullptr})));
  get("/ser/none", {}, Returns(nullptr));
  get("/ser/str", {}, Returns("hello"));
  get("/ser/int", {}, Returns(42));
  get("/ser/float", {}, Returns(1.0));
  get("/ser/uuid", {}, Returns({{"u", "12345678-1234-5678-1234-567812345678"}}));
  get("/ser/nan", {}, Returns({{"v", std::numeric_limits<double>::quiet_NaN()}}));
  get("/ser/201", {}, Returns({{"created", true}}, 201));
  get("/ser/204", {}, Returns(nullptr, 204));
  get("/ser/203", {}, Returns({{"a", 1}}, 203));

  // section 6: request body
  post("/body/item", {ParamSpec::Body("item", item_type)}, ReturnOnly);
  post("/body/full", {ParamSpec::Body("full", ValueType::Model(full))}, ReturnOnly);
  post("/body/two", {ParamSpec::Body("item", item_type), ParamSpec::Body("user", str)}, Echo);
  post("/body/embed", {ParamSpec::Body("item", item_type).Embedded()}, Echo);
  post("/body/mix/{item_id}",
       {path("item_id", integer), ParamSpec::Body("item", item_type), opt_query("q", integer, 1)},
       Echo);
  post("/body/optional", {ParamSpec::OptionalBody("item", item_type.AsNullable())}, Echo);
  post("/body/str", {ParamSpec::Body("s", str)}, Echo);
  post("/body/int", {ParamSpec::Body("n", integer)}, Echo);
  post("/body/float", {ParamSpec::Body("x", real)}, Echo);
  post("/body/bool", {ParamSpec::Body("b", boolean)}, Echo);
  post("/body/uuid", {ParamSpec::Body("u", uuid)}, Echo);
  post("/body/list", {ParamSpec::Body("l", ValueType::List(integer))}, Echo);
  post("/body/constrained",
       {ParamSpec::Body("s", str).Embedded().WithMinLength(2),
        ParamSpec::OptionalBody("n", real, 0.5).WithGt(0.25).WithLt(1)},
       Echo);
  return app;
}

// ---- the replay ------------------------------------------------------------

struct GoldenCase {
  std::string row;
  Json json;
};

void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.row << ": " << c.json["method"].get<std::string>() << " "
      << c.json["target"].get<std::string>();
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// The golden file holds header bytes decoded as latin-1; back to bytes.
std::string Latin1Bytes(const std::string& utf8) {
  std::string out;
  for (size_t pos = 0; pos < utf8.size();) {
    out.push_back(static_cast<char>(http::NextCodePoint(utf8, &pos)));
  }
  return out;
}

std::vector<GoldenCase> LoadCases() {
  std::ifstream in(COROUTER_GOLDEN_FILE);
  std::vector<GoldenCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Json json = Json::parse(line);
    std::string row = json["row"].get<std::string>();
    cases.push_back({std::move(row), std::move(json)});
  }
  return cases;
}

class FastApiGolden : public ::testing::TestWithParam<GoldenCase> {
 protected:
  static void SetUpTestSuite() {
    app_ = new App(BuildGoldenApp());
    ASSERT_TRUE(app_->status().ok()) << app_->status();
  }
  static void TearDownTestSuite() {
    delete app_;
    app_ = nullptr;
  }

  static App* app_;
};

App* FastApiGolden::app_ = nullptr;

TEST_P(FastApiGolden, AnswersAsFastApi) {
  const Json& c = GetParam().json;
  ASSERT_NE(app_, nullptr);
  const Engine engine(*app_, EngineOptions{.server_authority = "testserver"});
  WireRequest request;
  request.method = c["method"].get<std::string>();
  request.target = c["target"].get<std::string>();
  for (const Json& h : c["headers"]) {
    request.headers.push_back({h[0].get<std::string>(), Latin1Bytes(h[1].get<std::string>())});
  }
  request.body = Unhex(c["body_hex"].get<std::string>());
  ASSERT_TRUE(Engine::Validate(request).ok());

  const Outcome outcome = RunInline(engine, request);
  http::Headers expected_headers;
  for (const Json& h : c["response_headers"]) {
    expected_headers.push_back({h[0].get<std::string>(), h[1].get<std::string>()});
  }
  EXPECT_EQ(outcome.response.status_code, c["status"].get<int>()) << request.target;
  EXPECT_EQ(outcome.response.body, c["response_body"].get<std::string>()) << request.target;
  EXPECT_THAT(outcome.response.headers, ::testing::ElementsAreArray(expected_headers))
      << request.target;
}

std::string CaseName(const ::testing::TestParamInfo<GoldenCase>& info) {
  std::string name = "Case" + std::to_string(info.index) + "_";
  bool underscore = true;
  for (const char c : info.param.row) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      name.push_back(c);
      underscore = false;
    } else if (!underscore) {
      name.push_back('_');
      underscore = true;
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name;
}

INSTANTIATE_TEST_SUITE_P(Reference, FastApiGolden, ::testing::ValuesIn(LoadCases()), CaseName);

TEST(FastApiGoldenFile, HasEveryCase) { EXPECT_GE(LoadCases().size(), 250u); }

}  // namespace
}  // namespace corouter::app
