#include "server/grpc/journal_calls.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/loop/sleep.h"
#include "server/loop/spawn.h"

namespace corouter::grpc_front {

absl::StatusOr<journal::RequestFilter> CheckJournalCall(absl::Status authenticated,
                                                        const ServerShared& shared,
                                                        const corouter::v1::RequestFilter& filter) {
  if (!authenticated.ok()) return authenticated;
  if (shared.journal == nullptr) {
    return absl::FailedPreconditionError(
        "the request journal is off (corouter-server --journal 0): start the server with "
        "--journal N to keep the last N requests");
  }
  return journal::RequestFilter::Create(filter);
}

void AnswerList(journal::Journal& journal, const journal::RequestFilter& filter,
                const corouter::v1::ListRequestsRequest& request,
                corouter::v1::ListRequestsResponse* reply) {
  for (corouter::v1::JournalEntry& entry : journal.List(filter, request.limit())) {
    *reply->add_entries() = std::move(entry);
  }
  reply->set_evicted(journal.evicted());
}

void AnswerCount(journal::Journal& journal, const journal::RequestFilter& filter,
                 const corouter::v1::CountRequestsRequest& /*request*/,
                 corouter::v1::CountRequestsResponse* reply) {
  reply->set_count(journal.Count(filter));
}

void AnswerClear(journal::Journal& journal, const journal::RequestFilter& filter,
                 const corouter::v1::ClearRequestsRequest& /*request*/,
                 corouter::v1::ClearRequestsResponse* reply) {
  reply->set_cleared(journal.Clear(filter));
}

void WaitForRequestsCall::Request(LoopServices& services) {
  auto* call = new WaitForRequestsCall(services);
  call->ArmDoneNotification();
  services.journal_service->RequestWaitForRequests(&call->ctx_, &call->request_, &call->responder_,
                                                   services.cq, services.cq,
                                                   call->arrived_op_.tag());
}

void WaitForRequestsCall::OnArrived(bool ok) {
  if (!Arrived(ok)) return;
  Request(services_);
  absl::StatusOr<journal::RequestFilter> filter =
      CheckJournalCall(Authenticate(), *services_.shared, request_.filter());
  absl::Status status = filter.status();
  const std::chrono::nanoseconds timeout(request_.timeout_nanos());
  if (status.ok() && request_.count() == 0) {
    status = absl::InvalidArgumentError("count must be at least 1");
  }
  if (status.ok() && (timeout <= std::chrono::nanoseconds::zero() || timeout > kMaxWait)) {
    status = absl::InvalidArgumentError(
        absl::StrCat("timeout_nanos must be more than 0 and at most 10 minutes, not ",
                     request_.timeout_nanos()));
  }
  if (!status.ok()) {
    responder_.FinishWithError(ToGrpcStatus(status), finish_tag());
    return;
  }
  context_ = loop::TaskContext(services_.loop, services_.executor, /*trace=*/nullptr);
  loop::Spawn(&context_, Run(*std::move(filter), timeout));
}

loop::Task<void> WaitForRequestsCall::Run(journal::RequestFilter filter,
                                          std::chrono::nanoseconds timeout) {
  const journal::Journal& journal = *services_.shared->journal;
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  std::vector<corouter::v1::JournalEntry> seen;
  uint64_t after = journal.CollectAfter(filter, 0, &seen);
  try {
    while (seen.size() < request_.count() && std::chrono::steady_clock::now() < give_up) {
      co_await loop::Sleep(kWaitPoll);
      after = journal.CollectAfter(filter, after, &seen);
    }
  } catch (const loop::CancelledError& e) {
    // The client cancelled, its deadline passed, or the server shut down.
    responder_.FinishWithError(grpc::Status(grpc::StatusCode::CANCELLED, e.what()), finish_tag());
    co_return;
  }
  if (seen.size() < request_.count()) {
    responder_.FinishWithError(
        grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                     absl::StrCat(seen.size(), " of the ", request_.count(),
                                  " matching requests waited for came within ",
                                  absl::FormatDuration(absl::FromChrono(timeout)))),
        finish_tag());
    co_return;
  }
  for (corouter::v1::JournalEntry& entry : seen) *reply_.add_entries() = std::move(entry);
  responder_.Finish(reply_, grpc::Status::OK, finish_tag());
}

}  // namespace corouter::grpc_front
