"""tests/bench/async_vs_sync.yaml as a FastAPI application: the Python peer of
tests/bench/async_vs_sync.sh (issue 12, part 5, "async can be slower").

The same 2 ms CPU-bound body as an `async def` (it runs on the event loop and
holds it) and as a `def` (Starlette runs it in anyio's worker threads, 40 at
most), the seed's /fast_task/, and the instant body as a `def`.

The busy loop computes (xorshift rounds, as corouter's `cpu:` step does) until
the clock AVS_BUSY_CLOCK names has advanced by 2 ms:
  thread (default)  time.thread_time(): 2 ms of CPU used by this thread. A
                    thread waiting for the GIL, or descheduled, does not
                    advance it: every call costs 2 ms of computation, as a
                    real CPU-bound body does.
  wall              time.perf_counter(): 2 ms of elapsed time, which is what
                    corouter's `cpu:` step measures (steady_clock). A thread
                    that waits for the GIL for 2 ms finishes at once.

Run (one worker, no access log):
  python3 -m uvicorn async_vs_sync_fastapi:app --app-dir tests/bench \
      --host 127.0.0.1 --port 8000 --workers 1 --no-access-log
"""

import os
import time

from fastapi import FastAPI

CPU_SECONDS = 0.002
_CLOCK = {"thread": time.thread_time, "wall": time.perf_counter}[
    os.environ.get("AVS_BUSY_CLOCK", "thread")]
_MASK = (1 << 64) - 1

app = FastAPI(title="async versus sync")


def busy_compute(seconds: float) -> int:
    """Computes until the clock has advanced by `seconds`; holds the GIL."""
    until = _CLOCK() + seconds
    x = 0x9E3779B97F4A7C15
    while True:
        for _ in range(32):  # real work between clock reads
            x ^= (x << 13) & _MASK
            x ^= x >> 7
            x ^= (x << 17) & _MASK
        if _CLOCK() >= until:
            return x


# seed 004: read_root, no await at all.
@app.get("/fast_task/")
async def read_root():
    return {"message": "This is fast!"}


# The same instant body as a def: it still goes through a worker thread.
@app.get("/fast_sync/")
def fast_sync():
    return {"message": "This is fast!"}


# 2 ms of computation on the event loop thread.
@app.get("/cpu_async/")
async def cpu_async():
    busy_compute(CPU_SECONDS)
    return {"kind": "async", "cpu": "2ms"}


# The same computation in a worker thread (it still needs the GIL).
@app.get("/cpu_sync/")
def cpu_sync():
    busy_compute(CPU_SECONDS)
    return {"kind": "sync", "cpu": "2ms"}
