// HTTP outcomes are ordinary responses with gRPC OK, byte for byte as FastAPI
// 0.92 answers them (shared/reference/fastapi-semantics.md sections 1-3);
// what is not an HTTP request at all is INVALID_ARGUMENT, and the server
// keeps serving everyone else.
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/app/engine.h"
#include "server/http/request_headers.h"
#include "server/http/request_target.h"
#include "tests/integration/seed_server.h"

namespace corouter::testing {
namespace {

using ::testing::HasSubstr;
namespace v1 = corouter::v1;

std::vector<std::pair<std::string, std::string>> Headers(const v1::HttpResponse& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : r.headers()) out.emplace_back(h.name(), h.value());
  return out;
}

TEST(HttpOutcomes, UnknownPathIsFastApis404) {
  SeedServer server(0.01);
  auto r = server.Execute("GET", "/nope");
  EXPECT_EQ(r.response().status_code(), 404);
  EXPECT_EQ(r.response().body(), R"({"detail":"Not Found"})");
  EXPECT_THAT(Headers(r.response()),
              ::testing::ElementsAre(
                  std::pair<std::string, std::string>{"content-length", "22"},
                  std::pair<std::string, std::string>{"content-type", "application/json"}));
  EXPECT_FALSE(r.has_route());
}

TEST(HttpOutcomes, WrongMethodIsFastApis405WithAllow) {
  SeedServer server(0.01);
  auto r = server.Execute("POST", "/hello");
  EXPECT_EQ(r.response().status_code(), 405);
  EXPECT_EQ(r.response().body(), R"({"detail":"Method Not Allowed"})");
  EXPECT_EQ(HeaderValue(r.response(), "allow"), "GET");
  EXPECT_EQ(HeaderValue(r.response(), "content-type"), "application/json");
  EXPECT_EQ(HeaderValue(r.response(), "content-length"), "31");
  // HEAD on a GET route is 405 too in FastAPI 0.92 (fastapi issue #1773).
  EXPECT_EQ(server.Execute("HEAD", "/hello").response().status_code(), 405);
  // Methods are case-sensitive: "get" is a token that matches no GET route.
  EXPECT_EQ(server.Execute("get", "/hello").response().status_code(), 405);
}

TEST(HttpOutcomes, BadPathParameterIsFastApis422) {
  SeedServer server(0.01);
  auto r = server.Execute("GET", "/slow_task/abc");
  EXPECT_EQ(r.response().status_code(), 422);
  EXPECT_EQ(
      r.response().body(),
      R"({"detail":[{"loc":["path","item_id"],"msg":"value is not a valid integer","type":"type_error.integer"}]})");
  EXPECT_EQ(HeaderValue(r.response(), "content-type"), "application/json");
  EXPECT_EQ(HeaderValue(r.response(), "content-length"),
            std::to_string(r.response().body().size()));
  // The route was chosen before validation failed: no fall-through.
  EXPECT_EQ(r.route().path_template(), "/slow_task/{item_id}");
}

TEST(HttpOutcomes, PathAndQueryFollowPythonsRules) {
  SeedServer server(0.01);
  // int(" 7") via %20, "+5", "5_000" and leading zeros are valid ints.
  EXPECT_EQ(server.Execute("GET", "/slow_task/%207").response().body(),
            R"({"item_id":7,"q":null})");
  EXPECT_EQ(server.Execute("GET", "/slow_task/+5?q=a+b").response().body(),
            R"({"item_id":5,"q":"a b"})");
  EXPECT_EQ(server.Execute("GET", "/slow_task/007?q=1&q=2").response().body(),
            R"({"item_id":7,"q":"2"})");  // last value wins
  EXPECT_EQ(server.Execute("GET", "/slow_task/1?q=").response().body(),
            R"({"item_id":1,"q":""})");  // an empty value is "", not None
  // A percent-encoded path is decoded before matching.
  EXPECT_EQ(server.Execute("GET", "/he%6Clo").response().status_code(), 200);
  // %2F decodes to '/' and splits the segment.
  EXPECT_EQ(server.Execute("GET", "/slow_task/1%2F2").response().status_code(), 404);
}

TEST(HttpOutcomes, MissingOrExtraTrailingSlashIsStarlettesRedirect) {
  // redirect_slashes (fastapi-semantics.md section 3): /fast_task/ is the
  // seed route, so /fast_task answers 307 to it, and /hello/ to /hello.
  SeedServer server(0.01);
  for (const auto& [target, location] : std::vector<std::pair<std::string, std::string>>{
           {"/fast_task", "http://seed.test:8000/fast_task/"},
           {"/hello/?x=1", "http://seed.test:8000/hello?x=1"}}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
    v1::ExecuteRequest request;
    request.mutable_request()->set_method("GET");
    request.mutable_request()->set_target(target);
    auto* host = request.mutable_request()->add_headers();
    host->set_name("host");
    host->set_value("seed.test:8000");
    v1::ExecuteResponse response;
    ASSERT_TRUE(server.stub().Execute(&ctx, request, &response).ok());
    EXPECT_EQ(response.response().status_code(), 307) << target;
    EXPECT_EQ(response.response().body(), "");
    EXPECT_THAT(Headers(response.response()),
                ::testing::ElementsAre(std::pair<std::string, std::string>{"content-length", "0"},
                                       std::pair<std::string, std::string>{"location", location}));
    EXPECT_FALSE(response.has_route());
  }
  // /slow_task/ has no route of its own and /slow_task/{item_id} needs an id.
  EXPECT_EQ(server.Execute("GET", "/slow_task/").response().status_code(), 404);
}

TEST(HttpOutcomes, RequestsThatAreNotHttpAreInvalidArgumentAndTheServerGoesOn) {
  SeedServer server(0.01);
  grpc::Status status;
  server.Execute("", "/hello", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.method"));

  server.Execute("GE T", "/hello", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.method"));

  server.Execute("GET", "hello", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.target"));

  server.Execute("GET", "", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.target"));

  // The traced RPC refuses the same way.
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ExecuteTracedRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target("no-slash");
  auto reader = server.stub().ExecuteTraced(&ctx, request);
  v1::ExecuteTracedResponse ignored;
  EXPECT_FALSE(reader->Read(&ignored));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  auto ok = server.Execute("GET", "/hello", &status);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(ok.response().body(), R"({"message":"Hello"})");
}

// rpc Execute of GET /hello with `headers`; the gRPC status through `status`.
v1::ExecuteResponse ExecuteWithHeaders(
    TestServer& server, const std::vector<std::pair<std::string, std::string>>& headers,
    grpc::Status* status) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ExecuteRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target("/hello");
  for (const auto& [name, value] : headers) {
    auto* header = request.mutable_request()->add_headers();
    header->set_name(name);
    header->set_value(value);
  }
  v1::ExecuteResponse response;
  *status = server.stub().Execute(&ctx, request, &response);
  return response;
}

TEST(HttpOutcomes, HeaderFieldsHttpForbidsAreInvalidArgumentAndTheServerGoesOn) {
  SeedServer server(0.01);
  grpc::Status status;
  // A name that is not a token (RFC 9110 5.1), named by its index.
  ExecuteWithHeaders(server, {{"host", "seed.test"}, {"x:y", "1"}}, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "request.headers[1].name \"x:y\" is not an HTTP field name token (RFC 9110 5.1)");
  ExecuteWithHeaders(server, {{"", "1"}}, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.headers[0].name \"\""));

  // CR LF in a value (RFC 9110 5.5): no header injection.
  ExecuteWithHeaders(server, {{"x-a", "1\r\nset-cookie: evil=1"}}, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "request.headers[0].value has CR (0x0D) at byte 1; a field value must not contain CR, "
            "LF or NUL (RFC 9110 5.5)");
  ExecuteWithHeaders(server, {{"x-a", std::string("a\0b", 3)}}, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.headers[0].value has NUL"));

  // The stated limits.
  ExecuteWithHeaders(server,
                     std::vector<std::pair<std::string, std::string>>(
                         http::kMaxRequestHeaderFields + 1, {"x-n", "1"}),
                     &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.headers has 101 fields"));
  ExecuteWithHeaders(server, {{"x-big", std::string(http::kMaxRequestHeaderBytes, 'v')}}, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.headers take"));

  // The traced RPC refuses the same way, before any event.
  std::vector<v1::TraceEvent> events = server.Traced("GET", "/hello", &status, {{"x y", "1"}});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.headers[0].name \"x y\""));
  EXPECT_TRUE(events.empty());
  events = server.Traced("GET", "/hello", &status, {{"x-a", "1\nx-b: 2"}});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request.headers[0].value has LF (0x0A)"));
  EXPECT_TRUE(events.empty());

  // And the next valid request, headers and all, is served.
  auto ok = ExecuteWithHeaders(server, {{"host", "seed.test"}, {"x-ok", " caf\xc3\xa9\tand \x01 "}},
                               &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(ok.response().status_code(), 200);
  EXPECT_EQ(ok.response().body(), R"({"message":"Hello"})");
  events = server.Traced("GET", "/hello", &status, {{"x-ok", "1"}});
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(events.empty());
}

// rpc Execute of POST `target` with `body`; the gRPC status through `status`.
v1::ExecuteResponse ExecuteWithBody(TestServer& server, const std::string& target,
                                    std::string body, grpc::Status* status) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ExecuteRequest request;
  request.mutable_request()->set_method("POST");
  request.mutable_request()->set_target(target);
  request.mutable_request()->set_body(std::move(body));
  v1::ExecuteResponse response;
  *status = server.stub().Execute(&ctx, request, &response);
  return response;
}

TEST(HttpOutcomes, BodyAndTargetLimitsAreClearErrorsAndTheServerGoesOn) {
  grpc_front::ServerOptions options;
  options.limits.max_body_bytes = 1000;
  SeedServer server(0.01, options);
  grpc::Status status;
  // At the limit: an HTTP answer (POST on a GET route is FastAPI's 405).
  auto at_limit = ExecuteWithBody(server, "/hello", std::string(1000, 'b'), &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(at_limit.response().status_code(), 405);
  // One byte over: refused before routing, naming the flag.
  ExecuteWithBody(server, "/hello", std::string(1001, 'b'), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(),
            "request.body is 1001 bytes; this server accepts at most 1000 (--max-body-size)");
  // Far over everything: gRPC's own receive limit refuses the message.
  ExecuteWithBody(server, "/hello",
                  std::string(static_cast<size_t>(app::GrpcReceiveLimit(options.limits)) + 1, 'b'),
                  &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("larger than max"));

  // A target at the limit is routed; one byte longer is refused.
  std::string target = "/hello?q=";
  target.resize(http::kMaxRequestTargetBytes, 'q');
  auto long_target = server.Execute("GET", target, &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(long_target.response().status_code(), 200);
  server.Execute("GET", target + "q", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "request.target is 16385 bytes; at most 16384 are accepted (the request-head limit "
            "uvicorn runs h11 with)");

  // And the next request is served.
  auto ok = server.Execute("GET", "/hello", &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(ok.response().body(), R"({"message":"Hello"})");
}

TEST(HttpOutcomes, RequestIdIsKeptWhenGivenAndAssignedUniquelyOtherwise) {
  SeedServer server(0.01);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  v1::ExecuteRequest request;
  request.mutable_request()->set_method("GET");
  request.mutable_request()->set_target("/ping");
  request.set_request_id("my-id");
  v1::ExecuteResponse response;
  ASSERT_TRUE(server.stub().Execute(&ctx, request, &response).ok());
  EXPECT_EQ(response.request_id(), "my-id");
  auto a = server.Execute("GET", "/ping").request_id();
  auto b = server.Execute("GET", "/ping").request_id();
  EXPECT_FALSE(a.empty());
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace corouter::testing
