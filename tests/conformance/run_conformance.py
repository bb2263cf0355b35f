#!/usr/bin/python3
"""Differential conformance suite: corouter against the real FastAPI 0.92.

For each route file below, corouter-server serves it (--app FILE, on
127.0.0.1 with an OS-chosen port, through gRPC) and fastapi_adapter.py builds
the equivalent FastAPI app (driven through ASGI as uvicorn drives it, with the
same server address in its scope). Every request goes to both, and the
answers must agree on the status, the body (parsed when it is JSON, with int
and float kept apart and key order kept) and every header (`allow` compared
as a set: its order follows Python's hash seed).

The requests: every case of the reference (tests/unit/app/testdata/
make_fastapi_golden.py, whose routes routing.yaml, params.yaml and bodies.yaml
declare), the seed app's routes, and seeded random ones: targets built from
the routes' templates with mixed converters, percent-encodings, extra and
missing slashes, type mismatches, missing, repeated and unknown parameters,
other methods, bodies valid and not; and a generated route file of random
templates.

A difference is either one that docs/differences.md lists (KNOWN below
names the entry, and the suite checks that the document still has it)
or a failure. The last line is "N passed, N failed"; the exit status is 0
only when nothing failed.

  /usr/bin/python3 tests/conformance/run_conformance.py --server build/server/corouter-server

Needs Debian's python3-fastapi, python3-yaml, python3-grpcio, python3-protobuf
and protoc (scripts/install-deps.sh installs them).
"""
import argparse
import asyncio
import importlib.util
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import fastapi_adapter  # noqa: E402

TIME_SCALE = 0.001  # the seed app's 5 s sleep is 5 ms here


# ---- known differences: docs/differences.md -------------------------------------
def _path(case):
    return case["target"].partition("?")[0]


def _json_depth(body):
    depth = deepest = 0
    for ch in body:
        if ch in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in b"]}":
            depth -= 1
    return deepest


def _multi_method_stems(doc):
    """operationIds that name another method than their operation's: those of
    routes with several methods (FastAPI takes the first method of a set),
    any method, `purge` too."""
    stems = set()
    for item in doc.get("paths", {}).values():
        for method, op in item.items():
            op_id = op.get("operationId", "") if isinstance(op, dict) else ""
            if not op_id or op_id.endswith("_" + method):
                continue
            for other in item:
                if op_id.endswith("_" + other):
                    stems.add(op_id[:-len(other) - 1])
    return stems


def _mask_multi_method_ids(want, got):
    """Both documents with the method suffix of every operationId of a route
    with several methods masked, in the ids and in the Body_ model names made
    of them."""
    stems = _multi_method_stems(want) | _multi_method_stems(got)

    def mask(doc):
        text = json.dumps(doc, ensure_ascii=False)
        for stem in sorted(stems):
            text = re.sub(re.escape(stem) + r"_[a-z]+(?=\")", stem + "_*", text)
        return json.loads(text)
    return mask(want), mask(got)


# fastapi/openapi/models.py Schema's field order (server/app/openapi.cc).
_SCHEMA_ORDER = ["$ref", "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
                 "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
                 "uniqueItems", "maxProperties", "minProperties", "required", "enum", "type",
                 "allOf", "oneOf", "anyOf", "not", "items", "properties"]


def _draft4_limits(want, got):
    """FastAPI's document with pydantic's numeric exclusiveMinimum and
    exclusiveMaximum written as OpenAPI 3.0's minimum/maximum plus a boolean,
    keys in Schema order; corouter's as it is."""
    def fix(value):
        if isinstance(value, list):
            return [fix(v) for v in value]
        if not isinstance(value, dict):
            return value
        value = {k: fix(v) for k, v in value.items()}
        changed = False
        for exclusive, inclusive, stricter in (("exclusiveMinimum", "minimum", max),
                                               ("exclusiveMaximum", "maximum", min)):
            limit = value.get(exclusive)
            if isinstance(limit, bool) or not isinstance(limit, (int, float)):
                continue
            changed = True
            if inclusive in value and stricter(value[inclusive], limit) != limit:
                del value[exclusive]
            else:
                value[inclusive] = limit
                value[exclusive] = True
        if changed:
            order = {k: i for i, k in enumerate(_SCHEMA_ORDER)}
            value = dict(sorted(value.items(), key=lambda kv: order.get(kv[0], len(order))))
        return value
    return fix(want), got


def _forbidden_header(case, want, got):
    """FastAPI answered with a header value HTTP forbids (a control
    character: Starlette encodes it, uvicorn's httptools writer sends it as
    it is); corouter answered ServerErrorMiddleware's 500 instead."""
    forbidden = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
    return got.get("status") == 500 and b"Internal Server Error" == got.get("body") and any(
        forbidden.search(value) for _, value in want.get("headers", []))


def _integer_range(case, want, got):
    """A number beyond 64 bits in the request that corouter refused as
    type_error.integer where FastAPI took it (and answered whatever the
    route answers, or failed later, or reported other errors)."""
    if re.search(r"[0-9]{19,}", case["target"] + case["body"].decode("latin-1")) is None:
        return False
    if got.get("status") != 422 or b'"type_error.integer"' not in got.get("body", b""):
        return False
    if want["status"] != 422:
        return True
    try:
        theirs = {json.dumps(e["loc"]) for e in json.loads(want["body"])["detail"]}
        ours = {json.dumps(e["loc"]) for e in json.loads(got["body"])["detail"]
                if e["type"] == "type_error.integer"}
    except (ValueError, KeyError, TypeError):
        return False
    return not ours <= theirs


def _openapi_explained(normalise_doc):
    """An entry for /openapi.json: the documents are the same once
    `normalise_doc` (and the other document entries) are applied to both."""
    def applies(case, want, got):
        if _path(case) != "/openapi.json" or "grpc" in got or case["method"] != "GET" and \
                case["method"] != "HEAD":
            return False
        try:
            a, b = json.loads(want["body"]), json.loads(got["body"])
        except ValueError:
            return False
        if normalise_doc(a, b) == (a, b):
            return False  # this entry changes nothing here
        for _, norm in OPENAPI_NORMALISERS:
            a, b = norm(a, b)
        return canonical_json(a) == canonical_json(b)
    return applies


OPENAPI_NORMALISERS = [("A multi-method route's operationId", _mask_multi_method_ids),
                       ("`gt` and `lt` in the OpenAPI document", _draft4_limits)]

# The GET /openapi.json of the suite being run: the two documents and which
# entries explained their difference (run() records it; OPENAPI_CASES sends
# the GET before the HEAD).
_LAST_DOCUMENTS = {}


def _openapi_head_explained(title):
    """HEAD /openapi.json has no body (uvicorn drops it), so a difference of
    the documents shows only in content-length: explained when the suite's
    GET documents were, by `title`, and the lengths are theirs."""
    def applies(case, want, got):
        last = _LAST_DOCUMENTS
        if _path(case) != "/openapi.json" or case["method"] != "HEAD" or "grpc" in got or \
                title not in last.get("explained", ()):
            return False
        def others(result):
            return sorted((k.lower(), v) for k, v in result["headers"]
                          if k.lower() != "content-length")
        def length(result):
            return dict((k.lower(), v) for k, v in result["headers"]).get("content-length")
        return (want["status"] == got["status"] and want["body"] == got["body"] == b"" and
                others(want) == others(got) and
                length(want) == str(len(last["want"])) and length(got) == str(len(last["got"])))
    return applies

# Each entry: the docs/differences.md bullet's bold title, and which differences it
# explains: applies(case, fastapi_result, corouter_result).
KNOWN = [
    ("Trailing newline",
     lambda case, want, got: re.search(r"%0[aA]$", _path(case)) is not None),
    ("Integer range", _integer_range),
    ("Header fields HTTP forbids", _forbidden_header),
    ("JSON nesting depth", lambda case, want, got: _json_depth(case["body"]) > 960),
    ("Lone surrogates",
     lambda case, want, got: re.search(rb"\\u[dD][89a-fA-F]", case["body"]) is not None),
] + [(title, _openapi_explained(norm)) for title, norm in OPENAPI_NORMALISERS] + [
    (title, _openapi_head_explained(title)) for title, _ in OPENAPI_NORMALISERS]


def readme_differences():
    """The bold titles of docs/differences.md's bullets."""
    with open(os.path.join(ROOT, "docs", "differences.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Differences from FastAPI", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- \*\*(.+?)\*\*", section, re.M))


# ---- the two sides ----------------------------------------------------------------
def load_golden():
    spec = importlib.util.spec_from_file_location(
        "make_fastapi_golden", os.path.join(ROOT, "tests/unit/app/testdata/make_fastapi_golden.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_proto(workdir):
    subprocess.run(["protoc", "-I", os.path.join(ROOT, "proto"), "--python_out", workdir,
                    os.path.join(ROOT, "proto/corouter/v1/execution.proto")], check=True)
    sys.path.insert(0, workdir)
    from corouter.v1 import execution_pb2  # noqa: E402
    return execution_pb2


class Corouter:
    """corouter-server --app FILE on 127.0.0.1:0, and a gRPC stub for Execute."""

    def __init__(self, binary, app_file, workdir, pb):
        import grpc
        self.pb = pb
        port_file = os.path.join(workdir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.log = open(os.path.join(workdir, "server.log"), "w+")
        self.process = subprocess.Popen(
            [binary, "--app", app_file, "--listen", "127.0.0.1:0", "--port-file", port_file,
             "--time-scale", str(TIME_SCALE), "--grace", "1s"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise RuntimeError(f"corouter-server did not start on {app_file}: "
                                   f"{self.log.read().strip()}")
            time.sleep(0.02)
        self.port = int(open(port_file).read())
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.execute = self.channel.unary_unary(
            "/corouter.v1.ExecutionService/Execute",
            request_serializer=pb.ExecuteRequest.SerializeToString,
            response_deserializer=pb.ExecuteResponse.FromString)
        self.grpc = grpc

    def call(self, method, target, headers, body):
        request = self.pb.ExecuteRequest()
        request.request.method = method
        request.request.target = target
        for name, value in headers:
            h = request.request.headers.add()
            h.name = name
            h.value = value.encode("latin-1").decode("utf-8")
        request.request.body = body
        try:
            reply = self.execute(request, timeout=20)
        except self.grpc.RpcError as e:
            return {"grpc": e.code().name, "message": e.details()}
        return {"status": reply.response.status_code,
                "headers": [[h.name, h.value] for h in reply.response.headers],
                "body": reply.response.body}

    def close(self):
        """Stops the server (SIGTERM); returns "" if it exited 0, else why
        not, with the end of its log (a sanitizer's report, for instance)."""
        self.channel.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log.seek(0)
        tail = self.log.read()[-2000:]
        self.log.close()
        return "" if code == 0 else f"corouter-server exited {code}: {tail}"


def fastapi_call(golden, loop, app, port, case):
    out, wire_headers = loop.run_until_complete(golden.call(
        case["method"], case["target"], case["headers"], case["body"], asgi_app=app,
        server=("127.0.0.1", port)))
    return {"status": out["status"], "headers": out["headers"], "body": out["body"]}, wire_headers


# ---- comparison -------------------------------------------------------------------
def canonical_json(value):
    """JSON with int and float apart and key order kept (1 != 1.0 here)."""
    if isinstance(value, dict):
        return ("object", tuple((k, canonical_json(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("array", tuple(canonical_json(v) for v in value))
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def normalise(result):
    if "grpc" in result:
        return result
    headers = []
    content_type = ""
    for name, value in result["headers"]:
        name = name.lower()
        if name == "allow":
            value = ", ".join(sorted(m.strip() for m in value.split(",")))
        if name == "content-type":
            content_type = value
        headers.append((name, value))
    body = result["body"]
    if content_type.startswith("application/json") and body:
        try:
            body = canonical_json(json.loads(body))
        except ValueError:
            pass
    return {"status": result["status"], "headers": sorted(headers), "body": body}


def case(row, target, method="GET", headers=None, body=b""):
    return {"row": row, "method": method, "target": target, "headers": headers or [],
            "body": body}


def sendable(c):
    """gRPC strings are UTF-8: header bytes that are not are sent as a gRPC
    client would send their latin-1 text, to both sides alike."""
    headers = []
    for name, value in c["headers"]:
        if isinstance(value, bytes):
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                value = value.decode("latin-1").encode("utf-8")
        headers.append((name, value))
    return dict(c, headers=headers)


OPENAPI_SCHEMA = "/usr/share/openapi-specification/schemas/v3.0/schema.json"


def openapi_problems(body):
    """Errors of the OpenAPI 3.0 document `body` against the OpenAPI
    Initiative's own JSON Schema (Debian's openapi-specification), checked
    with python3-jsonschema; [] when it is valid."""
    import jsonschema
    with open(OPENAPI_SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(json.loads(body))]


def first_difference(a, b, where="$"):
    """Where two JSON values first differ (for failure messages)."""
    if type(a) != type(b):
        return f"{where}: {a!r} != {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{where}: keys {list(a)} != {list(b)}"
        for k in a:
            d = first_difference(a[k], b[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{where}: {a!r} != {b!r}"


def describe_difference(want, got):
    try:
        return first_difference(json.loads(want["body"]), json.loads(got["body"])) or ""
    except (KeyError, ValueError, TypeError):
        return ""


# ---- requests ---------------------------------------------------------------------
J = [("content-type", "application/json")]

SEED_CASES = [
    case("seed " + t, t, m) for m, t in [
        ("GET", "/hello"), ("GET", "/ping"), ("GET", "/wait"), ("GET", "/slow_task/1?q=test"),
        ("GET", "/slow_task/1"), ("GET", "/slow_task/007?q="), ("GET", "/slow_task/x"),
        ("GET", "/slow_task/-1?q=a&q=b"), ("GET", "/slow_task/"), ("GET", "/fast_task/"),
        ("GET", "/fast_task"), ("GET", "/sync-task"), ("GET", "/items"), ("GET", "/items/"),
        ("GET", "/missing-await"), ("POST", "/send-notification/a@b.c"),
        ("GET", "/send-notification/a@b.c"), ("GET", "/blocking"), ("GET", "/sync-wait"), ("POST", "/hello"), ("HEAD", "/ping"),
        ("GET", "/nope"), ("PUT", "/wait/"), ("GET", "/openapi.json"), ("GET", "/docs")]
] + [
    case("seed no host header", "/fast_task", headers=[("host", None)]),
    case("seed bad host header", "/fast_task", headers=[("host", "a b")]),
]

# Issue 13's bug classes (apps/fidelity.yaml), each with FastAPI's answer as
# the reference.
FIDELITY_CASES = [
    case("HEAD on GET and HEAD", "/gh", "HEAD"), case("GET beside it", "/gh"),
    case("HEAD on a GET route: 405", "/g", "HEAD"), case("HEAD, 404", "/nope", "HEAD"),
    case("HEAD redirected", "/gh/", "HEAD"),
    case("header value ASCII", "/header/abc"),
    case("header value Latin-1", "/header/%C3%A9t%C3%A9"),
    case("header value beyond Latin-1", "/header/%E2%82%AC5"),
    case("header value astral", "/header/%F0%9F%98%80"),
    case("header value beyond Latin-1, HEAD", "/header/%E2%82%AC5", "HEAD"),
    case("raise with a Latin-1 header", "/raise/caf%C3%A9"),
    case("raise with a header beyond Latin-1", "/raise/%E2%82%AC"),
    case("location beyond Latin-1", "/go/%E2%82%AC"), case("location Latin-1", "/go/%C3%A9"),
    case("float echoed", "/float/1.5"), case("float inf echoed", "/float/1e400"),
    case("float -inf echoed", "/float/-1e400"), case("float nan echoed", "/float/nan"),
    case("float inf in a raise's detail", "/raise-float/1e400"),
    case("float inf echoed by a def", "/sync-float/1e400"),
    case("PURGE", "/items/5?q=abc", "PURGE", headers=[("x-token", "tok-1")]),
    case("cookie missing: 422", "/cookies"),
    case("cookie present", "/cookies", headers=[("cookie", "session=abc")]),
    case("cookies and spaces", "/cookies", headers=[("cookie", " n = 5 ; session=x y ; theme=dark")]),
    case("cookie int invalid, and missing, in FastAPI's order", "/cookies?q=1",
         headers=[("cookie", "n=five")]),
    case("cookie below ge", "/cookies", headers=[("cookie", "session=s; n=-1")]),
    case("cookie too long", "/cookies", headers=[("cookie", "session=s; theme=verylongtheme")]),
    case("cookie repeated: the last wins", "/cookies", headers=[("cookie", "session=a; session=b")]),
    case("cookie quoted", "/cookies", headers=[("cookie", 'session="a\\"b;c"')]),
    case("cookie quoted octal", "/cookies", headers=[("cookie", 'session="\\303\\251t\\351"')]),
    case("cookie without =", "/cookies", headers=[("cookie", "abc; session=s")]),
    case("cookie empty value", "/cookies", headers=[("cookie", "session=")]),
    case("cookie empty chunks", "/cookies", headers=[("cookie", ";;session=s;;")]),
    case("two cookie headers: the first counts", "/cookies",
         headers=[("cookie", "n=2"), ("cookie", "session=s")]),
    case("cookie Latin-1 byte", "/cookies", headers=[("cookie", b"session=caf\xe9")]),
    case("cookie name with =", "/cookies", headers=[("cookie", "session==x=y")]),
    case("PURGE invalid", "/items/0?q=toolong", "PURGE"),
    case("GET on a GET and PURGE route", "/both?n=2&tags=a"),
    case("PURGE on it", "/both?n=11", "PURGE"),
]

# Dependencies and routers (apps/dependencies.yaml).
K = [("x-key", "key-1")]
DEPENDENCY_CASES = [
    case("dependency: defaults", "/items/"),
    case("dependency: its queries", "/items/?q=a&skip=2&limit=5"),
    case("dependency: its 422s", "/items/?skip=-1&limit=500"),
    case("dependency named after itself, and the route's own", "/userlist/?skip=3&active=no"),
    case("dependency 422 before the route's", "/userlist/?skip=x&active=maybe"),
    case("sync dependency raises: the response", "/protected", headers=[("x-token", "t")]),
    case("sync dependency header missing: 422", "/protected"),
    case("parameterless dependency and the route's 422 together", "/keyed?n=x",
         headers=[("x-key", "k")]),
    case("parameterless dependency passes", "/keyed?n=2", headers=K),
    case("sub-dependency", "/me?user=ann", headers=K),
    case("sub-dependency 422: the dependant is not called", "/me?user=ann"),
    case("cached twice, then use_cache false", "/twice", headers=K),
    case("cached dependency missing its header: every use reports it", "/twice"),
    case("yield dependencies", "/db"),
    case("yield dependency, then a raise", "/db-raise"),
    case("sync route with a dependency", "/gated?deny=true&n=3"),
    case("sync route, dependency 422", "/gated?deny=perhaps&n=x"),
    case("body in a dependency and the route: embedded", "/items/", "POST", J,
         b'{"item": {"name": "x", "price": 1}, "user": {"username": "ann"}}'),
    case("body in a dependency and the route: unembedded sent", "/items/", "POST", J,
         b'{"name": "x", "price": 1}'),
    case("body in a dependency and the route: invalid", "/items/", "POST", J,
         b'{"item": {"name": "x", "price": -1}, "user": {"username": "a"}}'),
    case("body only in a dependency: the whole body", "/user-only", "POST", J,
         b'{"username": "ann"}'),
    case("body only in a dependency: invalid", "/user-only", "POST", J, b'{"username": 5}'),
    case("body only in a dependency: missing", "/user-only", "POST"),
    case("cookie in a dependency", "/session", headers=[("cookie", "session=abc")]),
    case("cookie in a dependency, default", "/session"),
    case("header value with whitespace around it: stripped", "/me?user=ann",
         headers=[("x-key", " \tkey-1  ")]),
    case("header value of only whitespace", "/me", headers=[("x-key", "   ")]),
    case("app dependency header", "/items/", headers=[("x-request-id", "r-1")]),
    case("additional responses route", "/responses/5"),
    case("router: prefix and empty path", "/users", headers=K),
    case("router: prefix and empty path, slash", "/users/", headers=K),
    case("router: its dependency's 422", "/users/7"),
    case("router: path parameter", "/users/7", headers=K),
    case("router: path parameter invalid", "/users/x", headers=K),
    case("nested router", "/v1/admin/", headers=K),
    case("nested router twice", "/v1/admin/people/users/3", headers=K),
    case("nested router, include dependency 422", "/v1/admin/people/users/3?deny=x",
         headers=K),
    case("nested router, no key", "/v1/admin/people/users?skip=-5"),
    case("router without prefix: dependency path parameter", "/items/4"),
    case("router without prefix: dependency path parameter invalid", "/items/0"),
    case("router route, wrong method", "/users/3", "DELETE", headers=K),
]

# response_model (apps/response_model.yaml).
RESPONSE_MODEL_CASES = [
    case("response model: extras dropped, coerced, defaults", "/items/pen?price=2"),
    case("response model: coercion fails: 500", "/items/pen?price=abc"),
    case("response model: constraint fails: 500", "/items/pen?price=-3"),
    case("response model: HEAD", "/items/pen", "HEAD"),
    case("exclude_unset", "/unset/pen"),
    case("exclude_unset with a value", "/unset/pen?description=d"),
    case("exclude_none", "/none/pen"),
    case("exclude_none with a value", "/none/pen?description=d"),
    case("exclude_unset and exclude_none", "/both"),
    case("invalid: a fresh 500", "/invalid"),
    case("invalid made valid", "/invalid?price=4"),
    case("missing field: 500", "/missing"),
    case("None for a model: 500", "/null"),
    case("list of models", "/list"),
    case("list of models, one invalid", "/list?n=zero"),
    case("nested model, exclude_unset, alias", "/summary"),
    case("scalar response model", "/count"),
    case("scalar response model invalid", "/count?n=seven"),
    case("Optional model, None", "/maybe"),
    case("def route with a response model", "/sync-item"),
    case("a raise is not filtered", "/raising"),
    case("no body, Optional model", "/empty", "POST"),
]

# More types (apps/types.yaml).
TYPE_CASES = [
    case("min_items default", "/tags"),
    case("min_items met", "/tags?tag=x&tag=y"),
    case("min_items not met", "/tags?tag=x"),
    case("max_items exceeded", "/tags?tag=a&tag=b&tag=c&tag=d"),
    case("min_items with item errors: the length first", "/numbers"),
    case("items validated after the length", "/numbers?n=1&n=-1&n=x"),
    case("list of lists", "/grid", "PUT", J, b'{"rows": [[1, 2], ["3"]]}'),
    case("list of lists, inner error", "/grid", "PUT", J, b'{"rows": [[1, "x"], 5]}'),
    case("list of lists, too many rows", "/grid", "PUT", J, b'{"rows": [[1], [2], [3], [4]]}'),
    case("list of lists, an inner list too long", "/grid", "PUT", J,
         b'{"rows": [[1, 2, 3, 4]]}'),
    case("list of lists, empty", "/grid", "PUT", J, b'{"rows": []}'),
    case("list of lists body parameter", "/matrix", "POST", J, b'[[1.5, 2], [3]]'),
    case("list of lists body parameter, too long", "/matrix", "POST", J, b'[[1], [2], [3]]'),
    case("list of lists body parameter, not a list", "/matrix", "POST", J, b'{"a": 1}'),
    case("extra forbid, none", "/strict", "POST", J, b'{"name": "x"}'),
    case("extra forbid, one", "/strict", "POST", J, b'{"name": "x", "colour": "red"}'),
    case("extra forbid, with a missing field", "/strict", "POST", J, b'{"colour": "red"}'),
    case("extra forbid, nested", "/holder", "POST", J,
         b'{"holder": {"strict": {"name": "x", "y": 1}}, "note": "n"}'),
    case("int enum path", "/levels/2"),
    case("int enum path, not a member", "/levels/7"),
    case("int enum path, not an int", "/levels/two"),
    case("int enum query", "/levels/1?other=3"),
    case("float enum query: a str is never a member", "/levels/1?ratio=0.5"),
    case("enum body fields", "/setting", "PUT", J,
         b'{"level": 2.0, "ratio": 1, "levels": [1, "3", true]}'),
    case("enum body fields invalid", "/setting", "PUT", J,
         b'{"level": 0.5, "ratio": "2.5", "levels": [4]}'),
    case("enum query default and invalid", "/setting?fallback=9", "PUT", J, b'{"level": 1}'),
    case("dict values", "/scores", "POST", J, b'{"scores": {"a": 1, "b": "2"}}'),
    case("dict value errors by key", "/scores", "POST", J,
         b'{"scores": {"a": -1, "b": "x", "c": 3}, "named": {"t": {"label": 1}, "u": {}}}'),
    case("dict not a dict", "/scores", "POST", J, b'{"scores": [1, 2]}'),
    case("dict from pairs", "/scores", "POST", J, b'{"scores": [["a", 1]]}'),
    case("dict body parameter", "/series", "POST", J, b'{"x": [1, 2.5], "y": []}'),
    case("dict body parameter invalid", "/series", "POST", J, b'{"x": 1, "y": ["z"]}'),
    case("nested max_items", "/holder", "POST", J,
         b'{"holder": {"strict": {"name": "x"}, "tags": ["a", "b", "c"]}}'),
    case("Union: the first member that validates", "/union?v=5&f=1&b=true&d=2020-01-02"),
    case("Union: a later member", "/union?v=x&f=1.5&b=2&d=7"),
    case("Union: every member's errors", "/union?v=1&b=x&d=soon&f=y"),
    case("Union: missing", "/union"),
    case("Union path", "/union/12345678123456781234567812345678"),
    case("Union path, the int member", "/union/42"),
    case("Union path, neither", "/union/x"),
    case("Union of models: the second", "/shape", "POST", J, b'{"side": 2}'),
    case("Union of models: the first", "/shape", "POST", J, b'{"radius": 1, "side": 2}'),
    case("Union of models: neither", "/shape", "POST", J, b'{"radius": "x"}'),
    case("Union of models: not an object", "/shape", "POST", J, b'[1]'),
    case("Union fields", "/pet", "POST", J,
         b'{"id": "12345678-1234-5678-1234-567812345678", "tag": 5, "shape": {"side": "3"}}'),
    case("Union fields invalid", "/pet", "POST", J, b'{"id": [1], "tag": [], "shape": 1}'),
    case("Union field null", "/pet", "POST", J, b'{"id": 1.5, "tag": null, "shape": null}'),
]

# date, datetime, time, timedelta and Decimal (apps/temporal.yaml): each
# rule of pydantic 1.10's datetime_parse and decimal_validator.
def _q(path, name, values):
    return [case(f"{path} {v!r}", f"{path}?{name}={v}") for v in values]


# Form() and File() (apps/forms.yaml): url-encoded and multipart bodies,
# well formed and not, as Starlette 0.26 and python-multipart 0.0.5 read them.
FORM = "application/x-www-form-urlencoded"


def _form(row, target, body, content_type=FORM, method="POST"):
    headers = [("content-type", content_type)] if content_type is not None else []
    return case(row, target, method, headers, body)


def _part(name, value, filename=None, content_type=None, disposition=None):
    """One multipart part's bytes (without its boundary line)."""
    if disposition is None:
        disposition = b'form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
    head = b"Content-Disposition: " + disposition + b"\r\n"
    if content_type is not None:
        head += b"Content-Type: " + content_type + b"\r\n"
    return head + b"\r\n" + value


def _multipart(row, target, parts, boundary=b"XyZ", content_type=None, method="POST",
               close=True):
    body = b"".join(b"--" + boundary + b"\r\n" + p + b"\r\n" for p in parts)
    if close:
        body += b"--" + boundary + b"--\r\n"
    if content_type is None:
        content_type = b"multipart/form-data; boundary=" + boundary
    return case(row, target, method, [("content-type", content_type)], body)


def _raw_multipart(row, target, body, boundary=b"XyZ"):
    return case(row, target, "POST",
                [("content-type", b"multipart/form-data; boundary=" + boundary)], body)


_LOGIN = [_part(b"username", b"alice"), _part(b"password", b"secret")]

FORM_CASES = [
    _form("form", "/login", b"username=alice&password=secret"),
    _form("form, remember", "/login", b"username=alice&password=secret&remember=yes"),
    _form("form, bad bool", "/login", b"username=alice&password=secret&remember=maybe"),
    _form("form, short password", "/login", b"username=alice&password=se"),
    _form("form, empty body", "/login", b""),
    _form("form, empty values are missing", "/login", b"username=&password=abc&remember="),
    _form("form, decoding", "/login", b"username=a+b%20c%2B&password=p%C3%A9w%ZZ%E9"),
    _form("form, raw latin-1 bytes", "/login", b"username=\xe9t\xe9&password=abcd"),
    _form("form, ';' before '&' is data", "/login", b"username=a;password=bcd&x=1"),
    _form("form, ';' separates without '&'", "/login", b"password=abc;username=bob"),
    _form("form, trailing name dropped", "/login", b"username=a&password=abc&remember"),
    _form("form, bare name first", "/login", b"remember&username=a&password=abc"),
    _form("form, separators skipped", "/login", b"&&;username=u&;&password=ppp&&"),
    _form("form, empty name", "/login", b"=x&username=u&password=ppp"),
    _form("form, last value wins", "/login", b"username=a&username=b&password=ccc"),
    _form("form, '=' in value", "/login", b"username=a=b&password=c==d"),
    _form("form, content-type with charset", "/login", b"username=u&password=ppp",
          FORM + "; charset=utf-8"),
    _form("form, content-type in capitals", "/login", b"username=u&password=ppp",
          "Application/X-WWW-Form-Urlencoded"),
    _form("form, content-type with space before ';'", "/login", b"username=u&password=ppp",
          FORM + " ; charset=utf-8"),
    _form("form, JSON body", "/login", b'{"username": "u", "password": "ppp"}',
          "application/json"),
    _form("form, no content-type", "/login", b"username=u&password=ppp", None),
    _form("form, text/plain", "/login", b"username=u&password=ppp", "text/plain"),
    _form("typed", "/typed",
          b"n=5&x=1.5&color=green&tags=a&tags=b&ids=1&ids=2&data=hi&item-key=k"),
    _form("typed, errors", "/typed", b"n=-1&x=abc&color=blue&ids=x&ids=2&ids=y"),
    _form("typed, empty list items", "/typed", b"n=1&tags=&ids="),
    _form("typed, alias", "/typed", b"n=1&item_key=z"),
    _form("typed, missing", "/typed", b"x=1"),
    _form("one field", "/one", b"value=hello"),
    _form("one field, empty", "/one", b"value="),
    _form("one field, many", "/one", b"value=1&value=2"),
    _multipart("multipart", "/login", _LOGIN),
    _multipart("multipart, remember", "/login", _LOGIN + [_part(b"remember", b"on")]),
    _multipart("multipart, value with CR LF", "/login",
               [_part(b"username", b"a\r\nb"), _part(b"password", b"x\r\n--XyZ-not\r\n--Xy")]),
    _multipart("multipart, latin-1 charset", "/login", _LOGIN[:1] + [_part(b"password",
               b"caf\xe9")], content_type=b"multipart/form-data; boundary=XyZ; charset=latin-1"),
    _multipart("multipart, invalid UTF-8 falls back", "/login",
               [_part(b"usern\xe9", b"x"), _part(b"username", b"\xff\xfeab"),
                _part(b"password", b"\xe9\xe9\xe9")]),
    _multipart("multipart, unknown charset", "/login",
               [_part(b"username", b"\xe9"), _part(b"password", b"abc")],
               content_type=b"multipart/form-data; charset=bogus; boundary=XyZ"),
    _multipart("multipart, ascii charset", "/login",
               [_part(b"username", b"\xc3\xa9"), _part(b"password", b"abc")],
               content_type=b'multipart/form-data; boundary="XyZ"; charset=US-ASCII'),
    _multipart("multipart, quoted boundary", "/login", _LOGIN, boundary=b"a b",
               content_type=b'multipart/form-data; boundary="a b"'),
    _multipart("multipart, capitals before ';'", "/login", _LOGIN,
               content_type=b"Multipart/Form-Data; boundary=XyZ"),
    _multipart("multipart, capitals and no boundary", "/login", _LOGIN,
               content_type=b"MULTIPART/FORM-DATA"),
    _multipart("multipart, no boundary", "/login", _LOGIN,
               content_type=b"multipart/form-data; charset=utf-8"),
    _multipart("multipart, unclosed: last part lost", "/login", _LOGIN, close=False),
    _multipart("multipart, no part name", "/login",
               _LOGIN + [_part(b"", b"x", disposition=b"form-data; filename=\"a\"")]),
    _multipart("multipart, no content-disposition", "/login",
               [b"Content-Type: text/plain\r\n\r\nx"]),
    _multipart("multipart, digit in header name", "/login",
               [b"X-Header1: a\r\n" + _LOGIN[0], _LOGIN[1]]),
    _multipart("multipart, CR inside a header name", "/login", [b"Conte\r\n\r\nx"] + _LOGIN),
    _multipart("multipart, header value spaces and tabs", "/login",
               [b"Content-Disposition:    \tform-data; name=username\r\n\r\nv", _LOGIN[1]]),
    _multipart("multipart, last disposition counts", "/login",
               [b'Content-Disposition: form-data; name="x"\r\n' + _LOGIN[0], _LOGIN[1]]),
    _multipart("multipart, escaped name", "/login",
               [_part(b"", b"v", disposition=b'form-data; name="user\\"name"'),
                _part(b"", b"w", disposition=b'form-data; NAME=username'), _LOGIN[1]]),
    _raw_multipart("multipart, CR in a second header name", "/one",
                   b"--XyZ\r\nContent-Disposition: form-data; name=value\r\nConten\r\n\r\n"
                   b"data\r\n--XyZ--"),
    _raw_multipart("multipart, CR in a header name as long as the boundary", "/one",
                   b"--XyZ\r\nContent-Disposition: form-data; name=value\r\nContent\r\n\r\n"
                   b"data\r\n--XyZ--"),
    _raw_multipart("multipart, CR in a long header name", "/one",
                   b"--XyZ\r\nContent-Disposition: form-data; name=value\r\nContentxxxxxxxx\r\n"
                   b"\r\ndata\r\n--XyZ--"),
    _raw_multipart("multipart, empty body", "/login", b""),
    _raw_multipart("multipart, closing line first", "/login", b"--XyZ--\r\n"),
    _raw_multipart("multipart, leading CR LF and epilogue", "/login",
                   b"\r\n\r\n--XyZ\r\n" + _LOGIN[0] + b"\r\n--XyZ\r\n" + _LOGIN[1] +
                   b"\r\n--XyZ--junk\r\n--XyZ\r\nmore"),
    _raw_multipart("multipart, preamble", "/login", b"preamble\r\n--XyZ\r\n" + _LOGIN[0]),
    _raw_multipart("multipart, wrong boundary", "/login",
                   b"--Other\r\n" + _LOGIN[0] + b"\r\n--Other--\r\n"),
    _raw_multipart("multipart, boundary without CR LF", "/login",
                   b"--XyZ" + _LOGIN[0] + b"\r\n--XyZ--"),
    _raw_multipart("multipart, LF-only line ends", "/login",
                   b"--XyZ\n" + _LOGIN[0] + b"\n--XyZ--"),
    _raw_multipart("multipart, header without CR LF end", "/login",
                   b'--XyZ\r\nContent-Disposition: form-data; name="username"\rx'),
    _raw_multipart("multipart, empty header name", "/login",
                   b"--XyZ\r\n: x\r\n\r\nv\r\n--XyZ--"),
    _raw_multipart("multipart, '--' then other", "/login",
                   b"--XyZ\r\n" + _LOGIN[0] + b"\r\n--XyZ-x\r\n--XyZ\r\n" + _LOGIN[1] +
                   b"\r\n--XyZ--"),
    _multipart("upload", "/upload",
               [_part(b"file", b"hello", b"a.txt", b"text/plain"), _part(b"note", b"n")]),
    _multipart("upload, no content type", "/upload", [_part(b"file", b"", b"")]),
    _multipart("upload, IE path", "/upload",
               [_part(b"file", b"x", b"C:\\\\dir\\\\a.txt"), _part(b"note", b"")]),
    _multipart("upload, UNC path and latin-1 name", "/upload",
               [_part(b"file", b"x" * 70, b"\\\\\\\\srv\\\\b\xe9.bin",
                      b"Application/Octet-Stream")]),
    _multipart("upload, text instead of a file", "/upload", [_part(b"file", b"abc")]),
    _form("upload, url-encoded", "/upload", b"file=abc&note=x"),
    _multipart("upload, missing", "/upload", [_part(b"note", b"n")]),
    _form("upload, JSON body", "/upload", b'{"file": "x"}', "application/json"),
    _multipart("upload, two files, last wins", "/upload",
               [_part(b"file", b"1", b"one"), _part(b"file", b"22", b"two")]),
    _multipart("upload, file for a str field", "/upload",
               [_part(b"file", b"1", b"one"), _part(b"note", b"x", b"n.txt")]),
    _multipart("bytes", "/bytes", [_part(b"content", b"h\xc3\xa9llo", b"f", b"text/plain")]),
    _multipart("bytes, text field", "/bytes", [_part(b"content", b"abc")]),
    _multipart("bytes, latin-1 text field", "/bytes", [_part(b"content", b"\xe9")]),
    _multipart("bytes, not UTF-8", "/bytes", [_part(b"content", b"\xff", b"f")]),
    _form("bytes, url-encoded", "/bytes", b"content=x%20y"),
    _multipart("bytes, empty file", "/bytes", [_part(b"content", b"", b"f")]),
    _multipart("many", "/many", [_part(b"files", b"1", b"a"), _part(b"files", b"22", b"b")],
               method="PUT"),
    _multipart("many, a text among files", "/many",
               [_part(b"files", b"1", b"a"), _part(b"files", b"x")], method="PUT"),
    _multipart("many, none", "/many", [_part(b"other", b"1", b"a")], method="PUT"),
    case("maybe, no body", "/maybe", "POST"),
    _multipart("maybe, a file", "/maybe", [_part(b"file", b"abc", b"x.bin")]),
    _multipart("maybe, empty label", "/maybe", [_part(b"label", b"")]),
    _form("mixed", "/mixed", b'title=t&item={"name":"a"}'),
    case("mixed, JSON", "/mixed", "POST", J, b'{"title": "t", "item": {"name": "a"}}'),
    _multipart("mixed, multipart", "/mixed", [_part(b"title", b"t"), _part(b"item", b"{}")]),
    _multipart("contents", "/contents", [_part(b"parts", b"1", b"a"), _part(b"parts", b"2", b"b")]),
    _multipart("contents, a text among files", "/contents",
               [_part(b"parts", b"1", b"a"), _part(b"parts", b"x")]),
    # Starlette's limits: 1,000 fields, 1,000 files, 1 MiB a field or part.
    _form("form, 1,000 fields", "/one", b"&".join([b"value=1"] * 1000)),
    _form("form, 1,001 fields", "/one", b"&".join([b"value=1"] * 1001)),
    _form("form, a 1 MiB field", "/one", b"value=" + b"x" * (1024 * 1024 - 5)),
    _form("form, a field over 1 MiB", "/one", b"value=" + b"x" * (1024 * 1024 - 4)),
    _form("form, a name over 1 MiB, never ended", "/one", b"value=1&" + b"x" * (1024 * 1024 + 1)),
    _multipart("multipart, 1,001 fields", "/one", [_part(b"value", b"1")] * 1001),
    _multipart("multipart, 1,001 files", "/many", [_part(b"files", b"1", b"f")] * 1001,
               method="PUT"),
    _multipart("multipart, a part of 1 MiB", "/one", [_part(b"value", b"x" * (1024 * 1024))]),
    _multipart("multipart, a part over 1 MiB", "/one",
               [_part(b"value", b"x" * (1024 * 1024 + 1))]),
    _multipart("multipart, an unclosed part over 1 MiB", "/one",
               [_part(b"value", b"x" * (1024 * 1024 + 1))], close=False),
    _multipart("multipart, a file over 1 MiB", "/bytes",
               [_part(b"content", b"y" * (1024 * 1024 + 1), b"big")]),
    case("form on GET, no body", "/search?page=2"),
    _form("form on GET", "/search?page=x", b"q=found", method="GET"),
]

TEMPORAL_CASES = (
    _q("/date", "d", ["2020-01-02", "2020-1-2", "2020-02-30", "2020-02-29", "2021-02-29",
                      "0000-01-01", "9999-12-31", "20200102", "2020-01-02T00:00", "1e3", "0",
                      "-86401", "1234567890123", "nan", "inf", "-inf", "%202020-01-02",
                      "2020-01-02%0A", "2020-01-02%0A%0A", "%EF%BC%92020-01-02", "1_000",
                      "%20%2012%20", "", "x"])
    + _q("/datetime", "t", ["2020-01-02T03:04:05", "2020-01-02%2003:04", "2020-01-02T03:04:05Z",
                            "2020-01-02T03:04:05.5+05:30", "2020-01-02T03:04:05.1234567-0800",
                            "2020-01-02T03:04:05.1234567891234", "2020-01-02T03:04:05+05",
                            "2020-01-02T03:04:05%2B24:00", "2020-01-02T03:04:05%2B23:99",
                            "2020-01-02T03:04:05-00:00", "2020-01-02T24:00", "2020-01-02T23:60",
                            "2020-01-02T23:59:60", "2020-01-02T3:4:5", "2020-01-02", "1.5",
                            "1600000000", "1600000000000", "1600000000000000", "3e20", "4e20",
                            "-4e20", "1e-7", "0.0000005", "0.0000015", "-1.0000005",
                            "2020-01-02T03:04:05%0A", "nan", "2020-01-02t03:04"])
    + _q("/time", "t", ["03:04", "03:04:05.000001", "3:4:5.5Z", "23:59:59+01:30",
                        "24:00", "12:00:00-2400", "12:00:00+0000", "0", "86399.9999999",
                        "86400", "3600.5", "-0.0000001", "1e3", "12:00%0A", "inf", "nan",
                        "12:30:"])
    + _q("/duration", "d", ["5", "-5", "1.5", "-1.5", "1:30", "1:2:3", "-1:2:3", "1:-2:3",
                            "1:02:03.5", "2%20days,%201:02:03", "3%20day%2004", "1%2000:00:01", "P1D",
                            "-P1DT2H", "%2BPT1.5H", "PT5M30S", "P1.5D", "P1,5D", "PT", "P",
                            "1e3", "nan", "99999999999:0:0", "1.0000005", "1%0A", "x"])
    + _q("/decimal", "x", ["1.50", "1", "1e2", "1E%2B2", "1e-2", "-0", "-0.0", "1_000", "1__0",
                           "_1_", ".5", "5.", "%201%20", "inf", "-Infinity", "nan", "NaN12",
                           "sNaN", "1e", "x", "0x10", "123456789012345678",
                           "12345678901234567890.5", "%D9%A1%D9%A2", "1.2.3", "True"])
    + [
        case("date path", "/days/2020-03-04?until=2020-03-05T00:00&also=2020-01-01&also=5"),
        case("date path invalid", "/days/2020-13-01?until=x&also=y"),
        case("date path, null until", "/days/1"),
        case("float path as Unix time", "/stamps/1600000000.25"),
        case("float path, big", "/stamps/1e12"),
        case("date header", "/header-date", headers=[("x-day", "2020-05-06")]),
        case("date header invalid", "/header-date", headers=[("x-day", "May 6")]),
        case("date header missing", "/header-date"),
        case("event", "/event", "POST", J,
             b'{"when": "2020-01-02T03:04:05Z", "day": 18000, "at": "12:00",'
             b' "length": "P1DT1S", "price": "9.99"}'),
        case("event, numbers", "/event", "POST", J,
             b'{"when": 1.5, "day": true, "at": 3600, "length": 90.5, "price": 1e16}'),
        case("event, defaults", "/event", "POST", J,
             b'{"when": "2020-01-02%2003:04", "day": "2020-01-02", "price": 3}'),
        case("event, every error", "/event", "POST", J,
             b'{"when": [], "day": {}, "at": "noon", "length": [1], "price": "lots"}'),
        case("event, null and not finite", "/event", "POST", J,
             b'{"when": null, "day": "2020-02-30", "at": null, "length": null,'
             b' "price": "Infinity"}'),
        case("event, NaN", "/event", "POST", J,
             b'{"when": NaN, "day": NaN, "at": NaN, "length": NaN, "price": NaN}'),
        case("event, booleans", "/event", "POST", J,
             b'{"when": false, "day": true, "at": true, "length": true, "price": true}'),
        case("schedule", "/schedule", "POST", J,
             b'{"days": ["2020-01-01", 0, "2020-1-9"], "gaps": {"a": "1:00", "b": 5}}'),
        case("schedule errors", "/schedule", "POST", J,
             b'{"days": ["2020-01-01", "x"], "gaps": {"a": "y"}}'),
        case("embedded body datetime and decimal", "/when", "POST", J,
             b'{"when": "2020-01-02T03:04:05.000001+00:00", "price": "0.1"}'),
        case("embedded body, bad", "/when", "POST", J, b'{"when": "soon", "price": []}'),
        case("time from a negative number: OverflowError, 500", "/time?t=-1"),
        case("duration overflow: 500", "/duration?d=9999999999%20days,%200:00:00"),
    ]
)

# Requests for the known differences, so that each docs/differences.md entry is exercised.
KNOWN_CASES = {
    "routing.yaml": [
        case("known: trailing newline", "/users/me%0A"),
        case("known: trailing newline, int converter", "/conv/int/5%0A"),
        case("known: integer range", "/items/99999999999999999999999"),
    ],
    "fidelity.yaml": [
        case("known: a control character in a header value", "/header/a%0Ab"),
        case("known: a NUL in a header value", "/header/a%00b"),
    ],
    "bodies.yaml": [
        case("known: JSON nesting depth 968", "/body/item", "POST", J,
             b"[" * 968 + b"]" * 968),
        case("known: lone surrogate echoed", "/body/str", "POST", J, b'"\\ud800"'),
    ],
}

# Every app serves its OpenAPI document (issue 3 section 4), and a user route
# there is shadowed by it.
OPENAPI_CASES = [case("openapi document", "/openapi.json"),
                 case("openapi HEAD", "/openapi.json", "HEAD"),
                 case("openapi POST", "/openapi.json", "POST"),
                 case("openapi slash", "/openapi.json/")]

GOLDEN_FILES = {"1": "routing.yaml", "3": "routing.yaml", "2": "params.yaml", "h": "params.yaml",
                "0": "params.yaml", "5": "bodies.yaml", "6": "bodies.yaml"}

PATH_VALUES = ["7", "007", "0", "-3", "+3", "3.0", "1.5", "01.50", "1e5", ".5", "abc", "a%20b",
               "a+b", "%ZZ", "%FF", "%C3%A9", "a%2Fb", "a/b", "%2e", "true", "YES", "off",
               "12345678-1234-1234-1234-123456789abc", "12345678-1234-1234-1234-123456789ABC",
               "12345678123456781234567812345678", "red", "green", "blue", "me", "fixed", ""]
QUERY_VALUES = ["", "1", "-2", "5_000", "+5+", "%205%20", "1.0", "0.5", "nan", "x", "abc",
                "abcdef", "a+b", "%2B", "%26", "%C3%A9", "%FF", "true", "off", "2", "red", "RED",
                "12345678-1234-5678-1234-567812345678", "zz", "ab", "Ab1", "tok-1"]
HEADER_VALUES = ["1", " 5", "five", "", "tok-12", "a,b", "red", "true"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


def _param_names(route):
    return re.findall(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_]+))?\}", route["path"])


def random_target(rng, route):
    """A target for `route`'s template, often wrong on purpose."""
    def fill(m):
        converter = m.group(2) or "str"
        if converter == "path" and rng.random() < 0.5:
            return rng.choice(["a/b", "", "x/y/z.txt", "a%2Fb"])
        return rng.choice(PATH_VALUES)
    path = re.sub(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_]+))?\}", fill, route["path"])
    roll = rng.random()
    if roll < 0.1:
        path = path.rstrip("/") if path.endswith("/") and path != "/" else path + "/"
    elif roll < 0.15:
        path = path.replace("/", "//", 1)
    elif roll < 0.2:
        path = path + "/extra"
    if not path.startswith("/"):  # "/{p}/" with p = "" and the slash stripped
        path = "/" + path
    query = []
    for p in route.get("params") or []:
        location = p.get("in", "path" if p["name"] in dict(_param_names(route)) else "query")
        if location != "query":
            continue
        key = p.get("alias", p["name"])
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            query.append((urllib.parse.quote(key, safe=";"), rng.choice(QUERY_VALUES)))
    if rng.random() < 0.2:
        query.append((rng.choice(["zz", "q", "n", "Q"]), rng.choice(QUERY_VALUES)))
    rng.shuffle(query)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


def random_headers(rng, route):
    headers = []
    for p in route.get("params") or []:
        if p.get("in") != "header":
            continue
        name = p.get("alias") or (p["name"].replace("_", "-")
                                   if p.get("convert_underscores", True) else p["name"])
        for _ in range(rng.choice([0, 1, 1, 2])):
            headers.append((name.lower(), rng.choice(HEADER_VALUES)))
    if rng.random() < 0.1:
        headers.append(("host", rng.choice(["example.com:8080", "h", "[::1]", "bad host"])))
    return headers


def random_body(rng, spec, route):
    """A body for the route's body parameters: valid, or wrong in some way."""
    body_params = [p for p in route.get("params") or [] if p.get("in") == "body" or
                   (p.get("type", "str") in (spec.get("models") or {}))]
    if not body_params:
        return [], b""

    def value_for(type_name, depth=0):
        models = spec.get("models") or {}
        type_name = type_name.replace("Optional[", "").replace("]", "") \
            if type_name.startswith("Optional[") else type_name
        if type_name in models and depth < 3:
            out = {}
            for name, field in models[type_name].items():
                field = field if isinstance(field, dict) else {"type": field}
                if rng.random() < 0.9:
                    out[field.get("alias", name)] = value_for(field.get("type", "str"), depth + 1)
            return out
        if type_name.startswith(("List[", "list[")):
            return [value_for(type_name[5:-1], depth + 1) for _ in range(rng.randint(0, 3))]
        pools = {"str": ["x", "ab", "", 5, None, "é", ["a"]],
                 "int": [1, 7, "5", " 3 ", 1.5, True, "x", None, 10, 0],
                 "float": [1, 2.5, "2.5", "x", True, None, 0.3, 1e308],
                 "bool": [True, False, "yes", 2, 1.0, "x", None],
                 "uuid": ["12345678-1234-5678-1234-567812345678", "zz", 5],
                 "Color": ["red", "green", "blue", 1]}
        return rng.choice(pools.get(type_name, pools["str"]))

    single = len(body_params) == 1 and not body_params[0].get("embed")
    if single:
        document = value_for(body_params[0].get("type", "str"))
    else:
        document = {p["name"]: value_for(p.get("type", "str")) for p in body_params
                    if rng.random() < 0.9}
    text = json.dumps(document, ensure_ascii=rng.random() < 0.5).encode()
    roll = rng.random()
    if roll < 0.08:
        text = text[:max(0, len(text) - rng.randint(1, 4))]  # truncated JSON
    elif roll < 0.12:
        text = b""
    elif roll < 0.15:
        text = b"null"
    headers = J
    roll = rng.random()
    if roll < 0.1:
        headers = [("content-type", "text/plain")]
    elif roll < 0.2:
        headers = []
    return headers, text


def generated_cases(rng, spec, count, label):
    routes = fastapi_adapter.flat_routes(spec)
    out = []
    for i in range(count):
        route = rng.choice(routes)
        methods = route.get("methods") or [route.get("method", "GET")]
        method = rng.choice(methods) if rng.random() < 0.85 else rng.choice(METHODS)
        headers = random_headers(rng, route)
        body_headers, body = random_body(rng, spec, route)
        out.append(case(f"{label} random {i}: {route['name']}", random_target(rng, route),
                        method, headers + body_headers, body))
    return out


def generated_route_file(rng, path, count=16):
    """Random templates with mixed converters, overlapping on purpose."""
    words = ["a", "b", "items", "users", "x"]
    lines = ["# Generated by tests/conformance/run_conformance.py: random templates.",
             "enums:", "  Color: [red, green]", "routes:"]
    compatible = {"str": ["str", "int", "float", "bool", "uuid", "Color"],
                  "int": ["int", "str", "float", "bool"], "float": ["float", "str", "int"],
                  "uuid": ["uuid", "str"], "path": ["str"]}
    for r in range(count):
        segments = []
        params = []
        for s in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.4:
                segments.append(rng.choice(words))
                continue
            name = f"p{len(params)}"
            converter = rng.choice(["", "str", "int", "float", "uuid"])
            if s == 2 and rng.random() < 0.3:
                converter = "path"
            piece = "{" + name + (":" + converter if converter else "") + "}"
            if rng.random() < 0.2:
                piece = "pre-" + piece + ".txt"
            segments.append(piece)
            params.append({"name": name, "in": "path",
                           "type": rng.choice(compatible[converter or "str"])})
        for q in range(rng.randint(0, 2)):
            p = {"name": f"q{q}", "in": "query",
                 "type": rng.choice(["str", "int", "float", "bool", "Color", "List[int]",
                                     "List[str]"])}
            if rng.random() < 0.5:
                p["default"] = {"str": "d", "int": 3, "float": 0.5, "bool": True, "Color": "red",
                                "List[int]": [], "List[str]": None}[p["type"]]
            if p["type"] == "int" and rng.random() < 0.4:
                p["gt"] = 0
            if p["type"] == "str" and rng.random() < 0.4:
                p["min_length"] = 2
            params.append(p)
        if rng.random() < 0.3:
            params.append({"name": "x_h", "in": "header",
                           "type": rng.choice(["str", "int"]), "default": None})
        template = "/" + "/".join(segments) + ("/" if rng.random() < 0.15 else "")
        methods = rng.choice([["GET"], ["GET"], ["POST"], ["GET", "POST"], ["PUT", "DELETE"]])
        body = ", ".join(f'{p["name"]}: "{{{p["name"]}}}"' for p in params)
        kind = rng.choice(["async", "sync"])
        lines.append(f"  - name: r{r}")
        lines.append(f"    path: {json.dumps(template)}")
        lines.append(f"    methods: {json.dumps(methods)}")
        lines.append(f"    kind: {kind}")
        lines.append(f"    params: {json.dumps(params)}")
        lines.append(f"    steps: [{{respond: {{body: {{route: r{r}, {body}}}}}}}]")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# ---- the run ----------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True, help="the corouter-server binary")
    parser.add_argument("--seed", type=int, default=20230401, help="seed of the random requests")
    parser.add_argument("--random", type=int, default=150,
                        help="random requests per route file (twice that for the generated one)")
    parser.add_argument("--verbose", action="store_true", help="print every request")
    args = parser.parse_args()

    titles = readme_differences()
    missing = [title for title, _ in KNOWN if title not in titles]
    if missing:
        print(f"FAIL: KNOWN names docs/differences.md entries that do not exist: {missing}")
        print("0 passed, 1 failed")
        return 1

    workdir = tempfile.mkdtemp(prefix="corouter-conformance-")
    try:
        return run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir):
    pb = compile_proto(workdir)
    golden = load_golden()
    rng = random.Random(args.seed)
    generated = os.path.join(workdir, "generated.yaml")
    generated_route_file(rng, generated)

    apps = os.path.join(HERE, "apps")
    suites = [(os.path.join(ROOT, "examples/seed_app.yaml"), list(SEED_CASES))]
    for name in ("routing.yaml", "params.yaml", "bodies.yaml"):
        cases = [dict(c) for c in golden.CASES if GOLDEN_FILES[c["row"][0]] == name]
        suites.append((os.path.join(apps, name), cases + KNOWN_CASES.get(name, [])))
    suites.append((os.path.join(apps, "fidelity.yaml"),
                   list(FIDELITY_CASES) + KNOWN_CASES.get("fidelity.yaml", [])))
    suites.append((os.path.join(apps, "dependencies.yaml"), list(DEPENDENCY_CASES)))
    suites.append((os.path.join(apps, "response_model.yaml"), list(RESPONSE_MODEL_CASES)))
    suites.append((os.path.join(apps, "types.yaml"), list(TYPE_CASES)))
    suites.append((os.path.join(apps, "temporal.yaml"), list(TEMPORAL_CASES)))
    suites.append((os.path.join(apps, "forms.yaml"), list(FORM_CASES)))
    suites.append((generated, []))

    passed = failed = known = validated = 0
    known_seen = {}
    statuses = {}
    loop = asyncio.new_event_loop()
    for app_file, cases in suites:
        spec = fastapi_adapter.load_route_file(app_file)
        label = os.path.basename(app_file)
        cases = cases + OPENAPI_CASES + generated_cases(
            rng, spec, args.random * (2 if cases == [] else 1), label)
        fastapi_app = fastapi_adapter.build_app(app_file, TIME_SCALE)
        server = Corouter(args.server, app_file, workdir, pb)
        try:
            for c in cases:
                c = sendable(c)
                want, wire_headers = fastapi_call(golden, loop, fastapi_app, server.port, c)
                got = server.call(c["method"], c["target"], wire_headers, c["body"])
                statuses[want["status"]] = statuses.get(want["status"], 0) + 1
                a, b = normalise(want), normalise(got)
                where = f'[{label}] {c["row"]}: {c["method"]} {c["target"]}'
                if c["row"] == "openapi document":
                    # What FastAPI's own document breaks (an operation on a
                    # method OpenAPI 3.0 has no field for, such as PURGE,
                    # which corouter reproduces byte for byte) is not ours.
                    theirs = set(openapi_problems(want.get("body", b"null")))
                    ours = openapi_problems(got.get("body", b"null"))
                    problems = [p for p in ours if p not in theirs]
                    excused = len(ours) - len(problems)
                    print(f"{'ok   ' if not problems else 'FAIL '} [{label}] /openapi.json is "
                          f"a valid OpenAPI 3.0 document{': ' if problems else ''}"
                          f"{'; '.join(problems[:5])}" +
                          (f" (but for the {excused} errors FastAPI's own has)" if excused else ""))
                    validated += 1
                    if problems:
                        failed += 1
                        continue
                explained = [] if a == b else [
                    title for title, applies in KNOWN if applies(c, want, got)]
                if _path(c) == "/openapi.json" and c["method"] == "GET" and "grpc" not in got:
                    _LAST_DOCUMENTS.clear()
                    _LAST_DOCUMENTS.update(want=want["body"], got=got["body"],
                                           explained=set(explained))
                if a == b:
                    passed += 1
                    if args.verbose:
                        print(f"ok    {where}")
                    continue
                if explained:
                    passed += 1
                    known += 1
                    for title in explained:
                        known_seen[title] = known_seen.get(title, 0) + 1
                    print(f"known {where} (docs/differences.md: {'; '.join(explained)})")
                    if args.verbose:
                        print(f"      fastapi  {str(want)[:300]}\n      corouter {str(got)[:300]}")
                    continue
                failed += 1
                print(f"FAIL  {where}\n      headers {c['headers']} body {c['body'][:200]!r}\n"
                      f"      fastapi  {str(want)[:1000]}\n      corouter {str(got)[:1000]}\n"
                      f"      {describe_difference(want, got)}")
        finally:
            problem = server.close()
        if problem:
            failed += 1
            print(f"FAIL  [{label}] {problem}")
    loop.close()
    print(f"{validated} OpenAPI documents validated against {OPENAPI_SCHEMA}")
    print("FastAPI's statuses: " + ", ".join(f"{k} x{v}" for k, v in sorted(statuses.items())))
    print(f"{passed + failed} requests compared over {len(suites)} route files; "
          f"{known} known differences: " +
          (", ".join(f"{t} x{n}" for t, n in sorted(known_seen.items())) or "none"))
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
