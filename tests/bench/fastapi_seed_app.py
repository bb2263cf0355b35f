"""The seed app (server/app/seed_app.cc) as a FastAPI application: the Python
peer that tests/bench/run_e2e.sh drives with wrk next to corouter.

Same routes, same parameters, same bodies. Every duration is multiplied by the
COROUTER_BENCH_TIME_SCALE environment variable (default 1.0), as
corouter-server's --time-scale does; with 0, `await asyncio.sleep(0)` is a
bare yield to the loop, as corouter's Sleep(0) is.

Run (one worker, no access log):
  COROUTER_BENCH_TIME_SCALE=0 python3 -m uvicorn fastapi_seed_app:app \
      --app-dir tests/bench --host 127.0.0.1 --port 8000 --workers 1 --no-access-log
"""

import asyncio
import os
import time

from fastapi import FastAPI

SCALE = float(os.environ.get("COROUTER_BENCH_TIME_SCALE", "1.0"))

app = FastAPI()


# seed 001, step 1: a plain `def`.
@app.get("/hello")
def say_hello():
    return {"message": "Hello"}


# seed 001, pitfall #2: a fast function needs no async.
@app.get("/ping")
def simple_ping():
    return {"ping": "pong"}


# seed 000: await asyncio.sleep(2).
@app.get("/wait")
async def wait_seconds():
    await asyncio.sleep(2 * SCALE)
    return {"message": "Waited 2 seconds"}


# seed 004: read_item(item_id: int, q: str | None = None), sleep(5).
@app.get("/slow_task/{item_id}")
async def read_item(item_id: int, q: str | None = None):
    await asyncio.sleep(5 * SCALE)
    return {"item_id": item_id, "q": q}


# seed 004: read_root, no await at all.
@app.get("/fast_task/")
async def read_root():
    return {"message": "This is fast!"}


def blocking_function():
    time.sleep(1 * SCALE)
    return "blocking_function done"


# seed 001, step 6: run_in_executor(executor, blocking_function).
@app.get("/sync-task")
async def run_sync_task():
    result = await asyncio.get_running_loop().run_in_executor(None, blocking_function)
    return {"result": result}


# seed 001, step 5: items = await database.fetch_all(query).
@app.get("/items")
async def read_items():
    await asyncio.sleep(0.1 * SCALE)  # the simulated database round trip
    return [{"id": 1, "name": "Foo"}, {"id": 2, "name": "Bar"}]


# seed 003 request C / seed 001 pitfall #1: time.sleep(2) in an async def.
@app.get("/blocking")
async def blocking_wait():
    time.sleep(2 * SCALE)
    return {"message": "done"}


# seed 003: the same sleep in a plain def runs on the executor.
@app.get("/sync-wait")
def sync_wait():
    time.sleep(2 * SCALE)
    return {"message": "done"}
