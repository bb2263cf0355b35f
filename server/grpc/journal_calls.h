// server/grpc/journal_calls.h
//
// The calls of `service JournalService` (proto/corouter/v1/execution.proto),
// over the server's journal (journal/journal.h):
//  - ListRequests, CountRequests, ClearRequests: answered on the loop at
//    once (JournalUnaryCall, one template for the three);
//  - WaitForRequestsCall: counts the matching entries already there, then
//    looks at each new entry as it is recorded, every kWaitPoll, on the
//    loop (a timer, never a blocked thread), until `count` matched (OK, with
//    the entries) or `timeout_nanos` passed (DEADLINE_EXCEEDED saying how
//    many matched), or the client cancelled.
// Every call first checks the token (--auth-token-file), then that the
// journal is on (--journal > 0: else FAILED_PRECONDITION), then the filter
// (INVALID_ARGUMENT naming the field: journal/request_filter.h).
//
// Thread safety: loop thread only (the journal itself is thread-safe).
#ifndef COROUTER_SERVER_GRPC_JOURNAL_CALLS_H_
#define COROUTER_SERVER_GRPC_JOURNAL_CALLS_H_

#include <chrono>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "corouter/v1/execution.grpc.pb.h"
#include "grpcpp/support/async_unary_call.h"
#include "server/grpc/call_base.h"
#include "server/journal/journal.h"
#include "server/journal/request_filter.h"
#include "server/loop/task.h"

namespace corouter::grpc_front {

/// How often WaitForRequests looks for new entries.
inline constexpr std::chrono::milliseconds kWaitPoll{2};
/// The longest WaitForRequests timeout.
inline constexpr std::chrono::minutes kMaxWait{10};

/// The journal and the call's filter, once the token and --journal were
/// checked (see above for the errors).
absl::StatusOr<journal::RequestFilter> CheckJournalCall(absl::Status authenticated,
                                                        const ServerShared& shared,
                                                        const corouter::v1::RequestFilter& filter);

/// The answers of the unary calls, from the journal and the call's filter.
void AnswerList(journal::Journal& journal, const journal::RequestFilter& filter,
                const corouter::v1::ListRequestsRequest& request,
                corouter::v1::ListRequestsResponse* reply);
void AnswerCount(journal::Journal& journal, const journal::RequestFilter& filter,
                 const corouter::v1::CountRequestsRequest& request,
                 corouter::v1::CountRequestsResponse* reply);
void AnswerClear(journal::Journal& journal, const journal::RequestFilter& filter,
                 const corouter::v1::ClearRequestsRequest& request,
                 corouter::v1::ClearRequestsResponse* reply);

/// One unary JournalService call of `RequestMessage` and `Reply`: requested with
/// the AsyncService's `RequestMethod` (RequestListRequests...), answered
/// by `Answer`.
template <typename RequestMessage, typename Reply, auto RequestMethod, auto Answer>
class JournalUnaryCall final : public CallBase {
 public:
  static void Request(LoopServices& services) {
    auto* call = new JournalUnaryCall(services);
    call->ArmDoneNotification();
    (services.journal_service->*RequestMethod)(&call->ctx_, &call->request_, &call->responder_,
                                               services.cq, services.cq, call->arrived_op_.tag());
  }

 private:
  explicit JournalUnaryCall(LoopServices& services) : CallBase(services) {}

  void OnArrived(bool ok) {
    if (!Arrived(ok)) return;
    Request(services_);
    absl::StatusOr<journal::RequestFilter> filter =
        CheckJournalCall(Authenticate(), *services_.shared, request_.filter());
    if (!filter.ok()) {
      responder_.FinishWithError(ToGrpcStatus(filter.status()), finish_tag());
      return;
    }
    Answer(*services_.shared->journal, *filter, request_, &reply_);
    responder_.Finish(reply_, grpc::Status::OK, finish_tag());
  }

  RequestMessage request_;
  Reply reply_;
  grpc::ServerAsyncResponseWriter<Reply> responder_{&ctx_};
  loop::MemberOperation<JournalUnaryCall, &JournalUnaryCall::OnArrived> arrived_op_{this};
};

using JournalAsync = corouter::v1::JournalService::AsyncService;
using ListRequestsCall =
    JournalUnaryCall<corouter::v1::ListRequestsRequest, corouter::v1::ListRequestsResponse,
                     &JournalAsync::RequestListRequests, &AnswerList>;
using CountRequestsCall =
    JournalUnaryCall<corouter::v1::CountRequestsRequest, corouter::v1::CountRequestsResponse,
                     &JournalAsync::RequestCountRequests, &AnswerCount>;
using ClearRequestsCall =
    JournalUnaryCall<corouter::v1::ClearRequestsRequest, corouter::v1::ClearRequestsResponse,
                     &JournalAsync::RequestClearRequests, &AnswerClear>;

class WaitForRequestsCall final : public CallBase {
 public:
  static void Request(LoopServices& services);

 private:
  explicit WaitForRequestsCall(LoopServices& services) : CallBase(services) {}

  void OnArrived(bool ok);
  loop::Task<void> Run(journal::RequestFilter filter, std::chrono::nanoseconds timeout);

  corouter::v1::WaitForRequestsRequest request_;
  corouter::v1::WaitForRequestsResponse reply_;
  grpc::ServerAsyncResponseWriter<corouter::v1::WaitForRequestsResponse> responder_{&ctx_};
  loop::MemberOperation<WaitForRequestsCall, &WaitForRequestsCall::OnArrived> arrived_op_{this};
};

}  // namespace corouter::grpc_front

#endif  // COROUTER_SERVER_GRPC_JOURNAL_CALLS_H_
