// Tests of `corouter call` and `corouter routes` (client/call_command.h,
// client/routes_command.h) against an in-process fake ExecutionService served
// on a loopback port: concurrency over one channel, output shapes, errors,
// deadlines and exit codes.
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "client/call_command.h"
#include "client/exit_code.h"
#include "client/request_spec.h"
#include "client/routes_command.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace corouter::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::uint64_t kT0 = 1704067200ULL * 1000 * 1000 * 1000;
constexpr std::uint64_t kMillis = 1000 * 1000;

corouter::v1::HttpResponse TextResponse(int status, std::string body) {
  corouter::v1::HttpResponse response;
  response.set_status_code(status);
  corouter::v1::HttpHeader* header = response.add_headers();
  header->set_name("content-type");
  header->set_value("text/plain");
  response.set_body(std::move(body));
  return response;
}

// Answers by request target:
//   /fast  200 "fast" at once
//   /slow  200 "slow" 200 ms after /fast has been answered (at most 5 s later)
//   /hang  never answers; returns when the call is cancelled
//   /echo  200 with the request's headers and body echoed in the body
//   /no-response  (traced) ends the stream OK without STEP_RESPONSE_SENT
//   other targets not starting with '/': INVALID_ARGUMENT
class FakeExecutionService final : public corouter::v1::ExecutionService::Service {
 public:
  grpc::Status Execute(grpc::ServerContext* context, const corouter::v1::ExecuteRequest* request,
                       corouter::v1::ExecuteResponse* reply) override {
    RecordPeer(*context);
    const std::string& target = request->request().target();
    RecordArrival(target);
    if (target.empty() || target[0] != '/') {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "target must start with '/'");
    }
    if (target == "/hang") return WaitForCancel(*context);
    if (target == "/slow") WaitForFast();
    if (target == "/echo") {
      std::string echo;
      for (const auto& header : request->request().headers()) {
        absl::StrAppend(&echo, header.name(), "=", header.value(), ";");
      }
      absl::StrAppend(&echo, "body=", request->request().body());
      *reply->mutable_response() = TextResponse(200, echo);
      return grpc::Status::OK;
    }
    *reply->mutable_response() = TextResponse(200, target.substr(1));
    if (target == "/fast") fast_done_.set_value();
    return grpc::Status::OK;
  }

  grpc::Status ExecuteTraced(
      grpc::ServerContext* context, const corouter::v1::ExecuteTracedRequest* request,
      grpc::ServerWriter<corouter::v1::ExecuteTracedResponse>* writer) override {
    RecordPeer(*context);
    const corouter::v1::HttpRequest& http = request->request();
    RecordArrival(http.target());
    const std::uint64_t offset = http.target() == "/slow" ? 1 : 0;
    Write(writer, corouter::v1::STEP_RECEIVED, kT0 + offset * kMillis,
          absl::StrCat(http.method(), " ", http.target()));
    if (http.target() == "/hang") return WaitForCancel(*context);
    if (http.target() == "/no-response") return grpc::Status::OK;
    if (http.target() == "/slow") {
      Write(writer, corouter::v1::STEP_AWAIT_STARTED, kT0 + 1 * kMillis, "sleep(0.25s)");
      WaitForFast();
    }
    corouter::v1::ExecuteTracedResponse message;
    corouter::v1::TraceEvent* event = message.add_events();
    event->set_step(corouter::v1::STEP_RESPONSE_SENT);
    const std::uint64_t end = http.target() == "/slow" ? 251 : 2;
    event->set_time_unix_nano(kT0 + end * kMillis);
    event->set_elapsed_nanos(static_cast<std::int64_t>((end - offset) * kMillis));
    *event->mutable_response() = TextResponse(200, http.target().substr(1));
    writer->Write(message);
    if (http.target() == "/fast") fast_done_.set_value();
    return grpc::Status::OK;
  }

  grpc::Status ListRoutes(grpc::ServerContext* context, const corouter::v1::ListRoutesRequest*,
                          corouter::v1::ListRoutesResponse* reply) override {
    RecordPeer(*context);
    corouter::v1::Route* route = reply->add_routes();
    route->add_methods("GET");
    route->set_path_template("/fast_task/");
    route->set_endpoint("read_root");
    route->set_is_async(true);
    return grpc::Status::OK;
  }

  std::set<std::string> Peers() {
    std::lock_guard<std::mutex> lock(mu_);
    return peers_;
  }

  // The targets of the calls, in the order the server got them.
  std::vector<std::string> Arrivals() {
    std::lock_guard<std::mutex> lock(mu_);
    return arrivals_;
  }

 private:
  static void Write(grpc::ServerWriter<corouter::v1::ExecuteTracedResponse>* writer,
                    corouter::v1::Step step, std::uint64_t time_unix_nano, std::string detail) {
    corouter::v1::ExecuteTracedResponse message;
    corouter::v1::TraceEvent* event = message.add_events();
    event->set_step(step);
    event->set_time_unix_nano(time_unix_nano);
    event->set_detail(std::move(detail));
    event->set_thread("loop-0");
    writer->Write(message);
  }

  static grpc::Status WaitForCancel(grpc::ServerContext& context) {
    while (!context.IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
  }

  // Returns 200 ms after /fast was answered (so its reply reaches the client
  // first), or after 5 s if it never is.
  void WaitForFast() {
    fast_done_future_.wait_for(std::chrono::seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  void RecordPeer(const grpc::ServerContext& context) {
    std::lock_guard<std::mutex> lock(mu_);
    peers_.insert(context.peer());
  }

  void RecordArrival(const std::string& target) {
    std::lock_guard<std::mutex> lock(mu_);
    arrivals_.push_back(target);
  }

  std::promise<void> fast_done_;
  std::shared_future<void> fast_done_future_ = fast_done_.get_future().share();
  std::mutex mu_;
  std::set<std::string> peers_;
  std::vector<std::string> arrivals_;
};

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

  std::string Address() const { return absl::StrCat("127.0.0.1:", port_); }

  CallOptions Options(std::vector<std::string> arguments, bool trace,
                      std::vector<std::string> headers = {}, std::string body = "") {
    CallOptions options;
    options.connection.server = Address();
    options.connection.timeout = absl::Seconds(10);
    options.requests = *BuildRequests(arguments, headers, body);
    options.trace = trace;
    return options;
  }

  int Call(const CallOptions& options) { return RunCall(options, out_, err_); }

  FakeExecutionService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CommandTest, OneRequestPrintsItsResponseWithoutALabel) {
  EXPECT_EQ(Call(Options({"GET", "/fast"}, false)), kExitOk);
  EXPECT_EQ(out_.str(), "HTTP 200\ncontent-type: text/plain\n\nfast\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandTest, SeveralRequestsRunConcurrentlyOverOneConnectionAndPrintAsTheyComplete) {
  // /slow only answers after /fast did: run one after the other, A would
  // wait 5 s and print first.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Call(Options({"GET", "/slow", "GET", "/fast"}, false)), kExitOk);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_EQ(out_.str(),
            "[B] GET /fast\nHTTP 200\ncontent-type: text/plain\n\nfast\n"
            "\n"
            "[A] GET /slow\nHTTP 200\ncontent-type: text/plain\n\nslow\n");
  EXPECT_EQ(service_.Peers().size(), 1u);
}

TEST_F(CommandTest, SendsTheHeadersAndBodyWithEveryRequest) {
  EXPECT_EQ(Call(Options({"POST", "/echo", "PUT", "/echo"}, false, {"x-a: 1", "x-b: two"}, "hi")),
            kExitOk);
  const std::string echoed = "x-a=1;x-b=two;body=hi\n";
  EXPECT_THAT(out_.str(),
              HasSubstr("[A] POST /echo\nHTTP 200\ncontent-type: text/plain\n\n" + echoed));
  EXPECT_THAT(out_.str(),
              HasSubstr("[B] PUT /echo\nHTTP 200\ncontent-type: text/plain\n\n" + echoed));
}

TEST_F(CommandTest, AGrpcErrorIsOneLineOnStderrAndExitsOne) {
  EXPECT_EQ(Call(Options({"GET", "x"}, false)), kExitRpcFailure);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "corouter: [A] GET x: INVALID_ARGUMENT: target must start with '/'\n");
}

TEST_F(CommandTest, OneFailedRequestDoesNotHideTheOthers) {
  EXPECT_EQ(Call(Options({"GET", "x", "GET", "/fast"}, false)), kExitRpcFailure);
  EXPECT_EQ(out_.str(), "[B] GET /fast\nHTTP 200\ncontent-type: text/plain\n\nfast\n");
  EXPECT_EQ(err_.str(), "corouter: [A] GET x: INVALID_ARGUMENT: target must start with '/'\n");
}

TEST_F(CommandTest, TheDeadlineBoundsACallThatNeverAnswers) {
  CallOptions options = Options({"GET", "/hang"}, false);
  options.connection.timeout = absl::Milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Call(options), kExitRpcFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_THAT(err_.str(),
              StartsWith("corouter: [A] GET /hang: DEADLINE_EXCEEDED: no response within 200ms"));
}

TEST_F(CommandTest, AnUnreachableServerIsReportedOnceForAllRequests) {
  CallOptions options = Options({"GET", "/a", "GET", "/b", "GET", "/c"}, false);
  options.connection.server = "127.0.0.1:1";
  EXPECT_EQ(Call(options), kExitRpcFailure);
  EXPECT_EQ(out_.str(), "");
  EXPECT_THAT(err_.str(), StartsWith("corouter: cannot reach server 127.0.0.1:1: "));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(err_.str(), '\n')).size(), 2u) << err_.str();
}

TEST_F(CommandTest, TracedCallPrintsTheTableThenASummary) {
  EXPECT_EQ(Call(Options({"GET", "/fast"}, true)), kExitOk);
  EXPECT_EQ(out_.str(),
            "Step  Time      Req  Action                                                Awaited?  "
            "State                                 Response\n"
            "----  --------  ---  ----------------------------------------------------  --------  "
            "------------------------------------  --------\n"
            "1     0.000s    A    Client sends GET /fast                                No        "
            "Received on loop 0                    -\n"
            "2     0.002s    A    Send response                                         No        "
            "Request complete                      200 fast\n"
            "\n"
            "[A] 200 fast (0.002s)\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandTest, TracedRequestsInterleaveRowsByArrival) {
  EXPECT_EQ(Call(Options({"GET", "/slow", "GET", "/fast"}, true)), kExitOk);
  std::vector<std::string> lines = absl::StrSplit(out_.str(), '\n');
  // Both requests are received (in either order) before A, which waits for
  // B's response, sends its own.
  ASSERT_EQ(lines.size(), 2u + 5u + 1u + 2u + 1u) << out_.str();
  EXPECT_THAT(lines[6], StartsWith("5     0.25"));
  EXPECT_THAT(lines[6], HasSubstr("A    Send response"));
  EXPECT_THAT(lines[6], HasSubstr("200 slow"));
  std::vector<std::string> summaries(lines.begin() + 8, lines.end());
  EXPECT_THAT(summaries, ElementsAre("[A] 200 slow (0.250s)", "[B] 200 fast (0.002s)", ""));
}

TEST_F(CommandTest, ATraceThatEndsWithoutAResponseIsAFailure) {
  EXPECT_EQ(Call(Options({"GET", "/no-response"}, true)), kExitRpcFailure);
  EXPECT_EQ(err_.str(),
            "corouter: [A] GET /no-response: the trace ended without an HTTP response\n");
  EXPECT_THAT(out_.str(), HasSubstr("\n[A] no response (trace ended early)\n"));
}

TEST_F(CommandTest, TracedDeadlineKeepsTheRowsAlreadyPrinted) {
  CallOptions options = Options({"GET", "/hang"}, true);
  // Long enough for the first row to arrive on a loaded machine.
  options.connection.timeout = absl::Milliseconds(1000);
  EXPECT_EQ(Call(options), kExitRpcFailure);
  EXPECT_THAT(out_.str(), HasSubstr("Client sends GET /hang"));
  EXPECT_THAT(out_.str(), HasSubstr("[A] no response (DEADLINE_EXCEEDED)\n"));
  EXPECT_THAT(err_.str(), StartsWith("corouter: [A] GET /hang: DEADLINE_EXCEEDED"));
}

// --stagger: each request is sent 100 ms after the previous one was sent,
// not answered: A (/slow) answers only after B (/fast) did, so waiting for
// A's answer would take over 5 s.
TEST_F(CommandTest, StaggerSendsInArgumentOrderWithoutWaitingForAnswers) {
  CallOptions options = Options({"GET", "/slow", "GET", "/fast", "GET", "/echo"}, false);
  options.stagger = {absl::Milliseconds(100)};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Call(options), kExitOk);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(200)) << "two gaps of 100 ms";
  EXPECT_LT(took, std::chrono::seconds(4));
  EXPECT_THAT(service_.Arrivals(), ElementsAre("/slow", "/fast", "/echo"));
}

// A list of gaps: one per pair of requests, the last repeating.
TEST_F(CommandTest, StaggerTakesOneGapPerPair) {
  CallOptions options = Options({"GET", "/a", "GET", "/b", "GET", "/c", "GET", "/d"}, false);
  options.stagger = {absl::Milliseconds(10), absl::Milliseconds(300)};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Call(options), kExitOk);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(610)) << "10 ms, then 300 ms twice";
  EXPECT_THAT(service_.Arrivals(), ElementsAre("/a", "/b", "/c", "/d"));
}

TEST_F(CommandTest, StaggerSendsTracedRequestsInArgumentOrder) {
  CallOptions options = Options({"GET", "/slow", "GET", "/fast"}, true);
  options.stagger = {absl::Milliseconds(100)};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Call(options), kExitOk);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_THAT(service_.Arrivals(), ElementsAre("/slow", "/fast"));
}

TEST_F(CommandTest, StaggerAgainstAnUnreachableServerStillEndsPromptly) {
  CallOptions options = Options({"GET", "/a", "GET", "/b"}, false);
  options.connection.server = "127.0.0.1:1";
  options.stagger = {absl::Milliseconds(10)};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Call(options), kExitRpcFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_THAT(err_.str(), StartsWith("corouter: cannot reach server 127.0.0.1:1: "));
}

TEST_F(CommandTest, TrackerPrintsTheVariableTrackerBetweenTheTableAndTheSummaries) {
  CallOptions options = Options({"GET", "/fast"}, true);
  options.tracker = true;
  EXPECT_EQ(Call(options), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("Request complete                      200 fast\n"
                                    "\n"
                                    "Variable Tracker\n"
                                    "Variable   Start        Final\n"
                                    "---------  -----------  --------------------\n"
                                    "GET /fast  Not started  No handler ran (200)\n"
                                    "\n"
                                    "[A] 200 fast (0.002s)\n"));
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandTest, RoutesPrintsTheRouteTable) {
  ConnectionOptions options;
  options.server = Address();
  EXPECT_EQ(RunRoutes(options, out_, err_), kExitOk);
  EXPECT_EQ(out_.str(),
            "METHODS  PATH         ENDPOINT   KIND   PARAMETERS\n"
            "-------  -----------  ---------  -----  ----------\n"
            "GET      /fast_task/  read_root  async\n");
}

TEST_F(CommandTest, RoutesReportsAnUnreachableServer) {
  ConnectionOptions options;
  options.server = "127.0.0.1:1";
  options.timeout = absl::Seconds(5);
  EXPECT_EQ(RunRoutes(options, out_, err_), kExitRpcFailure);
  EXPECT_THAT(err_.str(), StartsWith("corouter: cannot reach server 127.0.0.1:1: "));
}

}  // namespace
}  // namespace corouter::client
