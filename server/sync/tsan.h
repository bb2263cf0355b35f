// server/sync/tsan.h
//
// Happens-before edges that ThreadSanitizer cannot see by itself.
//
// A completion-queue tag (loop::Operation) is handed to gRPC on one thread
// and comes back from CompletionQueue::AsyncNext, maybe on another. gRPC
// orders the two with its own locks and atomics, but Debian's gRPC is not
// built with -fsanitize=thread, so TSan does not see that order: without an
// annotation, whatever the first thread wrote before handing the tag over
// would look unsynchronised to the thread that runs the completion.
// TsanRelease(tag) before the hand-off and TsanAcquire(tag) once the tag is
// back state the edge gRPC guarantees (a completion happens after the
// operation that queued it), and nothing more: they synchronise only what
// the two threads touch outside gRPC.
//
// Both compile to nothing unless this translation unit is built with
// -fsanitize=thread (GCC's __SANITIZE_THREAD__, clang's
// __has_feature(thread_sanitizer)).
//
// Thread safety: both functions are thread-safe.
#ifndef COROUTER_SERVER_SYNC_TSAN_H_
#define COROUTER_SERVER_SYNC_TSAN_H_

#if defined(__SANITIZE_THREAD__)
#define COROUTER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define COROUTER_TSAN 1
#endif
#endif

#ifdef COROUTER_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace corouter::sync {

/// True in a ThreadSanitizer build.
#ifdef COROUTER_TSAN
inline constexpr bool kTsan = true;
#else
inline constexpr bool kTsan = false;
#endif

/// What the calling thread did so far happens before a later
/// TsanAcquire(`addr`) on any thread (a no-op without TSan).
inline void TsanRelease([[maybe_unused]] void* addr) {
#ifdef COROUTER_TSAN
  __tsan_release(addr);
#endif
}

/// Everything done before any earlier TsanRelease(`addr`) happens before what
/// the calling thread does next (a no-op without TSan).
inline void TsanAcquire([[maybe_unused]] void* addr) {
#ifdef COROUTER_TSAN
  __tsan_acquire(addr);
#endif
}

}  // namespace corouter::sync

#endif  // COROUTER_SERVER_SYNC_TSAN_H_
