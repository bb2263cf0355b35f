// server/app/call_fault.h
//
// CallFault: a route file's fault (issue 9: faults for testing clients),
// thrown by the step and caught by the Engine, which ends the request
// without an HTTP response (Outcome::fault): the gRPC front then ends the
// call itself
//  - kAbort: with the gRPC status `code` and `message`
//    (`abort: {code: UNAVAILABLE, message: ...}`), as a failing backend or
//    proxy would;
//  - kReset: by cancelling the stream (HTTP/2 RST_STREAM): the client sees
//    CANCELLED, as when a connection drops mid-call.
// (`hang` needs no exception: it is a sleep that only a deadline or a
// cancel ends.)
//
// Thread safety: a value type.
#ifndef COROUTER_SERVER_APP_CALL_FAULT_H_
#define COROUTER_SERVER_APP_CALL_FAULT_H_

#include <exception>
#include <string>
#include <utility>

namespace corouter::app {

class CallFault : public std::exception {
 public:
  enum class Kind { kAbort, kReset };

  /// Ends the call with gRPC status `code` (1..16, grpc::StatusCode's
  /// numbers) and `message`.
  static CallFault Abort(int code, std::string message) {
    return CallFault(Kind::kAbort, code, std::move(message));
  }
  /// Cancels the stream (the client sees CANCELLED).
  static CallFault Reset() { return CallFault(Kind::kReset, 1, "the route reset the stream"); }

  Kind kind() const { return kind_; }
  int code() const { return code_; }
  const std::string& message() const { return message_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  CallFault(Kind kind, int code, std::string message)
      : kind_(kind), code_(code), message_(std::move(message)) {}

  Kind kind_;
  int code_;
  std::string message_;
};

}  // namespace corouter::app

#endif  // COROUTER_SERVER_APP_CALL_FAULT_H_
