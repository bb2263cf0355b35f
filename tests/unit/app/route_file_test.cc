// Route files: what a file declares becomes the App FastAPI would build from
// the equivalent Python, and every mistake stops the load with one
// "FILE:LINE: problem" message.
#include "server/app/route_file.h"

#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/engine.h"
#include "tests/unit/app/run_inline.h"

namespace corouter::app {
namespace {

using http::Json;
using routing::ParamLocation;
using routing::ParamType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

App Load(const std::string& yaml, double time_scale = 1.0) {
  auto app = ParseRouteFile(yaml, "test.yaml", {.time_scale = time_scale});
  EXPECT_TRUE(app.ok()) << app.status();
  return app.ok() ? *std::move(app) : App();
}

std::string LoadError(const std::string& yaml) {
  auto app = ParseRouteFile(yaml, "bad.yaml");
  EXPECT_FALSE(app.ok()) << yaml;
  if (app.ok()) return "";
  EXPECT_EQ(app.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(app.status().message());
}

Outcome Call(const App& app, std::string method, std::string target, std::string body = "",
             http::Headers headers = {}) {
  Engine engine(app);
  return RunInline(engine, WireRequest{std::move(method), std::move(target), std::move(headers),
                                       std::move(body)});
}

TEST(RouteFile, TheSeedExampleLoadsWithEveryRouteInOrder) {
  auto app = LoadRouteFile(COROUTER_SEED_APP_YAML, {.time_scale = 0.01});
  ASSERT_TRUE(app.ok()) << app.status();
  std::vector<std::string> paths;
  for (const PathOperation& op : app->operations()) paths.push_back(op.path);
  EXPECT_THAT(paths,
              ElementsAre("/openapi.json", "/hello", "/ping", "/wait", "/slow_task/{item_id}",
                          "/fast_task/", "/sync-task", "/items", "/missing-await",
                          "/send-notification/{email}", "/blocking", "/sync-wait"));
  const PathOperation& read_item = app->operations()[4];
  EXPECT_EQ(read_item.endpoint, "read_item");
  EXPECT_TRUE(read_item.is_async());
  ASSERT_EQ(read_item.params.size(), 2u);
  EXPECT_EQ(read_item.params[1].location, ParamLocation::kQuery);
  EXPECT_FALSE(read_item.params[1].required);
  EXPECT_FALSE(app->operations()[1].is_async());
}

TEST(RouteFile, DeclaresParametersAsFastApiSignatures) {
  App app = Load(R"(
enums:
  Color: [red, green]
models:
  Item:
    name: str
    price: {type: float, gt: 0}
    tags: {type: "list[str]", default: []}
    desc: {type: "Optional[str]", default: null}
openapi_url: null
routes:
  - name: update_item
    path: /items/{item_id:int}
    methods: [put, POST]
    params:
      - {name: item_id, type: int, ge: 1}
      - {name: q, type: "list[str]", required: false, alias: item-q}
      - {name: color, type: Color, default: red}
      - {name: x_token, in: header, regex: "^tok-", min_length: 4}
      - {name: item, type: Item}
)");
  ASSERT_EQ(app.operations().size(), 1u);
  const PathOperation& op = app.operations()[0];
  EXPECT_THAT(op.methods, ElementsAre("POST", "PUT"));
  ASSERT_EQ(op.params.size(), 5u);
  EXPECT_EQ(op.params[0].location, ParamLocation::kPath);
  EXPECT_EQ(op.params[0].constraints.ge, Json(1));
  EXPECT_EQ(op.params[1].location, ParamLocation::kQuery);
  EXPECT_EQ(op.params[1].type.Name(), "list[str]");
  EXPECT_FALSE(op.params[1].required);
  EXPECT_EQ(op.params[1].default_value, nullptr);
  EXPECT_EQ(op.params[1].alias, "item-q");
  EXPECT_EQ(op.params[2].type.kind(), ParamType::kEnum);
  EXPECT_EQ(op.params[2].default_value, "red");
  EXPECT_EQ(op.params[3].location, ParamLocation::kHeader);
  EXPECT_EQ(op.params[3].constraints.pattern->text(), "^tok-");
  EXPECT_EQ(op.params[4].location, ParamLocation::kBody);  // a model: the body
  const routing::ModelSpec& item = op.params[4].type.model();
  EXPECT_EQ(item.name, "Item");
  ASSERT_EQ(item.fields.size(), 4u);
  EXPECT_TRUE(item.fields[0].required);
  EXPECT_EQ(item.fields[1].constraints.gt, Json(0));
  EXPECT_EQ(item.fields[2].default_value, Json::array());
  EXPECT_TRUE(item.fields[3].type.nullable());
}

TEST(RouteFile, UnionsFlattenAsTypingDoes) {
  App app = Load(R"(
models:
  Item: {name: str}
openapi_url: null
routes:
  - name: r
    path: /r
    params:
      - {name: a, type: "Union[int, str]"}
      - {name: b, type: "Union[int, None]", default: null}
      - {name: c, type: "Union[Union[int, date], None, str]", default: null}
      - {name: d, type: "Union[int, Item]"}
)");
  ASSERT_EQ(app.operations().size(), 1u);
  const PathOperation& op = app.operations()[0];
  ASSERT_EQ(op.params.size(), 4u);
  EXPECT_EQ(op.params[0].type.Name(), "Union[int, str]");
  EXPECT_EQ(op.params[0].location, ParamLocation::kQuery);
  EXPECT_EQ(op.params[1].type.Name(), "Optional[int]");  // Union[X, None] is Optional[X]
  EXPECT_EQ(op.params[2].type.Name(), "Optional[Union[int, date, str]]");
  EXPECT_EQ(op.params[3].location, ParamLocation::kBody);  // a member is a model
}

TEST(RouteFile, RespondKeepsTheTypesOfThePlaceholders) {
  App app = Load(R"(
routes:
  - name: read_item
    path: /items/{item_id}
    params:
      - {name: item_id, type: int}
      - {name: q, default: null}
      - {name: f, type: float, default: 2}
    steps:
      - respond:
          status: 201
          headers: {X-Item: "item {item_id}"}
          body: {item_id: "{item_id}", q: "{q}", f: "{f}", text: "{item_id}/{q}", n: 1, ok: yes}
)");
  Outcome out = Call(app, "GET", "/items/5");
  EXPECT_EQ(out.response.status_code, 201);
  EXPECT_EQ(out.response.body, R"({"item_id":5,"q":null,"f":2,"text":"5/null","n":1,"ok":"yes"})");
  ASSERT_EQ(out.response.headers.size(), 3u);
  EXPECT_EQ(out.response.headers[2].name, "x-item");  // after FastAPI's own
  EXPECT_EQ(out.response.headers[2].value, "item 5");
  EXPECT_EQ(Call(app, "GET", "/items/x").response.status_code, 422);
}

TEST(RouteFile, NoRespondStepReturnsNone) {
  App app = Load("routes: [{name: f, path: /f}]");
  Outcome out = Call(app, "GET", "/f");
  EXPECT_EQ(out.response.status_code, 200);
  EXPECT_EQ(out.response.body, "null");
}

TEST(RouteFile, RaiseIsAnHttpExceptionAndFailIsA500) {
  App app = Load(R"(
routes:
  - name: teapot
    path: /teapot
    steps:
      - raise: {status: 418, detail: {code: 7, what: "{who}"}, headers: {X-Err: "1"}}
    params: [{name: who, default: me}]
  - {name: forbidden, path: /forbidden, steps: [{raise: 403}]}
  - {name: boom, path: /boom, steps: [{fail: database down}]}
)");
  Outcome teapot = Call(app, "GET", "/teapot");
  EXPECT_EQ(teapot.response.status_code, 418);
  EXPECT_EQ(teapot.response.body, R"({"detail":{"code":7,"what":"me"}})");
  EXPECT_EQ(teapot.response.headers[0].name, "x-err");
  EXPECT_EQ(Call(app, "GET", "/forbidden").response.body, R"({"detail":"Forbidden"})");
  Outcome boom = Call(app, "GET", "/boom");
  EXPECT_EQ(boom.response.status_code, 500);
  EXPECT_EQ(boom.response.body, "Internal Server Error");
}

TEST(RouteFile, BodiesBindToModels) {
  App app = Load(R"(
models:
  Item: {name: str, price: float}
routes:
  - name: create
    path: /items
    method: POST
    params: [{name: item, type: Item}]
    steps: [{respond: {body: {got: "{item}", name: "{item.name}"}}}]
)");
  EXPECT_EQ(Call(app, "POST", "/items", R"({"name":"x","price":1})").response.body,
            R"({"got":{"name":"x","price":1.0},"name":"x"})");
  EXPECT_EQ(Call(app, "POST", "/items", R"({"name":"x"})").response.status_code, 422);
}

TEST(RouteFile, FormAndFileParametersReadTheForm) {
  App app = Load(R"(
routes:
  - name: upload
    path: /upload
    method: POST
    params:
      - {name: file, in: file, type: UploadFile}
      - {name: note, in: form, default: ""}
    steps: [{respond: {body: {name: "{file.filename}", size: "{file.size}", note: "{note}"}}}]
)");
  const http::Headers multipart = {{"content-type", "multipart/form-data; boundary=b"}};
  EXPECT_EQ(Call(app, "POST", "/upload",
                 "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n"
                 "hello\r\n--b\r\nContent-Disposition: form-data; name=note\r\n\r\nhi\r\n--b--",
                 multipart)
                .response.body,
            R"({"name":"a.txt","size":5,"note":"hi"})");
  // A str where the file should be; then a malformed body (FastAPI's 400).
  const Outcome text = Call(app, "POST", "/upload", "file=x",
                            {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(text.response.status_code, 422);
  EXPECT_THAT(text.response.body, HasSubstr("Expected UploadFile, received: <class 'str'>"));
  const Outcome bad = Call(app, "POST", "/upload", "--b--", multipart);
  EXPECT_EQ(bad.response.status_code, 400);
  EXPECT_EQ(bad.response.body, R"({"detail":"There was an error parsing the body"})");
}

TEST(RouteFile, DurationsAreScaled) {
  App app = Load(R"(
routes:
  - {name: f, path: /f, timeout: 2s, steps: [{sleep: 1s}, {blocking: 500ms}]}
)",
                 0.01);
  const PathOperation& op = app.operations().back();
  EXPECT_EQ(op.timeout, std::chrono::milliseconds(20));
}

TEST(RouteFile, AppOptionsComeFromTheTopLevel) {
  App app = Load("title: Shop\nversion: '2.0'\nopenapi_url: null\nroutes: []\n");
  EXPECT_EQ(app.options().title, "Shop");
  EXPECT_EQ(app.options().version, "2.0");
  EXPECT_EQ(app.options().openapi_url, "");
}

struct BadFile {
  const char* name;
  const char* yaml;
  int line;
  const char* message;
};

class BadRouteFile : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadRouteFile, StopsWithFileLineAndProblem) {
  const BadFile& bad = GetParam();
  const std::string error = LoadError(bad.yaml);
  EXPECT_THAT(error, StartsWith("bad.yaml:" + std::to_string(bad.line) + ": ")) << error;
  EXPECT_THAT(error, HasSubstr(bad.message)) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadRouteFile,
    ::testing::Values(
        BadFile{"YamlSyntax", "routes:\n  - name: a\n    path: [/a\n", 4, "YAML syntax"},
        BadFile{"UploadFileInTheQuery",
                "routes:\n  - name: a\n    path: /a\n    params: [{name: f, type: UploadFile}]\n",
                4,
                "query parameter 'f': an UploadFile is read from a multipart form: make it `in: "
                "file`"},
        BadFile{
            "FormWithEmbed",
            "routes:\n  - name: a\n    path: /a\n    params: [{name: f, in: form, embed: true}]\n",
            4, "form parameter 'f': form and file parameters are always embedded"},
        BadFile{"UnknownLocation",
                "routes:\n  - name: a\n    path: /a\n    params: [{name: f, in: forms}]\n", 4,
                "in must be path, query, header, cookie, body, form or file, not 'forms'"},
        BadFile{"YamlIndentation", "routes:\n  - name: a\n   path: /a\n", 3, "YAML syntax"},
        BadFile{"Empty", "", 1, "the file is empty"},
        BadFile{"NoRoutes", "title: x\n", 1, "has no `routes:`"},
        BadFile{"UnknownTopLevelKey", "routes: []\nroute: []\n", 2,
                "unknown key 'route' in the route file (known: title, version"},
        BadFile{"UnknownRouteKey", "routes:\n  - name: a\n    path: /a\n    stpes: []\n", 4,
                "unknown key 'stpes' in a route"},
        BadFile{
            "UnknownParamKey",
            "routes:\n  - name: a\n    path: /a\n    params:\n      - {name: q, minlength: 1}\n", 5,
            "unknown key 'minlength' in a parameter"},
        BadFile{"DuplicateKey", "routes:\n  - name: a\n    path: /a\n    path: /b\n", 4,
                "key 'path' appears twice in a route"},
        BadFile{"MissingName", "routes:\n  - path: /a\n", 2, "the route /a needs a `name`"},
        BadFile{"UnknownStep", "routes:\n  - name: a\n    path: /a\n    steps:\n      - slep: 1s\n",
                5, "unknown step 'slep' (known: sleep, blocking, cpu, offload, gather, raise"},
        BadFile{"StepWithTwoKeys",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - {sleep: 1s, cpu: 1s}\n", 5,
                "a step is a map with one key"},
        BadFile{"UnknownConverter", "routes:\n  - name: a\n    path: /a/{x:hex}\n", 3,
                "unknown converter"},
        BadFile{"DuplicateParameter",
                "routes:\n  - name: a\n    path: /a\n    params:\n      - {name: q}\n"
                "      - {name: q, type: int}\n",
                6, "parameter 'q' is declared twice"},
        BadFile{"DefaultTypeMismatch",
                "routes:\n  - name: a\n    path: /a\n    params:\n      - name: n\n"
                "        type: int\n        default: five\n",
                7, "the default \"five\" of parameter 'n' does not fit its type int"},
        BadFile{"DefaultNotAnEnumMember",
                "enums: {Color: [red]}\nroutes:\n  - name: a\n    path: /a\n    params:\n"
                "      - {name: c, type: Color, default: blue}\n",
                6, "does not fit its type Color"},
        BadFile{"FieldDefaultMismatch",
                "models:\n  Item:\n    n: {type: int, default: 1.5}\nroutes: []\n", 3,
                "the default 1.5 of field Item.n does not fit its type int"},
        BadFile{"UnknownType",
                "routes:\n  - name: a\n    path: /a\n    params:\n      - {name: q, type: Strng}\n",
                5, "unknown type 'Strng'"},
        BadFile{"ModelUsedBeforeDefinition", "models:\n  A: {b: B}\n  B: {x: int}\nroutes: []\n", 2,
                "unknown type 'B'"},
        BadFile{"BadDuration",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - sleep: 2 seconds\n", 5,
                "'2 seconds' is not a duration such as 2s"},
        BadFile{"DurationWithoutUnit",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - sleep: 2\n", 5,
                "'2' is not a duration"},
        BadFile{"NegativeDuration", "routes:\n  - name: a\n    path: /a\n    timeout: -1s\n", 4,
                "'-1s' is not a duration"},
        BadFile{
            "AwaitInSyncRoute",
            "routes:\n  - name: a\n    path: /a\n    kind: sync\n    steps:\n      - sleep: 1s\n",
            6, "sleep is an await: it needs an async route"},
        BadFile{"AwaitInOffload",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - offload:\n"
                "          steps: [{gather: [[{sleep: 1s}]]}]\n",
                6, "gather is an await: an offloaded function is plain code"},
        BadFile{"AwaitOnAPlainStep",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - {cpu: 1s, await: false}\n",
                5, "`await` goes with an await step (sleep, offload, gather), not cpu"},
        BadFile{"AwaitNotABool",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - {sleep: 1s, await: no}\n",
                5, "await must be true or false"},
        BadFile{
            "AwaitOnRespond",
            "routes:\n  - name: a\n    path: /a\n    steps:\n      - {respond: {}, await: false}\n",
            5, "`await` goes with an await step"},
        BadFile{"AwaitAlone",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - {await: false}\n", 5,
                "a step is a map with one key"},
        BadFile{"BackgroundNotAList",
                "routes:\n  - name: a\n    path: /a\n    background: {name: x}\n", 4,
                "background must be a list of tasks"},
        BadFile{"BackgroundTaskWithoutName",
                "routes:\n  - name: a\n    path: /a\n    background:\n      - steps: []\n", 5,
                "a background task needs a `name`"},
        BadFile{"BackgroundTaskWithoutSteps",
                "routes:\n  - name: a\n    path: /a\n    background:\n      - name: log\n", 5,
                "the background task 'log' needs its `steps`"},
        BadFile{"BackgroundTaskBadKind",
                "routes:\n  - name: a\n    path: /a\n    background:\n"
                "      - {name: log, kind: later, steps: []}\n",
                5, "kind must be async (async def) or sync (def), not 'later'"},
        BadFile{"AwaitInSyncBackgroundTask",
                "routes:\n  - name: a\n    path: /a\n    background:\n"
                "      - {name: log, kind: sync, steps: [{sleep: 1s}]}\n",
                5, "sleep is an await: it needs an async route"},
        BadFile{"RespondInBackgroundTask",
                "routes:\n  - name: a\n    path: /a\n    background:\n"
                "      - {name: log, steps: [{respond: {}}]}\n",
                5, "cannot be inside a background task"},
        BadFile{"UnknownBackgroundTaskKey",
                "routes:\n  - name: a\n    path: /a\n    background:\n"
                "      - {name: log, steps: [], when: later}\n",
                5, "unknown key 'when' in a background task"},
        BadFile{"RespondNotLast",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - respond: {}\n"
                "      - sleep: 1s\n",
                5, "respond ends the route: it must be the last step"},
        BadFile{"RespondInGather",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - gather:\n"
                "          - [{respond: {}}]\n",
                6, "cannot be inside a gather branch"},
        BadFile{"UnknownPlaceholder",
                "routes:\n  - name: a\n    path: /a\n    steps:\n"
                "      - respond: {body: {x: \"{itme_id}\"}}\n",
                5, "{itme_id} names no parameter of this route"},
        BadFile{"BadStatus",
                "routes:\n  - name: a\n    path: /a\n    steps:\n      - raise: {status: 1000}\n",
                5, "status 1000 is not between 100 and 599"},
        BadFile{"BadKind", "routes:\n  - name: a\n    path: /a\n    kind: coroutine\n", 4,
                "kind must be async (async def) or sync (def)"},
        BadFile{"PathParameterNotInTemplate",
                "routes:\n  - name: a\n    path: /a\n    params:\n      - {name: x, in: path}\n", 5,
                "does not appear in the path template"},
        BadFile{
            "PathParameterReadElsewhere",
            "routes:\n  - name: a\n    path: /a/{x}\n    params:\n      - {name: x, in: query}\n",
            5, "is named in the path template, so it is a path parameter"},
        BadFile{"ConstraintThatDoesNotApply",
                "routes:\n  - name: a\n    path: /a\n    params:\n"
                "      - {name: n, type: int, min_length: 2}\n",
                5, "min_length"},
        BadFile{"BadRegex",
                "routes:\n  - name: a\n    path: /a\n    params:\n"
                "      - {name: q, regex: \"(?<=a)b\"}\n",
                5, "regex"},
        BadFile{"BadMethod", "routes:\n  - name: a\n    path: /a\n    method: \"GE T\"\n", 4,
                "is not an HTTP method"},
        BadFile{"BadTemplate", "routes:\n  - name: a\n    path: a\n", 3, "must start with '/'"},
        BadFile{"EnumValueNotText", "enums:\n  Color: [red, 1]\nroutes: []\n", 2,
                "an enum value must be text, not 1 (quote it)"},
        BadFile{"UnknownDependency", "routes:\n  - name: a\n    path: /a\n    depends: [commons]\n",
                4, "unknown dependency 'commons' (a dependency must be defined under"},
        BadFile{"DependencyUsedAboveItsDefinition",
                "dependencies:\n  a: {depends: [b]}\n  b: {}\nroutes: []\n", 2,
                "unknown dependency 'b'"},
        BadFile{"DependencyRespond",
                "dependencies:\n  d:\n    steps:\n      - respond: {}\nroutes: []\n", 4,
                "respond ends the route: it cannot be inside a dependency's steps"},
        BadFile{"AwaitInASyncDependency",
                "dependencies:\n  d:\n    kind: sync\n    steps:\n      - sleep: 1s\nroutes: []\n",
                5, "sleep is an await: it needs an async route"},
        BadFile{"DependsNameClashesWithAParameter",
                "dependencies:\n  d: {}\nroutes:\n  - name: a\n    path: /a\n"
                "    params: [{name: d}]\n    depends: [d]\n",
                7, "parameter 'd' is declared twice"},
        BadFile{"PlaceholderOfAnUnusedDependency",
                "dependencies:\n  d: {}\nroutes:\n  - name: a\n    path: /a\n"
                "    dependencies: [d]\n    steps:\n      - respond: {body: \"{d}\"}\n",
                8, "d"},
        BadFile{"UnknownRouter", "routes:\n  - include: users\n", 2,
                "unknown router 'users' (a router must be defined under `routers:`"},
        BadFile{"RouterPrefixEndsWithSlash",
                "routers:\n  r:\n    prefix: /r/\n    routes: []\nroutes: []\n", 3,
                "a path prefix must not end with '/'"},
        BadFile{"IncludePrefixWithoutSlash",
                "routers:\n  r: {routes: [{name: a, path: /a}]}\nroutes:\n"
                "  - {include: r, prefix: v1}\n",
                4, "a path prefix must start with '/'"},
        BadFile{"EmptyPrefixAndPath",
                "routers:\n  r: {routes: [{name: a, path: \"\"}]}\nroutes:\n  - include: r\n", 4,
                "Prefix and path cannot be both empty (path operation: a)"},
        BadFile{"BadResponseKey", "routes:\n  - name: a\n    path: /a\n    responses: {oops: {}}\n",
                4, "a response is keyed by a status (404), a range (4XX) or default"},
        BadFile{"NumberEnumValueOfTheWrongType",
                "enums:\n  Level: {type: int, values: [1, 2.5]}\nroutes: []\n", 2,
                "enum Level value 2.5 is not an int"},
        BadFile{"EnumOfAnUnknownType", "enums:\n  Level: {type: bytes, values: [1]}\nroutes: []\n",
                2, "an enum's type is str, int or float, not 'bytes'"},
        BadFile{"ExcludeUnsetWithoutAResponseModel",
                "routes:\n  - name: a\n    path: /a\n    response_model_exclude_unset: true\n", 4,
                "response_model_exclude_unset needs a response_model"},
        BadFile{"UnknownResponseModel",
                "routes:\n  - name: a\n    path: /a\n    response_model: Itme\n", 4,
                "unknown type 'Itme'"},
        BadFile{"DependencyPathParameterNotInTheRoute",
                "dependencies:\n  d: {params: [{name: x, in: path}]}\nroutes:\n"
                "  - {name: a, path: /a, depends: [d]}\n",
                4, "dependency d: path parameter 'x' does not appear in the path template"}),
    [](const ::testing::TestParamInfo<BadFile>& info) { return info.param.name; });

TEST(RouteFile, AFloatBeyondRangeIsInfinityAsInPython) {
  App app = Load(R"(
routes:
  - {name: f, path: /f, params: [{name: x, type: float, default: 1e999}], steps: [{respond: {body: [-.inf]}}]}
)");
  EXPECT_EQ(app.operations().back().params[0].default_value.get<double>(),
            std::numeric_limits<double>::infinity());
  EXPECT_EQ(Call(app, "GET", "/f").response.status_code, 500);  // as FastAPI's allow_nan=False
}

TEST(RouteFile, ScalarsResolveToTheirJsonValues) {
  App app = Load(R"(
routes:
  - name: f
    path: /f
    steps:
      - respond:
          body: [yes, no, on, "true", true, False, ~, null, "", 010, 0x1F, 0o17, +5, -0, 1.5,
                 1e3, 1_000, 12:30, 2001-12-14, "12", .5, 1., 1e, 99999999999999999999]
)");
  EXPECT_EQ(Call(app, "GET", "/f").response.body,
            R"(["yes","no","on","true",true,false,null,null,"",10,31,15,5,0,1.5,1000.0,"1_000",)"
            R"("12:30","2001-12-14","12",0.5,1.0,"1e",1e+20])");
}

TEST(RouteFile, NeverThrowsOnMangledFiles) {
  std::ifstream in(COROUTER_SEED_APP_YAML);
  std::stringstream text;
  text << in.rdbuf();
  const std::string yaml = text.str();
  std::mt19937 rng(7);
  constexpr std::string_view kSyntax = "{}[]:-,'\"#&*!|>%@`\n ";
  int refused = 0;
  for (size_t cut = 0; cut < yaml.size(); cut += 7) {
    std::string mangled = yaml.substr(0, cut);
    if (rng() % 2 == 0 && !mangled.empty())
      mangled[rng() % mangled.size()] = kSyntax[rng() % kSyntax.size()];
    auto app = ParseRouteFile(mangled, "m.yaml");
    if (!app.ok()) {
      ++refused;
      EXPECT_EQ(app.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(app.status().message()), StartsWith("m.yaml:"));
    }
  }
  EXPECT_GT(refused, 10);
}

TEST(RouteFile, AValueThatIsNotUtf8IsAnErrorNotACrash) {
  // Found by the route-file fuzzer: the message quoting the default threw.
  for (const char* yaml :
       {"routes:\n  - name: r\n    path: /r\n    params: [{name: q, type: int, default: \xC8}]\n",
        "enums:\n  L: {type: int, values: [1, \xC8]}\nroutes: []\n"}) {
    const auto app = ParseRouteFile(yaml, "bad.yaml");
    ASSERT_FALSE(app.ok());
    EXPECT_EQ(app.status().code(), absl::StatusCode::kInvalidArgument) << app.status();
  }
}

TEST(RouteFile, TextThatIsNotUtf8OrNotPrintableIsRefusedWithItsPlace) {
  // Found by the route-file fuzzer: two paths that differed only in bytes
  // that are not UTF-8 became one key of the OpenAPI document's "paths".
  const auto bytes = ParseRouteFile(
      "routes:\n  - {name: a, path: /\x96\x96}\n  - {name: b, path: /\x96\xb6\x96}\n", "b.yaml");
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bytes.status().message(),
            "b.yaml:2: column 22: not UTF-8 (byte 0x96); a route file is YAML, which is Unicode "
            "text (YAML 1.2 section 5.2)");
  const auto nul = ParseRouteFile(std::string("routes: []  # \xc3\xa9\0\n", 17), "n.yaml");
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.status().message(),
            "n.yaml:1: column 16: character U+0000 is not allowed in YAML (YAML 1.2 section 5.1: "
            "printable characters only; write it as an escape in a double-quoted string)");
  // Tabs, CR LF, U+FFFD itself and a BOM are text.
  EXPECT_TRUE(ParseRouteFile("\xef\xbb\xbfroutes: []\t# \xef\xbf\xbd\r\n", "ok.yaml").ok());
}

TEST(RouteFile, AnUnreadableFileIsNotFound) {
  auto app = LoadRouteFile("/nonexistent/routes.yaml");
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(app.status().message()), StartsWith("/nonexistent/routes.yaml: "));
}

TEST(RouteFile, SleepsDrawnFromADistributionLoadAndBadOnesSayWhy) {
  for (const char* sleep :
       {"{uniform: [10ms, 50ms]}", "{lognormal: {p50: 20ms, p99: 200ms, max: 1s}}",
        "{normal: {mean: 20ms, stddev: 5ms, min: 0s, max: 100ms}}",
        "{normal: {mean: 20ms, stddev: 5ms, max: 100ms}}"}) {
    auto app = ParseRouteFile(
        absl::StrCat("routes: [{name: f, path: /f, kind: async, steps: [{sleep: ", sleep, "}]}]"),
        "ok.yaml");
    EXPECT_TRUE(app.ok()) << sleep << ": " << app.status();
  }
  // --time-scale 0 makes even a lognormal's sleep 0.
  EXPECT_TRUE(
      ParseRouteFile("routes: [{name: f, path: /f, kind: async, steps: [{sleep: {lognormal: "
                     "{p50: 20ms, p99: 200ms, max: 1s}}}]}]",
                     "zero.yaml", {.time_scale = 0})
          .ok());
  auto error = [](const std::string& sleep) {
    return LoadError(
        absl::StrCat("routes:\n  - name: f\n    path: /f\n    kind: async\n    steps:\n"
                     "      - sleep: ",
                     sleep, "\n"));
  };
  EXPECT_THAT(error("{uniform: [50ms, 10ms]}"), HasSubstr("bad.yaml:6:"));
  EXPECT_THAT(error("{uniform: [50ms, 10ms]}"), HasSubstr("low <= high"));
  EXPECT_THAT(error("{uniform: 10ms}"), HasSubstr("uniform is [low, high]"));
  EXPECT_THAT(error("{lognormal: {p50: 20ms, max: 1s}}"),
              HasSubstr("lognormal needs p50, p99 and max"));
  EXPECT_THAT(error("{lognormal: {p50: 300ms, p99: 200ms, max: 1s}}"),
              HasSubstr("0 < p50 < p99 <= max"));
  EXPECT_THAT(error("{gamma: {k: 2}}"), HasSubstr("gamma"));
  EXPECT_THAT(error("{uniform: [1ms, 2ms], normal: {mean: 1ms, stddev: 1ms, max: 2ms}}"),
              HasSubstr("sleep takes one distribution"));
  EXPECT_THAT(error("{uniform: [1ms, soon]}"), HasSubstr("'soon' is not a duration"));
}

TEST(RouteFile, FaultsLoadAndBadOnesSayWhy) {
  EXPECT_TRUE(ParseRouteFile(R"(routes:
  - {name: a, path: /a, kind: async, steps: [{abort: UNAVAILABLE}, {reset: null}]}
  - {name: b, path: /b, kind: sync, steps: [{abort: {code: INTERNAL, message: boom}}]}
  - {name: c, path: /c, kind: async, steps: [{hang: null}]}
  - {name: d, path: /d, kind: async, fail_rate: 0.25, fault: {reset: null}}
  - {name: e, path: /e, kind: sync, fail_rate: 1, fault: {raise: 503}}
)",
                             "ok.yaml")
                  .ok());
  auto route = [](const std::string& body) {
    return LoadError(absl::StrCat("routes:\n  - name: f\n    path: /f\n", body));
  };
  EXPECT_THAT(route("    steps:\n      - abort: NOPE\n"),
              HasSubstr("bad.yaml:5: 'NOPE' is not a gRPC status code other than OK"));
  EXPECT_THAT(route("    steps:\n      - abort: OK\n"), HasSubstr("other than OK"));
  EXPECT_THAT(route("    steps:\n      - abort: {message: x}\n"),
              HasSubstr("abort needs a `code`"));
  EXPECT_THAT(route("    kind: sync\n    steps:\n      - hang:\n"),
              HasSubstr("hang is an await: it needs an async route"));
  EXPECT_THAT(route("    steps:\n      - reset: now\n"), HasSubstr("reset takes no value"));
  EXPECT_THAT(route("    fail_rate: 0.1\n"), HasSubstr("fail_rate and fault go together"));
  EXPECT_THAT(route("    fault: {reset: null}\n"), HasSubstr("fail_rate and fault go together"));
  EXPECT_THAT(route("    fail_rate: 1.5\n    fault: {reset: null}\n"),
              HasSubstr("more than 0 and at most 1"));
  EXPECT_THAT(route("    fail_rate: 0.5\n    fault: {sleep: 1s}\n"),
              HasSubstr("a route's fault is abort, reset, hang, raise or fail, not sleep"));
}

TEST(RouteFile, ASequenceAnswersEachRequestInTurnAndRepeatsTheLast) {
  // (A sync one runs on an executor, which RunInline has not:
  // tests/integration/route_file_test.cc runs that one.)
  for (const char* kind : {"async"}) {
    App app = Load(absl::StrCat(R"(routes:
  - name: job
    path: /job
    kind: )",
                                kind, R"(
    sequence:
      - [{respond: {status: 202, body: {state: queued}}}]
      - [{raise: {status: 503, detail: busy}}]
      - [{respond: {body: {state: done}}}]
)"));
    std::vector<std::string> got;
    for (int i = 0; i < 5; ++i) {
      const Outcome outcome = Call(app, "GET", "/job");
      got.push_back(absl::StrCat(outcome.response.status_code, " ", outcome.response.body));
    }
    EXPECT_THAT(got, ElementsAre(R"(202 {"state":"queued"})", R"(503 {"detail":"busy"})",
                                 R"(200 {"state":"done"})", R"(200 {"state":"done"})",
                                 R"(200 {"state":"done"})"))
        << kind;
  }
  EXPECT_THAT(LoadError("routes:\n  - name: f\n    path: /f\n    steps: []\n    sequence: [[]]\n"),
              HasSubstr("give `steps` or `sequence`, not both"));
  EXPECT_THAT(LoadError("routes:\n  - name: f\n    path: /f\n    sequence: []\n"),
              HasSubstr("sequence is a list of step lists"));
  EXPECT_THAT(
      LoadError(
          "routes:\n  - name: f\n    path: /f\n    sequence: [[{respond: {}}, {sleep: 1s}]]\n"),
      HasSubstr("it must be the last step"));
}

}  // namespace
}  // namespace corouter::app
