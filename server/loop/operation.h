// server/loop/operation.h
//
// Typed completion-queue tags. Every tag corouter hands to a gRPC completion
// queue points to an Operation: a base with one completion function, called on
// the loop thread with gRPC's `ok` flag. One hook, not a `this` per state
// machine with a switch (shared/design/architecture.md, decision 3).
//
// Under ThreadSanitizer, tag() and Complete() also state the happens-before
// edge that gRPC's completion queue provides but TSan cannot see in Debian's
// uninstrumented gRPC (server/sync/tsan.h): what a thread did before it took
// a tag to hand to gRPC happens before the completion that tag brings back,
// on whichever thread runs it (the doorbell Alarm set by another thread's
// Post, for one).
//
// Thread safety: tag() may be called on any thread; Complete() runs on the
// thread that dequeued the tag.
#ifndef COROUTER_SERVER_LOOP_OPERATION_H_
#define COROUTER_SERVER_LOOP_OPERATION_H_

#include "server/sync/tsan.h"

namespace corouter::loop {

class Operation {
 public:
  using CompleteFn = void (*)(Operation* self, bool ok);

  explicit Operation(CompleteFn complete) : complete_(complete) {}

  /// The tag to give gRPC. Take it just before the hand-off: what this thread
  /// did until now happens before the completion (TSan's view included).
  void* tag() {
    sync::TsanRelease(this);
    return this;
  }

  /// Runs the completion. Called by the event loop for the tag it dequeued.
  static void Complete(void* tag, bool ok) {
    sync::TsanAcquire(tag);
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
