"""The soak benchmark (issue 10, part 7): N mixed requests on one server.

tests/bench/soak.sh starts corouter-server (the embedded seed app, a small
--time-scale) and runs this against it; see BENCHMARKS.md, "Soak".

  soak.py --server HOST:PORT --pid PID [-n N] [--concurrency C] [--channels K]
          [--seed S] [--time-scale T] [--sample-every M] [--rss-bound-mib B]

Drives N requests, C in flight at a time over K channels (one TCP connection
each), through grpc.aio. Request i's kind and parameters come from a
random.Random(S) drawn in request order, so a seed always gives the same
sequence. The kinds and their shares (MIX below):

  hit_fast     Execute GET /fast_task/ (async def, no await)
  hit_params   Execute GET /slow_task/{id}?q=... (path and query parameters,
               percent-encoded and '+' queries included; awaits sleep(5s))
  hit_await    Execute GET /items (awaits sleep(100ms))
  not_found    Execute GET of paths no route has                    -> 404
  not_allowed  Execute POST/PUT/DELETE/PATCH on GET routes          -> 405
  invalid      Execute GET /slow_task/{not an int}                  -> 422
  redirect     Execute GET /fast_task, /slow_task/{id}/?q=...       -> 307
  def          Execute GET /hello, /ping (def: an executor round trip)
  offload      Execute GET /sync-task (await run_in_executor(...))
  background   Execute POST /send-notification/{email} (background tasks
               on the executor and the loop after the response)
  traced       ExecuteTraced of a hit, a def or a 422 (the whole stream)
  cancel       ExecuteTraced GET /slow_task/{id}, cancelled by the client
               once the stream shows AWAIT_STARTED            -> CANCELLED
  deadline     Execute GET /slow_task/{id} with a client deadline of 0.8 x
               its sleep (5 s x time scale)              -> DEADLINE_EXCEEDED

(durations are the seed's, times --time-scale: with 0.01, sleep(5s) is 50 ms).

Every reply is checked against what its kind must get: the gRPC status, the
request_id echoed, the HTTP status, the exact body (or, for 422, the detail's
loc and type), the allow or location header, the route matched (or none).
For traced: the events numbered 1, 2, 3..., all with our request_id, the first
STEP_RECEIVED, the last STEP_RESPONSE_SENT with that response. Anything else
is an error: counted per kind, the first --show-errors printed. A cancel
whose call had already ended with OK and its full stream when the client
cancelled (the client was slower than the route's sleep) is counted as
"cancel too late", not as an error; any other outcome of a cancel is an error.

Every --sample-every completed requests (default N/20) the server's VmRSS,
thread and fd count (/proc/PID/status, /proc/PID/fd) and CPU (utime + stime,
/proc/PID/stat) are sampled, and a table printed: requests done, elapsed,
RSS MiB, req/s and server and client cores in that slice.

Flat RSS, the criterion: the warm-up is the first --warmup (10%) of the
requests; W is the RSS at the first sample at or past it. PASS if every later
sample, the last one included, is at most W + --rss-bound-mib (5 MiB). The
least-squares slope of RSS over the samples after the warm-up is printed too
(KiB per 100,000 requests), as information.

After the soak: GetStats is polled until in_flight is 0 and the executor is
idle (at most 15 s), its counters printed. Its responses by HTTP status must
equal the client's checked replies, but for 200s: the server may also have
answered a call the client had cancelled or timed out just before (printed,
with the cancel lag: the client's cancel minus the server's AWAIT_STARTED).
Then grpc.health.v1 Check must say SERVING and GET /fast_task/ answer 200.

Exits 0 only with 0 errors, the RSS verdict PASS and every after-soak check
passed. Every call has a deadline (--call-timeout, 10 s) and the whole drive
--timeout (3600 s). --time-scale must be the server's: it sets the deadline
kind's deadline. Run with Debian's python (/usr/bin/python3:
python3-grpcio 1.51, python3-protobuf).
"""

import argparse
import asyncio
import collections
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from urllib.parse import unquote_plus

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grpc_requests  # noqa: E402  (load_messages, PROTO_ROOT)

import grpc  # noqa: E402  Debian's python3-grpcio

SERVICE = "/corouter.v1.ExecutionService/"
MIB = 1024 * 1024

# kind -> share of the requests, in percent.
MIX = {
    "hit_fast": 16,
    "hit_params": 8,
    "hit_await": 6,
    "not_found": 8,
    "not_allowed": 7,
    "invalid": 7,
    "redirect": 7,
    "def": 10,
    "offload": 5,
    "background": 3,
    "traced": 10,
    "cancel": 7,
    "deadline": 6,
}
assert sum(MIX.values()) == 100

WORDS = ["test", "x", "soak", "hello%20world", "a+b", "caf%C3%A9", "q-1", "%2Fslash"]
NOT_INTS = ["abc", "1.5", "0x10", "one", "1e3", "%20", "12a"]


def load_health():
    """Generates grpc/health/v1/health_pb2 with protoc and loads it under a
    name of its own (grpc.health would be looked up inside grpcio)."""
    out = tempfile.mkdtemp(prefix="corouter-soak-health-")
    try:
        subprocess.run(["protoc", f"--proto_path={grpc_requests.PROTO_ROOT}",
                        f"--python_out={out}", "grpc/health/v1/health.proto"], check=True)
        path = os.path.join(out, "grpc", "health", "v1", "health_pb2.py")
        spec = importlib.util.spec_from_file_location("soak_health_pb2", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        shutil.rmtree(out, ignore_errors=True)


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class Req:
    """One request and what it must get."""
    __slots__ = ("index", "kind", "rpc", "method", "target", "status", "body", "check",
                 "template", "params", "headers", "code", "timeout")

    def __init__(self, kind, method, target, status=None, body=None, check=None,
                 template="", params=None, headers=None, rpc="execute",
                 code=grpc.StatusCode.OK, timeout=None):
        self.index = -1
        self.kind, self.rpc, self.method, self.target = kind, rpc, method, target
        self.status, self.body, self.check = status, body, check
        self.template, self.params, self.headers = template, params or {}, headers or {}
        self.code, self.timeout = code, timeout


def make_hit(rng, kind):
    if kind == "hit_fast":
        return Req(kind, "GET", "/fast_task/", 200, b'{"message":"This is fast!"}',
                   template="/fast_task/")
    if kind == "hit_params":
        item = rng.randrange(-10**6, 10**9)
        if rng.random() < 0.25:
            return Req(kind, "GET", f"/slow_task/{item}", 200, compact({"item_id": item, "q": None}),
                       template="/slow_task/{item_id}", params={"item_id": str(item)})
        word = rng.choice(WORDS)
        return Req(kind, "GET", f"/slow_task/{item}?q={word}", 200,
                   compact({"item_id": item, "q": unquote_plus(word)}),
                   template="/slow_task/{item_id}", params={"item_id": str(item)})
    if kind == "hit_await":
        return Req(kind, "GET", "/items", 200,
                   b'[{"id":1,"name":"Foo"},{"id":2,"name":"Bar"}]', template="/items")
    raise KeyError(kind)


def check_422(body):
    detail = json.loads(body)["detail"]
    if [d["loc"] for d in detail] != [["path", "item_id"]] or detail[0]["type"] != "type_error.integer":
        return f"422 detail {detail!r}"
    return None


def make_request(rng, kind, time_scale):
    """Request `kind`, its parameters drawn from rng (time_scale: the server's)."""
    if kind.startswith("hit_"):
        return make_hit(rng, kind)
    if kind == "not_found":
        n = rng.randrange(10**9)
        target = rng.choice([f"/nope/{n}", f"/items/{n}", f"/fast_task/{n}", f"/x{n}?q={n}"])
        return Req(kind, "GET", target, 404, b'{"detail":"Not Found"}')
    if kind == "not_allowed":
        method = rng.choice(["POST", "PUT", "DELETE", "PATCH"])
        target = rng.choice(["/fast_task/", "/hello", "/items", f"/slow_task/{rng.randrange(100)}"])
        return Req(kind, method, target, 405, b'{"detail":"Method Not Allowed"}',
                   headers={"allow": "GET"})
    if kind == "invalid":
        word = rng.choice(NOT_INTS)
        return Req(kind, "GET", f"/slow_task/{word}", 422, check=check_422,
                   template="/slow_task/{item_id}")
    if kind == "redirect":
        if rng.random() < 0.5:
            return Req(kind, "GET", "/fast_task", 307, b"", headers={"location~": "/fast_task/"})
        item, word = rng.randrange(10**6), rng.choice(WORDS)
        return Req(kind, "GET", f"/slow_task/{item}/?q={word}", 307, b"",
                   headers={"location~": f"/slow_task/{item}?q={word}"})
    if kind == "def":
        if rng.random() < 0.5:
            return Req(kind, "GET", "/hello", 200, b'{"message":"Hello"}', template="/hello")
        return Req(kind, "GET", "/ping", 200, b'{"ping":"pong"}', template="/ping")
    if kind == "offload":
        return Req(kind, "GET", "/sync-task", 200, b'{"result":"blocking_function done"}',
                   template="/sync-task")
    if kind == "background":
        email = f"user{rng.randrange(10**6)}@example.com"
        return Req(kind, "POST", f"/send-notification/{email}", 200,
                   b'{"message":"Notification sent in the background"}',
                   template="/send-notification/{email}", params={"email": email})
    if kind == "traced":
        pick = rng.random()
        if pick < 0.5:
            req = make_hit(rng, rng.choice(["hit_fast", "hit_params", "hit_await"]))
        elif pick < 0.8:
            req = make_request(rng, "def", time_scale)
        else:
            req = make_request(rng, "invalid", time_scale)
        req.kind, req.rpc = kind, "traced"
        return req
    if kind == "cancel":
        return Req(kind, "GET", f"/slow_task/{rng.randrange(10**6)}", rpc="traced",
                   code=grpc.StatusCode.CANCELLED)
    if kind == "deadline":
        return Req(kind, "GET", f"/slow_task/{rng.randrange(10**6)}?q=deadline",
                   code=grpc.StatusCode.DEADLINE_EXCEEDED, timeout=0.8 * 5.0 * time_scale)
    raise KeyError(kind)


def response_problem(req, response, route):
    """What is wrong with an HTTP response (and its route) for req, or None."""
    if response.status_code != req.status:
        return f"HTTP {response.status_code} {bytes(response.body)[:120]!r}, want {req.status}"
    body = bytes(response.body)
    if req.body is not None and body != req.body:
        return f"body {body[:160]!r}, want {req.body[:160]!r}"
    if req.check is not None:
        problem = req.check(body)
        if problem:
            return problem
    headers = {h.name: h.value for h in response.headers}
    for name, want in req.headers.items():
        if name.endswith("~"):  # the value ends with want (location is absolute)
            got = headers.get(name[:-1], "")
            if not got.endswith(want):
                return f"{name[:-1]}: {got!r}, want ...{want!r}"
        elif headers.get(name) != want:
            return f"{name}: {headers.get(name)!r}, want {want!r}"
    if route is not None:
        if route.path_template != req.template:
            return f"route {route.path_template!r}, want {req.template!r}"
        for name, want in req.params.items():
            if route.path_params.get(name) != want:
                return f"path param {name}={route.path_params.get(name)!r}, want {want!r}"
    return None


class Soak:
    def __init__(self, args, pb):
        self.args, self.pb = args, pb
        self.rng = random.Random(args.seed)
        self.kinds = list(MIX)
        self.weights = [MIX[k] for k in self.kinds]
        self.next = 0
        self.done = 0
        self.sent = collections.Counter()
        self.errors = collections.Counter()
        self.examples = []
        self.outcomes = collections.Counter()  # cancel/deadline outcomes
        self.http_status = collections.Counter()  # HTTP responses that passed their checks
        self.cancel_lags = []  # client cancel - the server's AWAIT_STARTED, seconds
        self.samples = []
        self.t0 = time.monotonic()

    # --- the server's process -------------------------------------------
    def proc_sample(self):
        pid = self.args.pid
        status = {}
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                status[key] = value.split()
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        client = os.times()
        return {
            "done": self.done, "t": time.monotonic() - self.t0,
            "rss": int(status["VmRSS"][0]) * 1024, "hwm": int(status["VmHWM"][0]) * 1024,
            "threads": int(status["Threads"][0]), "fds": len(os.listdir(f"/proc/{pid}/fd")),
            "cpu": ticks / os.sysconf("SC_CLK_TCK"), "client_cpu": client.user + client.system,
            "errors": sum(self.errors.values()),
        }

    def sample(self):
        s = self.proc_sample()
        self.samples.append(s)
        if len(self.samples) == 1:
            print(f"{'requests':>10} {'elapsed s':>9} {'RSS MiB':>8} {'threads':>7} {'fds':>4} "
                  f"{'req/s':>7} {'server cores':>12} {'client cores':>12} {'errors':>6}", flush=True)
            print(f"{s['done']:>10,} {s['t']:>9.1f} {s['rss'] / MIB:>8.2f} {s['threads']:>7} "
                  f"{s['fds']:>4} {'-':>7} {'-':>12} {'-':>12} {s['errors']:>6}", flush=True)
            return
        p = self.samples[-2]
        dt = max(s["t"] - p["t"], 1e-9)
        print(f"{s['done']:>10,} {s['t']:>9.1f} {s['rss'] / MIB:>8.2f} {s['threads']:>7} "
              f"{s['fds']:>4} {(s['done'] - p['done']) / dt:>7.0f} "
              f"{(s['cpu'] - p['cpu']) / dt:>12.2f} {(s['client_cpu'] - p['client_cpu']) / dt:>12.2f} "
              f"{s['errors']:>6}", flush=True)

    # --- requests -----------------------------------------------------------
    def draw(self):
        i = self.next
        self.next += 1
        kind = self.rng.choices(self.kinds, self.weights)[0]
        req = make_request(self.rng, kind, self.args.time_scale)
        req.index = i
        return req

    def error(self, req, problem):
        self.errors[req.kind] += 1
        if len(self.examples) < self.args.show_errors:
            self.examples.append(f"#{req.index} {req.kind} {req.rpc} {req.method} {req.target}: {problem}")

    async def one(self, stubs, req):
        """Sends req, returns None if it got what it must, else the problem."""
        pb = self.pb
        rid = f"soak-{req.index}"
        http = pb.HttpRequest(method=req.method, target=req.target)
        timeout = req.timeout or self.args.call_timeout
        want = req.code
        if req.rpc == "execute":
            try:
                reply = await stubs["execute"](pb.ExecuteRequest(request=http, request_id=rid),
                                               timeout=timeout)
            except grpc.aio.AioRpcError as e:
                if e.code() == want:
                    self.outcomes[f"{req.kind}: {e.code().name}"] += 1
                    return None
                return f"gRPC {e.code().name} ({e.details()}), want {want.name}"
            if want != grpc.StatusCode.OK:
                return f"gRPC OK (HTTP {reply.response.status_code}), want {want.name}"
            if reply.request_id != rid:
                return f"request_id {reply.request_id!r}, want {rid!r}"
            problem = response_problem(req, reply.response, reply.route)
            if problem is None:
                self.http_status[reply.response.status_code] += 1
            return problem

        call = stubs["traced"](pb.ExecuteTracedRequest(request=http, request_id=rid),
                               timeout=timeout)
        events = []
        try:
            if req.kind == "cancel":
                while not any(e.step == pb.STEP_AWAIT_STARTED for e in events):
                    message = await call.read()
                    if message is grpc.aio.EOF:
                        break
                    events.extend(message.events)
                call.cancel()
                started = next((e for e in events if e.step == pb.STEP_AWAIT_STARTED), None)
                if started is not None:
                    self.cancel_lags.append((time.time_ns() - started.time_unix_nano) / 1e9)
                code = await call.code()
                if code == grpc.StatusCode.CANCELLED:
                    self.outcomes["cancel: CANCELLED"] += 1
                    return None
                if code != grpc.StatusCode.OK:
                    return f"gRPC {code.name} ({await call.details()}), want CANCELLED"
                while True:  # ended before the cancel: it must be a whole, good stream
                    message = await call.read()
                    if message is grpc.aio.EOF:
                        break
                    events.extend(message.events)
                req.status = 200
                req.template = "/slow_task/{item_id}"
            else:
                async for message in call:
                    events.extend(message.events)
        except grpc.aio.AioRpcError as e:
            return f"gRPC {e.code().name} ({e.details()}), want {want.name}"
        problem = self.events_problem(req, rid, events)
        if problem is None:
            self.http_status[events[-1].response.status_code] += 1
            if req.kind == "cancel":
                self.outcomes["cancel: too late (OK, whole stream)"] += 1
        return problem

    def events_problem(self, req, rid, events):
        pb = self.pb
        if not events:
            return "no events"
        if [e.sequence for e in events] != list(range(1, len(events) + 1)):
            return f"sequences {[e.sequence for e in events]}"
        if any(e.request_id != rid for e in events):
            return f"request_id {[e.request_id for e in events if e.request_id != rid][0]!r}, want {rid!r}"
        if events[0].step != pb.STEP_RECEIVED:
            return f"first step {pb.Step.Name(events[0].step)}"
        last = events[-1]
        if last.step != pb.STEP_RESPONSE_SENT:
            return f"last step {pb.Step.Name(last.step)} ({last.detail})"
        route = next((e.route for e in events if e.step == pb.STEP_ROUTE_MATCHED), None)
        if req.template and route is None:
            return "no ROUTE_MATCHED event"
        return response_problem(req, last.response, route)

    async def worker(self, stubs):
        while self.next < self.args.n:
            req = self.draw()
            self.sent[req.kind] += 1
            try:
                problem = await self.one(stubs, req)
            except Exception as e:  # anything unexpected is an error of this request
                problem = f"client exception {e!r}"
            if problem is not None:
                self.error(req, problem)
            self.done += 1
            if self.done % self.args.sample_every == 0 or self.done == self.args.n:
                self.sample()


def stubs_of(channel, pb):
    return {
        "execute": channel.unary_unary(SERVICE + "Execute",
                                       request_serializer=pb.ExecuteRequest.SerializeToString,
                                       response_deserializer=pb.ExecuteResponse.FromString),
        "traced": channel.unary_stream(SERVICE + "ExecuteTraced",
                                       request_serializer=pb.ExecuteTracedRequest.SerializeToString,
                                       response_deserializer=pb.ExecuteTracedResponse.FromString),
        "stats": channel.unary_unary(SERVICE + "GetStats",
                                     request_serializer=pb.GetStatsRequest.SerializeToString,
                                     response_deserializer=pb.GetStatsResponse.FromString),
    }


def rss_verdict(soak, args):
    """The flat-RSS criterion; returns (passed, lines)."""
    n = args.n
    warm = next((i for i, s in enumerate(soak.samples) if s["done"] >= args.warmup * n), None)
    after = soak.samples[warm + 1:] if warm is not None else []
    if warm is None or not after:
        return False, ["RSS: FAIL: too few samples after the warm-up (lower --sample-every)"]
    w = soak.samples[warm]
    bound = args.rss_bound_mib * MIB
    peak = max(after, key=lambda s: s["rss"])
    last = soak.samples[-1]
    xs = [s["done"] for s in soak.samples[warm:]]
    ys = [s["rss"] for s in soak.samples[warm:]]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0
    passed = peak["rss"] - w["rss"] <= bound and last["rss"] - w["rss"] <= bound
    lines = [
        f"RSS: warm-up to {w['done']:,} requests ({args.warmup:.0%}): {w['rss'] / MIB:.2f} MiB; "
        f"after it: max {peak['rss'] / MIB:.2f} MiB at {peak['done']:,} "
        f"({(peak['rss'] - w['rss']) / MIB:+.2f} MiB), last {last['rss'] / MIB:.2f} MiB at "
        f"{last['done']:,} ({(last['rss'] - w['rss']) / MIB:+.2f} MiB); bound +{args.rss_bound_mib:g} MiB",
        f"RSS: least-squares slope after the warm-up: {slope * 100_000 / 1024:+.1f} KiB per 100,000 "
        f"requests; first sample {soak.samples[0]['rss'] / MIB:.2f} MiB, peak (VmHWM) "
        f"{last['hwm'] / MIB:.2f} MiB; threads {soak.samples[0]['threads']} -> {last['threads']}, "
        f"fds {soak.samples[0]['fds']} -> {last['fds']}",
        f"RSS: {'PASS' if passed else 'FAIL'}",
    ]
    return passed, lines


async def after_soak(args, pb, health, channel, soak, finished):
    """GetStats until idle, then a health check and a request. Returns the problems.
    The client's and the server's counts are compared only if the drive finished."""
    problems = []
    stubs = stubs_of(channel, pb)
    deadline = time.monotonic() + 15
    while True:
        stats = await stubs["stats"](pb.GetStatsRequest(), timeout=10)
        ex = stats.executor
        idle = stats.in_flight == 0 and ex.running == 0 and ex.queued == 0
        if idle or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    print(f"GetStats: in_flight={stats.in_flight} executor running={ex.running} "
          f"queued={ex.queued} max_running={ex.max_running}/{ex.capacity}")
    for loop in stats.loops:
        print(f"GetStats: loop {loop.loop}: in_flight={loop.in_flight} completed={loop.completed:,} "
              f"cancelled={loop.cancelled:,} (deadline_exceeded={loop.deadline_exceeded:,}) "
              f"refused={loop.refused} blocking_slices={loop.blocking_slices} "
              f"longest_slice={loop.longest_slice_nanos / 1e6:.1f} ms")
    by_status = collections.Counter()
    for route in stats.routes:
        for r in route.responses:
            by_status[r.status_code] += r.count
    print("GetStats: responses by HTTP status: "
          + ", ".join(f"{code}: {count:,}" for code, count in sorted(by_status.items()))
          + " (0: cancelled)")
    # Every checked reply was counted by the server, and nothing else but
    # 200s: a call the client cancelled or timed out can still be answered
    # (and counted) by the server when its handler ends before the cancel
    # reaches it; the client then never sees that response.
    answered = {code: count for code, count in by_status.items() if code != 0}
    codes = sorted(set(answered) | set(soak.http_status))
    surplus_200 = answered.get(200, 0) - soak.http_status[200]
    if not finished:
        print("GetStats: the counts are not compared: the drive did not finish")
    elif any(answered.get(c, 0) != soak.http_status[c] for c in codes if c != 200) or surplus_200 < 0:
        problems.append("the server's responses by HTTP status are not the client's: "
                        + ", ".join(f"{c}: {answered.get(c, 0):,} / {soak.http_status[c]:,}"
                                    for c in codes))
    else:
        print(f"GetStats: every checked reply counted by the server, by HTTP status; the server "
              f"also answered 200 to {surplus_200:,} calls the client had cancelled or timed out")
    cancels = soak.outcomes["cancel: CANCELLED"]
    deadlines = soak.outcomes["deadline: DEADLINE_EXCEEDED"]
    cancelled = sum(loop.cancelled for loop in stats.loops)
    exceeded = sum(loop.deadline_exceeded for loop in stats.loops)
    seen = sum(loop.completed + loop.cancelled for loop in stats.loops)
    print(f"cancels: client CANCELLED {cancels:,}, DEADLINE_EXCEEDED {deadlines:,}; server cancelled "
          f"{cancelled - exceeded:,} by the client and {exceeded:,} at the deadline; the server "
          f"completed or cancelled {seen:,} calls of the {soak.done:,} sent"
          + (" (the rest: deadlines that passed before the server started the call)"
             if seen < soak.done else ""))
    if finished and seen > soak.done:
        problems.append(f"the server counted {seen:,} calls, more than the {soak.done:,} sent")
    w = stats.watch
    print(f"GetStats: watch history {w.history}/{w.history_capacity}, "
          f"events_sent={w.events_sent} dropped={w.events_dropped}")
    if not idle:
        problems.append(f"not idle 15 s after the soak: in_flight={stats.in_flight}, "
                        f"executor running={ex.running} queued={ex.queued}")

    check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                request_serializer=health.HealthCheckRequest.SerializeToString,
                                response_deserializer=health.HealthCheckResponse.FromString)
    try:
        reply = await check(health.HealthCheckRequest(service=""), timeout=10)
        status = health.HealthCheckResponse.ServingStatus.Name(reply.status)
    except grpc.aio.AioRpcError as e:
        status = f"gRPC {e.code().name}"
    print(f"after the soak: grpc.health.v1 Check: {status}")
    if status != "SERVING":
        problems.append(f"health check: {status}")
    req = make_request(random.Random(0), "hit_fast", args.time_scale)
    try:
        reply = await stubs["execute"](pb.ExecuteRequest(request=pb.HttpRequest(
            method=req.method, target=req.target), request_id="soak-after"), timeout=10)
        problem = response_problem(req, reply.response, reply.route)
        print(f"after the soak: GET /fast_task/: {reply.response.status_code} "
              f"{bytes(reply.response.body).decode()}")
    except grpc.aio.AioRpcError as e:
        problem = f"gRPC {e.code().name}"
    if problem:
        problems.append(f"GET /fast_task/ after the soak: {problem}")
    return problems


async def run(args):
    pb = grpc_requests.load_messages()
    health = load_health()
    options = [("grpc.use_local_subchannel_pool", 1)]  # one connection per channel
    channels = [grpc.aio.insecure_channel(args.server, options=options)
                for _ in range(args.channels)]
    for channel in channels:
        await asyncio.wait_for(channel.channel_ready(), 10)
    soak = Soak(args, pb)
    print(f"soak: {args.n:,} requests, {args.concurrency} in flight over {args.channels} "
          f"channels, seed {args.seed}, server pid {args.pid} (time scale {args.time_scale:g})")
    print("mix: " + ", ".join(f"{k} {v}%" for k, v in MIX.items()))
    soak.sample()
    stubs = [stubs_of(c, pb) for c in channels]
    workers = [soak.worker(stubs[w % len(stubs)]) for w in range(args.concurrency)]
    timed_out = False
    try:
        await asyncio.wait_for(asyncio.gather(*workers), args.timeout)
    except asyncio.TimeoutError:
        timed_out = True
    elapsed = time.monotonic() - soak.t0

    print(f"soak: {soak.done:,} requests in {elapsed:.1f} s ({soak.done / elapsed:,.0f} req/s)")
    print("sent: " + ", ".join(f"{k} {soak.sent[k]:,}" for k in MIX))
    print("expected gRPC errors: " + (", ".join(f"{k} {v:,}" for k, v in sorted(soak.outcomes.items()))
                                      or "none"))
    total_errors = sum(soak.errors.values())
    print(f"errors: {total_errors}" + ("" if not total_errors else
                                       " (" + ", ".join(f"{k} {v}" for k, v in soak.errors.items()) + ")"))
    for example in soak.examples:
        print(f"  {example}")
    lags = sorted(soak.cancel_lags)
    if lags:
        sleep = 5.0 * args.time_scale
        late = sum(lag >= sleep for lag in lags)
        print(f"cancel lag (client cancel - the server's AWAIT_STARTED): p50 "
              f"{lags[len(lags) // 2] * 1e3:.1f} ms, p99 {lags[int(len(lags) * 0.99)] * 1e3:.1f} ms, "
              f"max {lags[-1] * 1e3:.1f} ms; {late:,} of {len(lags):,} cancels were sent "
              f"after the route's {sleep * 1e3:g} ms sleep had ended")
    passed, lines = rss_verdict(soak, args)
    for line in lines:
        print(line)
    problems = await after_soak(args, pb, health, channels[0], soak, not timed_out)
    for channel in channels:
        await channel.close()
    if timed_out:
        problems.append(f"the drive did not finish within --timeout {args.timeout:g} s")
    for p in problems:
        print(f"FAILED: {p}")
    ok = total_errors == 0 and passed and not problems
    print(f"soak: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="HOST:PORT")
    parser.add_argument("--pid", type=int, required=True, help="the server's process id")
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-scale", type=float, default=0.01,
                        help="the server's --time-scale (sets the deadline kind's deadline)")
    parser.add_argument("--sample-every", type=int, default=0, help="default: N/20")
    parser.add_argument("--warmup", type=float, default=0.10)
    parser.add_argument("--rss-bound-mib", type=float, default=5.0)
    parser.add_argument("--call-timeout", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--show-errors", type=int, default=10)
    args = parser.parse_args()
    if args.sample_every <= 0:
        args.sample_every = max(args.n // 20, 1)
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
