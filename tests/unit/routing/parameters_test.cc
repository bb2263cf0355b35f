// tests/unit/routing/parameters_test.cc
//
// Where each declared parameter is read from, in which order errors come,
// and which declarations FastAPI and pydantic refuse (parameters.h).
#include "server/routing/parameters.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/routing/coercion.h"

namespace corouter::routing {
namespace {

using http::Json;
using ::testing::HasSubstr;

Json Locs(const BindResult& result) {
  Json out = Json::array();
  for (const ValidationError& e : result.errors) out.push_back(e.loc);
  return out;
}

Json Values(const BindResult& result) {
  Json out = Json::object();
  for (const auto& [name, value] : result.values) out[name] = value;
  return out;
}

struct Request {
  PathParams path;
  const PathTemplate* path_template = nullptr;
  http::QueryParams query;
  http::Headers headers;
  RequestBody body;

  BindResult Bind(const std::vector<ParamSpec>& specs) const {
    return BindParameters(specs, RequestParts{path, path_template, query, headers, body});
  }
};

TEST(BindParameters, ReportsPathThenQueryThenHeaderThenBody) {
  const std::vector<ParamSpec> specs = {
      ParamSpec::Body("b", ParamType::kInt), ParamSpec::Header("x_h", ParamType::kInt),
      ParamSpec::Query("q", ParamType::kInt), ParamSpec::Path("p", ParamType::kInt)};
  Request request;
  request.path = {{"p", "x"}};
  request.body.kind = RequestBody::Kind::kJson;
  request.body.value = "y";
  EXPECT_EQ(Locs(request.Bind(specs)).dump(),
            R"([["path","p"],["query","q"],["header","x-h"],["body"]])");
}

TEST(BindParameters, KeepsDeclarationOrderForValues) {
  const std::vector<ParamSpec> specs = {ParamSpec::OptionalQuery("b", ParamType::kInt, 2),
                                        ParamSpec::Path("a", ParamType::kInt)};
  Request request;
  request.path = {{"a", "1"}};
  EXPECT_EQ(Values(request.Bind(specs)).dump(), R"({"b":2,"a":1})");
}

TEST(BindParameters, TypesPathCapturesByTheirConverter) {
  auto compiled = PathTemplate::Compile("/{i:int}/{f:float}/{u:uuid}/{s}");
  ASSERT_TRUE(compiled.ok());
  Request request;
  request.path_template = &*compiled;
  ASSERT_TRUE(compiled->Match("/007/1.50/12345678-1234-1234-1234-123456789abc/x", &request.path));
  // {i:int} with i: str is "7"; {f:float} with f: int is 1; {u:uuid} with
  // u: str fails ("str type expected").
  BindResult ok =
      request.Bind({ParamSpec::Path("i", ParamType::kStr), ParamSpec::Path("f", ParamType::kInt),
                    ParamSpec::Path("s", ParamType::kStr)});
  EXPECT_EQ(Values(ok).dump(), R"({"i":"7","f":1,"s":"x"})");
  BindResult bad = request.Bind({ParamSpec::Path("u", ParamType::kStr)});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].type, "type_error.str");
}

TEST(BindParameters, QueryScalarsTakeTheLastValueAndListsEveryValue) {
  Request request;
  request.query = http::QueryParams::Parse("q=a&q=b&l=1&l=2");
  EXPECT_EQ(Values(request.Bind({ParamSpec::Query("q", ParamType::kStr),
                                 ParamSpec::Query("l", ValueType::List(ParamType::kInt))}))
                .dump(),
            R"({"q":"b","l":[1,2]})");
}

TEST(BindParameters, ListDefaultsAreValidatedButScalarDefaultsAreNot) {
  Request request;
  EXPECT_EQ(Locs(request.Bind({ParamSpec::OptionalQuery("l", ValueType::List(ParamType::kInt),
                                                        Json::array({"1", "x"}))}))
                .dump(),
            R"([["query","l",1]])");
  EXPECT_EQ(Values(request.Bind({ParamSpec::OptionalQuery("n", ParamType::kInt, "abc")})).dump(),
            R"({"n":"abc"})");
}

TEST(BindParameters, AliasesReplaceTheNameForReadingAndLoc) {
  Request request;
  request.query = http::QueryParams::Parse("q=1");
  EXPECT_EQ(Locs(request.Bind({ParamSpec::Query("q", ParamType::kStr).WithAlias("item-q")})).dump(),
            R"([["query","item-q"]])");
}

TEST(BindParameters, HeadersAreFirstValueCaseInsensitiveAndLatin1) {
  Request request;
  request.headers = {{"X-Token", "\xE9"}, {"x-token", "b"}, {"x-tag", "1"}, {"X-Tag", "2"}};
  EXPECT_EQ(Values(request.Bind({ParamSpec::Header("x_token", ParamType::kStr),
                                 ParamSpec::Header("x_tag", ValueType::List(ParamType::kStr))}))
                .dump(),
            "{\"x_token\":\"\xC3\xA9\",\"x_tag\":[\"1\",\"2\"]}");
  ParamSpec raw = ParamSpec::OptionalHeader("x_token", ParamType::kStr);
  raw.convert_underscores = false;
  EXPECT_EQ(Values(request.Bind({raw})).dump(), R"({"x_token":null})");
}

std::shared_ptr<ModelSpec> Item() {
  auto model = std::make_shared<ModelSpec>();
  model->name = "Item";
  model->fields = {FieldSpec::Required("name", ParamType::kStr)};
  return model;
}

TEST(BindParameters, OneBodyParameterTakesTheWholeBody) {
  Request request;
  request.body = {RequestBody::Kind::kJson, Json::parse(R"({"name":"x"})"), {}};
  EXPECT_EQ(Values(request.Bind({ParamSpec::Body("item", ValueType::Model(Item()))})).dump(),
            R"({"item":{"name":"x"}})");
  request.body = {RequestBody::Kind::kJson, nullptr, {}};
  EXPECT_EQ(Locs(request.Bind({ParamSpec::Body("item", ValueType::Model(Item()))})).dump(),
            R"([["body"]])");
}

TEST(BindParameters, EmbeddedBodyParametersAreKeysOfAnObject) {
  const std::vector<ParamSpec> specs = {ParamSpec::Body("item", ValueType::Model(Item())),
                                        ParamSpec::OptionalBody("user", ParamType::kStr, "anon")};
  Request request;
  request.body = {RequestBody::Kind::kJson, Json::parse(R"({"item":{"name":"x"}})"), {}};
  EXPECT_EQ(Values(request.Bind(specs)).dump(), R"({"item":{"name":"x"},"user":"anon"})");
  // A body that is not an object: every body parameter is "field required",
  // even an optional one (AttributeError in request_body_to_args).
  request.body = {RequestBody::Kind::kJson, Json::array({1}), {}};
  EXPECT_EQ(Locs(request.Bind(specs)).dump(), R"([["body","item"],["body","user"]])");
  request.body = {RequestBody::Kind::kBytes, "abc", {}};
  EXPECT_EQ(Locs(request.Bind(specs)).dump(), R"([["body","item"],["body","user"]])");
  request.body = {};
  EXPECT_EQ(Locs(request.Bind(specs)).dump(), R"([["body","item"]])");
  request.body = {RequestBody::Kind::kJson, Json::parse(R"({"name":"x"})"), {}};
  EXPECT_EQ(
      Locs(request.Bind({ParamSpec::Body("item", ValueType::Model(Item())).Embedded()})).dump(),
      R"([["body","item"]])");
}

TEST(BindParameters, WorksWithoutABody) {
  const BindResult result = BindParameters({ParamSpec::Path("id", ParamType::kInt)}, {{"id", "7"}},
                                           http::QueryParams(), http::Headers());
  EXPECT_EQ(Values(result).dump(), R"({"id":7})");
  EXPECT_TRUE(HasBodyParameters({ParamSpec::Body("b", ParamType::kStr)}));
  EXPECT_FALSE(HasBodyParameters({ParamSpec::Query("b", ParamType::kStr)}));
}

TEST(CheckParamSpec, RefusesWhatFastApiAndPydanticRefuse) {
  EXPECT_TRUE(CheckParamSpec(ParamSpec::Query("q", ParamType::kStr).WithMinLength(1)).ok());
  const std::vector<std::pair<ParamSpec, std::string>> bad = {
      {ParamSpec::Query("", ParamType::kStr), "empty name"},
      {ParamSpec::Query("q", ParamType::kInt).WithMinLength(1), "apply to str"},
      {ParamSpec::Query("q", ParamType::kStr).WithGt(1), "apply to int and float"},
      {ParamSpec::Query("q", ParamType::kStr).WithPattern("(?<=a)b"), "not supported"},
      {ParamSpec::Query("q", ParamType::kInt).WithGt("x"), "not a number"},
      {ParamSpec::Query("q", ValueType::Model(Item())), "only be read from the body"},
      {ParamSpec::Query("q", ValueType::List(ValueType::List(ParamType::kInt))),
       "can only be read from the body"},
      {ParamSpec::Query("q", ParamType::kInt).WithMinItems(1), "apply to lists"},
      {ParamSpec::Query("q", ParamType::kEnum), "has no values"},
      {ParamSpec::Query("q", ParamType::kStr).Embedded(), "embed applies"},
      {ParamSpec::Path("p", ValueType::List(ParamType::kInt)), "single value"},
  };
  for (const auto& [spec, message] : bad) {
    const absl::Status status = CheckParamSpec(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << message;
    EXPECT_THAT(status.message(), HasSubstr(message));
  }
  ParamSpec optional_path = ParamSpec::Path("p", ParamType::kInt);
  optional_path.required = false;
  EXPECT_THAT(CheckParamSpec(optional_path).message(), HasSubstr("always required"));
}

TEST(ParamSpec, LookupNameIsTheAliasOrTheHeaderSpelling) {
  EXPECT_EQ(ParamSpec::Header("user_agent", ParamType::kStr).LookupName(), "user-agent");
  EXPECT_EQ(ParamSpec::Query("user_agent", ParamType::kStr).LookupName(), "user_agent");
  EXPECT_EQ(ParamSpec::Header("v", ParamType::kStr).WithAlias("X_V").LookupName(), "X_V");
  EXPECT_EQ(LocationName(ParamLocation::kBody), "body");
}

http::FormData Form(std::vector<http::FormField> fields) {
  return http::FormData(std::move(fields));
}

http::UploadedFile File(std::string filename, std::string content) {
  http::UploadedFile file;
  file.filename = std::move(filename);
  file.headers = {{"content-type", "text/plain"}};
  file.content = std::move(content);
  return file;
}

// request_body_to_args over Starlette's FormData (FastAPI 0.92).
TEST(BindParameters, FormParametersReadTheLastFieldAndTreatEmptyAsMissing) {
  const std::vector<ParamSpec> specs = {
      ParamSpec::Form("user", ParamType::kStr), ParamSpec::OptionalForm("n", ParamType::kInt, 1),
      ParamSpec::OptionalForm("tags", ValueType::List(ParamType::kStr), Json::array())};
  Request request;
  request.body.kind = RequestBody::Kind::kForm;
  request.body.form = Form({{"user", "a"}, {"user", "b"}, {"tags", "x"}, {"tags", "y"}});
  EXPECT_EQ(Values(request.Bind(specs)).dump(), R"({"user":"b","n":1,"tags":["x","y"]})");
  request.body.form = Form({{"user", ""}, {"n", ""}});
  EXPECT_EQ(Locs(request.Bind(specs)).dump(), R"([["body","user"]])");
  request.body.form = Form({{"user", "u"}, {"n", "x"}, {"tags", File("f", "1")}});
  const BindResult bad = request.Bind(specs);
  EXPECT_EQ(Locs(bad).dump(), R"([["body","n"],["body","tags",0]])");
  EXPECT_EQ(bad.errors[1].msg, "str type expected");
}

TEST(BindParameters, FileParametersTakeTheUploadOrItsBytes) {
  Request request;
  request.body.kind = RequestBody::Kind::kForm;
  request.body.form = Form({{"f", File("a.txt", "hello")}, {"b", File("b", "bytes")}});
  EXPECT_EQ(Values(request.Bind({ParamSpec::File("f", ParamType::kUploadFile),
                                 ParamSpec::File("b", ParamType::kBytes)}))
                .dump(),
            R"({"f":{"filename":"a.txt","content_type":"text/plain","size":5},"b":"bytes"})");
  // A str where a file is expected; a file in a Form() of bytes.
  request.body.form = Form({{"f", "text"}, {"b", File("b", "x")}});
  const BindResult bad = request.Bind(
      {ParamSpec::File("f", ParamType::kUploadFile), ParamSpec::Form("b", ParamType::kBytes)});
  ASSERT_EQ(bad.errors.size(), 2u);
  EXPECT_EQ(bad.errors[0].msg, "Expected UploadFile, received: <class 'str'>");
  EXPECT_EQ(bad.errors[1].msg, "byte type expected");
  // `sub_value.read` on a str: not a 422 but an uncaught error (a 500).
  request.body.form = Form({{"l", File("a", "1")}, {"l", "x"}});
  EXPECT_THROW(request.Bind({ParamSpec::File("l", ValueType::List(ParamType::kBytes))}),
               UncaughtValidatorError);
}

TEST(CheckParamSpec, KeepsUploadFilesInForms) {
  EXPECT_FALSE(CheckParamSpec(ParamSpec::Query("f", ParamType::kUploadFile)).ok());
  EXPECT_FALSE(CheckParamSpec(ParamSpec::Body("f", ValueType::List(ParamType::kUploadFile))).ok());
  EXPECT_TRUE(CheckParamSpec(ParamSpec::Form("f", ParamType::kUploadFile)).ok());
  EXPECT_FALSE(CheckParamSpec(ParamSpec::Form("f", ParamType::kStr).Embedded()).ok());
}

}  // namespace
}  // namespace corouter::routing
