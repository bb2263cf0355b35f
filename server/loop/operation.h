// server/loop/operation.h
//
// Typed completion-queue tags. Every tag corouter hands to a gRPC completion
// queue points to an Operation: a base with one completion function, called on
// the loop thread with gRPC's `ok` flag. One hook, not a `this` per state
// machine with a switch (shared/design/architecture.md, decision 3).
#ifndef COROUTER_SERVER_LOOP_OPERATION_H_
#define COROUTER_SERVER_LOOP_OPERATION_H_

namespace corouter::loop {

class Operation {
 public:
  using CompleteFn = void (*)(Operation* self, bool ok);

  explicit Operation(CompleteFn complete) : complete_(complete) {}

  /// The tag to give gRPC.
  void* tag() { return this; }

  /// Runs the completion. Called by the event loop for the tag it dequeued.
  static void Complete(void* tag, bool ok) {
    auto* op = static_cast<Operation*>(tag);
    op->complete_(op, ok);
  }

 private:
  CompleteFn complete_;
};

/// An Operation that calls a member function of its owner: a call object
/// holds one per kind of completion it waits for.
template <typename Owner, void (Owner::*Method)(bool ok)>
class MemberOperation : public Operation {
 public:
  explicit MemberOperation(Owner* owner)
      : Operation([](Operation* self, bool ok) {
          auto* op = static_cast<MemberOperation*>(self);
          (op->owner_->*Method)(ok);
        }),
        owner_(owner) {}

 private:
  Owner* owner_;
};

}  // namespace corouter::loop

#endif  // COROUTER_SERVER_LOOP_OPERATION_H_
