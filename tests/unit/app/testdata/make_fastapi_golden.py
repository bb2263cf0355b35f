#!/usr/bin/python3
"""Writes fastapi_golden.jsonl: what FastAPI 0.92 answers to each request below.

Run with Debian bookworm's Python and FastAPI (apt-get install python3-fastapi):
    /usr/bin/python3 tests/unit/app/testdata/make_fastapi_golden.py

Each request goes straight to the ASGI app with the scope uvicorn 0.17 (h11)
builds (uvicorn/protocols/http/h11_impl.py): the target split at the first
'?', `path = unquote(raw_path)`, the query string raw, header names lowercased,
`server = ("testserver", 80)`. (TestClient is not used: httpx normalises
"/./" and "//" away before the app sees them.)

tests/unit/app/fastapi_golden_test.cc declares the same path operations in C++
and replays every line; keep the two in step. Each case names the row of
../shared/reference/fastapi-semantics.md it checks.
"""
import asyncio
import enum
import json
import os
import sys
import uuid
from typing import List, Optional
from urllib.parse import unquote

import fastapi
from fastapi import Body, FastAPI, Header, HTTPException, Query, Response
from pydantic import BaseModel, Field

assert fastapi.__version__ == "0.92.0", fastapi.__version__

# The built-in /openapi.json and /docs routes are issue 3 section 4's business.
app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


class Color(str, enum.Enum):
    red = "red"
    green = "green"


class Child(BaseModel):
    x: int
    y: Optional[str] = None


class Item(BaseModel):
    name: str
    price: float
    tags: List[str] = []
    desc: Optional[str] = None


class Full(BaseModel):
    s: str
    i: int
    f: float
    b: bool
    l: List[int] = []
    child: Optional[Child] = None
    req_child: Child
    maybe: Optional[int] = ...
    u: uuid.UUID = None
    c: Color = None
    lim: str = Field("dflt", min_length=2, max_length=4)
    n: int = Field(5, gt=0, le=10)
    al: str = Field("a", alias="Al-ias")


# Every echo endpoint returns its parameters: locals() holds exactly them.
# -- section 3: matching, conflicts --------------------------------------
@app.get("/users/me")
def users_me():
    return {"route": "users_me"}


@app.get("/users/{id}")
def users_id(id: str):
    return locals()


@app.get("/late/{x}")
def late_x(x: str):
    return locals()


@app.get("/late/me")
def late_me():
    return {"route": "late_me"}


@app.get("/dup")
def dup_first():
    return {"which": 1}


@app.get("/dup")
def dup_second():
    return {"which": 2}


@app.get("/fall/{x}")
def fall_int(x: int):
    return locals()


@app.get("/fall/{x}")
def fall_str(x: str):
    return {"second": x}


@app.get("/fallc/{x:int}")
def fallc_int(x: int):
    return locals()


@app.get("/fallc/{x}")
def fallc_str(x: str):
    return {"second": x}


@app.get("/multi-method")
def mm_get():
    return {"m": "GET"}


@app.put("/multi-method")
def mm_put():
    return {"m": "PUT"}


@app.delete("/multi-method")
def mm_delete():
    return {"m": "DELETE"}


@app.get("/pf/{x}")
def pf_get(x: str):
    return locals()


@app.put("/pf/{x}")
def pf_put(x: str):
    return locals()


@app.post("/pf/fixed")
def pf_fixed():
    return {"route": "pf_fixed"}


@app.get("/Case")
def case():
    return {"route": "Case"}


@app.get("/slash")
def slash():
    return {"route": "slash"}


@app.get("/withslash/")
def withslash():
    return {"route": "withslash"}


@app.get("/items/{item_id}")
def items(item_id: int):
    return locals()


# -- section 1: templates and converters -------------------------------
@app.get("/conv/int/{v:int}")
def conv_int(v: int):
    return locals()


@app.get("/conv/float/{v:float}")
def conv_float(v: float):
    return locals()


@app.get("/conv/path/{p:path}")
def conv_path(p: str):
    return locals()


@app.get("/conv/uuid/{u:uuid}")
def conv_uuid(u: uuid.UUID):
    return locals()


@app.get("/conv/tail/{p:path}/tail")
def conv_tail(p: str):
    return locals()


@app.get("/prefix-{name}.txt")
def prefix(name: str):
    return locals()


@app.get("/two/{a}-{b}")
def two(a: str, b: str):
    return locals()


@app.get("/cv/int/{v:int}/str")
def cv_int_str(v: str):
    return locals()


@app.get("/cv/float/{v:float}/str")
def cv_float_str(v: str):
    return locals()


@app.get("/cv/float/{v:float}/int")
def cv_float_int(v: int):
    return locals()


@app.get("/cv/int/{v:int}/float")
def cv_int_float(v: float):
    return locals()


@app.get("/cv/int/{v:int}/bool")
def cv_int_bool(v: bool):
    return locals()


@app.get("/cv/uuid/{v:uuid}/str")
def cv_uuid_str(v: str):
    return locals()


@app.get("/cv/int/{v:int}/enum")
def cv_int_enum(v: Color):
    return locals()


@app.get("/p/float/{v}")
def p_float(v: float):
    return locals()


@app.get("/p/bool/{v}")
def p_bool(v: bool):
    return locals()


@app.get("/p/uuid/{v}")
def p_uuid(v: uuid.UUID):
    return locals()


@app.get("/p/enum/{c}")
def p_enum(c: Color):
    return locals()


@app.get("/drop/{x}")
def drop():
    return {"route": "drop"}


@app.get("/notpath/{x}")
def notpath(y: int):
    return locals()


# -- section 2: query parameters ---------------------------------------
@app.get("/q/str")
def q_str(q: str):
    return locals()


@app.get("/q/opt")
def q_opt(q: Optional[str] = None):
    return locals()


@app.get("/q/int")
def q_int(n: int):
    return locals()


@app.get("/q/optint")
def q_optint(n: Optional[int] = None):
    return locals()


@app.get("/q/bool")
def q_bool(b: bool):
    return locals()


@app.get("/q/list")
def q_list(q: List[str] = Query(None)):
    return locals()


@app.get("/q/listint")
def q_listint(q: List[int] = Query([])):
    return locals()


@app.get("/q/listreq")
def q_listreq(q: List[int] = Query(...)):
    return locals()


@app.get("/q/listdefault")
def q_listdefault(q: List[int] = Query(["1", "x"])):
    return locals()


@app.get("/q/listmin")
def q_listmin(q: List[str] = Query(None, min_length=2)):
    return locals()


@app.get("/q/alias")
def q_alias(q: str = Query(..., alias="item-q")):
    return locals()


@app.get("/q/len")
def q_len(q: str = Query(..., min_length=3, max_length=5)):
    return locals()


@app.get("/q/regex")
def q_regex(q: str = Query(..., regex="^[a-z]+$")):
    return locals()


@app.get("/q/regex-start")
def q_regex_start(q: str = Query(..., regex="ab")):
    return locals()


@app.get("/q/gt")
def q_gt(n: int = Query(..., gt=0, lt=10)):
    return locals()


@app.get("/q/ge")
def q_ge(n: float = Query(..., ge=0.5, le=10)):
    return locals()


@app.get("/q/enum")
def q_enum(c: Color = Query(Color.red)):
    return locals()


@app.get("/q/uuid")
def q_uuid(u: uuid.UUID):
    return locals()


@app.get("/q/default")
def q_default(n: int = 5, s: str = "x"):
    return locals()


@app.get("/q/many")
def q_many(a: str = "", b: str = "", e: Optional[str] = None, f: Optional[str] = None,
           j: Optional[str] = None, k: Optional[str] = None):
    return locals()


@app.get("/q/semi")
def q_semi(a: Optional[str] = Query(None, alias=";a"), b: Optional[str] = None):
    return locals()


@app.get("/q/unicode")
def q_unicode(e: Optional[str] = Query(None, alias="\u00e9")):
    return locals()


# -- headers ---------------------------------------------------------------
@app.get("/h/one")
def h_one(x_token: str = Header(...)):
    return locals()


@app.get("/h/int")
def h_int(x_num: int = Header(...)):
    return locals()


@app.get("/h/list")
def h_list(x_tag: List[str] = Header(None)):
    return locals()


@app.get("/h/alias")
def h_alias(v: str = Header(..., alias="X-Custom")):
    return locals()


@app.get("/h/nounderscore")
def h_nounderscore(x_raw: Optional[str] = Header(None, convert_underscores=False)):
    return locals()


@app.get("/mix/{item_id}")
def mix(item_id: int, q: int, x_a: int = Header(...)):
    return locals()


# -- section 5: exceptions and serialisation ---------------------------
@app.get("/exc/teapot")
def exc_teapot():
    raise HTTPException(418, "I'm a teapot")


@app.get("/exc/detail")
def exc_detail():
    raise HTTPException(400, detail={"code": 7, "msg": "bad"}, headers={"X-Err": "1"})


@app.get("/exc/{code}")
def exc_code(code: int):
    raise HTTPException(code)


@app.get("/exc-headers/204")
def exc_204_headers():
    raise HTTPException(204, headers={"X-A": "b"})


@app.get("/boom")
async def boom():
    raise RuntimeError("boom")


@app.get("/ser/dict")
def ser_dict():
    return {"a": 1, "b": [1, 2], "c": None, "d": 1.5, "e": "\u00e9", "f": True}


@app.get("/ser/list")
def ser_list():
    return [1, "two", None]


@app.get("/ser/none")
def ser_none():
    return None


@app.get("/ser/str")
def ser_str():
    return "hello"


@app.get("/ser/int")
def ser_int():
    return 42


@app.get("/ser/float")
def ser_float():
    return 1.0


@app.get("/ser/uuid")
def ser_uuid():
    return {"u": uuid.UUID("12345678-1234-5678-1234-567812345678")}


@app.get("/ser/nan")
def ser_nan():
    return {"v": float("nan")}


@app.get("/ser/201", status_code=201)
def ser_201():
    return {"created": True}


@app.get("/ser/204", status_code=204)
def ser_204():
    return None


@app.get("/ser/203")
def ser_203(response: Response):
    response.status_code = 203
    return {"a": 1}


# -- section 6: request body -------------------------------------------
@app.post("/body/item")
def body_item(item: Item):
    return item


@app.post("/body/full")
def body_full(full: Full):
    return full


@app.post("/body/two")
def body_two(item: Item, user: str = Body(...)):
    return locals()


@app.post("/body/embed")
def body_embed(item: Item = Body(..., embed=True)):
    return locals()


@app.post("/body/mix/{item_id}")
def body_mix(item_id: int, item: Item, q: int = 1):
    return locals()


@app.post("/body/optional")
def body_optional(item: Optional[Item] = None):
    return locals()


@app.post("/body/str")
def body_str(s: str = Body(...)):
    return locals()


@app.post("/body/int")
def body_int(n: int = Body(...)):
    return locals()


@app.post("/body/float")
def body_float(x: float = Body(...)):
    return locals()


@app.post("/body/bool")
def body_bool(b: bool = Body(...)):
    return locals()


@app.post("/body/uuid")
def body_uuid(u: uuid.UUID = Body(...)):
    return locals()


@app.post("/body/list")
def body_list(l: List[int] = Body(...)):
    return locals()


@app.post("/body/constrained")
def body_constrained(s: str = Body(..., embed=True, min_length=2),
                     n: float = Body(0.5, gt=0.25, lt=1)):
    return locals()


J = [("content-type", "application/json")]
TEXT = [("content-type", "text/plain")]


def c(row, target, method="GET", headers=None, body=b""):
    return {"row": row, "method": method, "target": target, "headers": headers or [], "body": body}


CASES = [
    # section 1
    c("1 int param: abc -> 422", "/items/abc"),
    c("1 int param: 3.0 -> 422", "/items/3.0"),
    c("1 int param: -3", "/items/-3"),
    c("1 int param: +3", "/items/+3"),
    c("1 int param: 007", "/items/007"),
    c("1 int param: %207", "/items/%207"),
    c("1 {v:int}: -42 -> 404", "/conv/int/-42"),
    c("1 {v:int}: abc -> 404", "/conv/int/abc"),
    c("1 {v:int}: 007", "/conv/int/007"),
    c("1 {v:int} with v: str", "/cv/int/007/str"),
    c("1 {v:float}: 1.5", "/conv/float/1.5"),
    c("1 {v:float}: 3 -> 3.0", "/conv/float/3"),
    c("1 {v:float}: 1e5 -> 404", "/conv/float/1e5"),
    c("1 {v:float}: .5 -> 404", "/conv/float/.5"),
    c("1 {v:float}: -1.5 -> 404", "/conv/float/-1.5"),
    c("1 {v:float} with v: str", "/cv/float/01.50/str"),
    c("1 {v:float} with v: int", "/cv/float/1.9/int"),
    c("1 {v:int} with v: float", "/cv/int/7/float"),
    c("1 {v:int} with v: bool", "/cv/int/1/bool"),
    c("1 {v:int} with v: bool, 2", "/cv/int/2/bool"),
    c("1 {v:uuid} with v: str", "/cv/uuid/12345678-1234-1234-1234-123456789abc/str"),
    c("1 {v:int} with an enum", "/cv/int/5/enum"),
    c("1 {p:path}", "/conv/path/a/b/c.txt"),
    c("1 {p:path} empty", "/conv/path/"),
    c("1 {p:path} without the slash -> 307", "/conv/path"),
    c("1 {p:path}/tail", "/conv/tail/x/y/tail"),
    c("1 {u:uuid}", "/conv/uuid/12345678-1234-1234-1234-123456789abc"),
    c("1 {u:uuid} uppercase -> 404", "/conv/uuid/12345678-1234-1234-1234-123456789ABC"),
    c("1 parameter inside a segment", "/prefix-report.txt"),
    c("1 two parameters in a segment: greedy", "/two/x-y-z"),
    c("1 v: float, x", "/p/float/x"),
    c("1 v: float, 1e3", "/p/float/1e3"),
    c("1 v: float, nan -> 500", "/p/float/nan"),
    c("1 v: float, inf -> 500", "/p/float/inf"),
    c("1 v: bool, TrUe", "/p/bool/TrUe"),
    c("1 v: bool, off", "/p/bool/off"),
    c("1 v: bool, 2", "/p/bool/2"),
    c("1 v: uuid, 32 hex digits", "/p/uuid/12345678123456781234567812345678"),
    c("1 v: uuid, uppercase", "/p/uuid/12345678-1234-1234-1234-123456789ABC"),
    c("1 v: uuid, braces and urn", "/p/uuid/urn:uuid:%7B12345678-1234-1234-1234-123456789abc%7D"),
    c("1 v: uuid, zz", "/p/uuid/zz"),
    c("1 enum, bad value", "/p/enum/blue"),
    c("1 enum, good value", "/p/enum/green"),
    c("1 template parameter missing from the signature", "/drop/1"),
    c("1 signature parameter missing from the template is a query", "/notpath/1?y=2"),
    c("1 signature parameter missing from the template, absent", "/notpath/1"),
    # section 2
    c("2 separator: only &", "/q/semi?;a=1;b=2"),
    c("2 + is a space, %2B and %26", "/q/many?a=1+2&b=%2B%26"),
    c("2 %XX as UTF-8", "/q/unicode?%C3%A9=%E2%82%AC"),
    c("2 %FF -> U+FFFD", "/q/str?q=%FF"),
    c("2 %ZZ and a lone %", "/q/many?a=%ZZ&b=%"),
    c("2 e (no =) / f=", "/q/many?e&f="),
    c("2 j==x / k=a=b", "/q/many?j==x&k=a=b"),
    c("2 key case", "/q/str?Q=b"),
    c("2 repeated key, last wins", "/q/str?q=a&q=b"),
    c("2 list: repeated keys", "/q/list?q=a&q=b&q=c"),
    c("2 list: a,b", "/q/list?q=a,b"),
    c("2 list: q=", "/q/list?q="),
    c("2 list: missing", "/q/list"),
    c("2 list: q[] not recognised", "/q/list?q[]=a"),
    c("2 list[int]: per-item errors", "/q/listint?q=1&q=x&q=y"),
    c("2 list[int] = Query([]): missing", "/q/listint"),
    c("2 list[int] required: missing", "/q/listreq"),
    c("2 list[int] default is validated", "/q/listdefault"),
    c("2 list constraints apply per item", "/q/listmin?q=abc&q=a"),
    c("2 missing required", "/q/str"),
    c("2 q: str with ?q=", "/q/str?q="),
    c("2 n: int with ?n=", "/q/int?n="),
    c("2 Optional[int] with ?n=", "/q/optint?n="),
    c("2 Optional[int] absent", "/q/optint"),
    c("2 int: ' 5 '", "/q/int?n=%205%20"),
    c("2 int: +5", "/q/int?n=%2B5"),
    c("2 int: -0", "/q/int?n=-0"),
    c("2 int: 5_000", "/q/int?n=5_000"),
    c("2 int: 1.0", "/q/int?n=1.0"),
    c("2 int: 0x10", "/q/int?n=0x10"),
    c("2 bool: YES", "/q/bool?b=YES"),
    c("2 bool: empty", "/q/bool?b="),
    c("2 bool: bare ?b", "/q/bool?b"),
    c("2 bool: %20true", "/q/bool?b=%20true"),
    c("2 alias: only the alias is read", "/q/alias?q=x"),
    c("2 alias: read", "/q/alias?item-q=x"),
    c("2 min_length", "/q/len?q=ab"),
    c("2 max_length", "/q/len?q=abcdef"),
    c("2 length counts characters", "/q/len?q=%C3%A9%C3%A9%C3%A9"),
    c("2 regex", "/q/regex?q=ab1"),
    c("2 regex ok", "/q/regex?q=abc"),
    c("2 regex is re.match: anchored at the start only", "/q/regex-start?q=abcd"),
    c("2 regex is re.match: not a search", "/q/regex-start?q=xab"),
    c("2 gt", "/q/gt?n=0"),
    c("2 lt", "/q/gt?n=10"),
    c("2 gt, type first", "/q/gt?n=x"),
    c("2 ge with a float limit", "/q/ge?n=0.25"),
    c("2 le", "/q/ge?n=10.5"),
    c("2 ge, nan", "/q/ge?n=nan"),
    c("2 enum default", "/q/enum"),
    c("2 enum bad", "/q/enum?c=RED"),
    c("2 uuid", "/q/uuid?u=12345678-1234-5678-1234-567812345678"),
    c("2 uuid 0x prefix and spaces", "/q/uuid?u=%200x345678123456781234567812345678"),
    c("2 defaults", "/q/default"),
    c("2 defaults overridden", "/q/default?n=7&s=y"),
    # headers
    c("h header", "/h/one", headers=[("x-token", "abc")]),
    c("h header missing", "/h/one"),
    c("h header: first of repeated fields", "/h/one", headers=[("x-token", "a"), ("x-token", "b")]),
    c("h header name case", "/h/one", headers=[("X-Token", "abc")]),
    c("h header latin-1", "/h/one", headers=[("x-token", "\u00e9".encode("latin-1"))]),
    c("h header int", "/h/int", headers=[("x-num", " 5")]),
    c("h header int bad", "/h/int", headers=[("x-num", "five")]),
    c("h header list", "/h/list", headers=[("x-tag", "a"), ("x-tag", "b")]),
    c("h header list missing", "/h/list"),
    c("h header alias", "/h/alias", headers=[("x-custom", "v")]),
    c("h convert_underscores=False", "/h/nounderscore", headers=[("x_raw", "1"), ("x-raw", "2")]),
    c("0 errors in order path, query, header", "/mix/abc?q=x", headers=[("x-a", "y")]),
    c("0 errors: missing", "/mix/abc"),
    # section 3
    c("3 /users/me before /users/{id}", "/users/me"),
    c("3 /users/{id}", "/users/42"),
    c("3 /late/{x} before /late/me", "/late/me"),
    c("3 two identical GET /dup", "/dup"),
    c("3 /fall/{x} int before str: 422, no fall-through", "/fall/abc"),
    c("3 /fallc/{x:int} before /fallc/{x}", "/fallc/abc"),
    c("3 /fallc/{x:int}", "/fallc/5"),
    c("3 404", "/nope"),
    c("3 405", "/users/me", method="POST"),
    c("3 405: first partial route's methods", "/multi-method", method="POST"),
    c("3 separate routes: DELETE", "/multi-method", method="DELETE"),
    c("3 later FULL beats earlier PARTIAL", "/pf/fixed", method="POST"),
    c("3 later FULL beats earlier PARTIAL: PUT", "/pf/fixed", method="PUT"),
    c("3 DELETE: first partial", "/pf/fixed", method="DELETE"),
    c("3 HEAD on @app.get", "/users/me", method="HEAD"),
    c("3 OPTIONS, path matches", "/users/me", method="OPTIONS"),
    c("3 OPTIONS, no path", "/nope", method="OPTIONS"),
    c("3 method case", "/users/me", method="get"),
    c("3 path case", "/case"),
    c("3 redirect_slashes: /slash/", "/slash/"),
    c("3 redirect_slashes: query copied raw", "/withslash?x=1&y=%20+"),
    c("3 redirect_slashes: POST too", "/slash/", method="POST"),
    c("3 redirect_slashes: every trailing slash", "/slash//"),
    c("3 redirect_slashes: /items/ with /items/{id}", "/items/"),
    c("3 redirect_slashes: not for /", "/"),
    c("3 redirect_slashes: host header", "/slash/", headers=[("host", "example.com:8080")]),
    c("3 redirect_slashes: IPv6 host", "/slash/", headers=[("host", "[::1]:80")]),
    c("3 redirect_slashes: invalid host", "/slash/", headers=[("host", "evil.com/x?")]),
    c("3 redirect_slashes: empty host", "/slash/", headers=[("host", "")]),
    c("3 redirect_slashes: no host", "/slash/", headers=[("host", None)]),
    c("3 redirect_slashes: quoting", "/users/%C3%A9%20%22%3C%25/", headers=[("host", "h")]),
    c("3 percent-encoded: /user%73/me", "/user%73/me"),
    c("3 percent-encoded: a%20b", "/users/a%20b"),
    c("3 percent-encoded: a%2Fb -> 404", "/users/a%2Fb"),
    c("3 percent-encoded: /slash%2F -> 307", "/slash%2F"),
    c("3 percent-encoded: path a%2Fb%3Fc", "/conv/path/a%2Fb%3Fc"),
    c("3 percent-encoded: + is literal", "/users/a+b"),
    c("3 no normalisation: //users/me", "//users/me"),
    c("3 no normalisation: /users//me", "/users//me"),
    c("3 no normalisation: /users/./me", "/users/./me"),
    c("3 no normalisation: /users/../users/me", "/users/../users/me"),
    c("3 no normalisation: //", "//"),
    c("3 invalid UTF-8 in the path", "/users/%FF"),
    c("3 %ZZ kept", "/users/%ZZ"),
    # section 5
    c("5 HTTPException(418)", "/exc/teapot"),
    c("5 detail dict and headers", "/exc/detail"),
    c("5 HTTPException(403)", "/exc/403"),
    c("5 HTTPException(204)", "/exc/204"),
    c("5 HTTPException(304)", "/exc/304"),
    c("5 HTTPException(101)", "/exc/101"),
    c("5 HTTPException(204, headers)", "/exc-headers/204"),
    c("5 HTTPException(499) without detail", "/exc/499"),
    c("5 unhandled exception", "/boom"),
    c("5 dict", "/ser/dict"),
    c("5 list", "/ser/list"),
    c("5 None", "/ser/none"),
    c("5 str", "/ser/str"),
    c("5 int", "/ser/int"),
    c("5 float", "/ser/float"),
    c("5 UUID in a dict", "/ser/uuid"),
    c("5 NaN -> 500", "/ser/nan"),
    c("5 status_code=201", "/ser/201"),
    c("5 status_code=204 returning None", "/ser/204"),
    c("5 response.status_code=203", "/ser/203"),
    # section 6
    c("6 model", "/body/item", "POST", J, b'{"name":"x","price":1}'),
    c("6 no content-type is JSON", "/body/item", "POST", [], b'{"name":"x","price":1}'),
    c("6 empty content-type is JSON", "/body/item", "POST", [("content-type", "")], b'{"name":"x","price":1}'),
    c("6 application/*+json", "/body/item", "POST", [("content-type", "application/vnd.api+json; charset=utf-8")], b'{"name":"x","price":1}'),
    c("6 content-type case and spaces", "/body/item", "POST", [("content-type", " Application/JSON ")], b'{"name":"x","price":1}'),
    c("6 text/plain -> raw -> dict error", "/body/item", "POST", TEXT, b'{"name":"x","price":1}'),
    c("6 two slashes -> text/plain", "/body/item", "POST", [("content-type", "application/json/x")], b'{"name":"x","price":1}'),
    c("6 missing field", "/body/item", "POST", J, b'{"name":"x"}'),
    c("6 price abc", "/body/item", "POST", J, b'{"name":"x","price":"abc"}'),
    c("6 price '2.5' coerced", "/body/item", "POST", J, b'{"name":"x","price":"2.5"}'),
    c("6 name an object", "/body/item", "POST", J, b'{"name":{"a":1},"price":1}'),
    c("6 [1,2]", "/body/item", "POST", J, b'[1,2]'),
    c("6 empty body", "/body/item", "POST", J, b''),
    c("6 null", "/body/item", "POST", J, b'null'),
    c("6 invalid JSON", "/body/item", "POST", J, b'not json'),
    c("6 truncated JSON", "/body/item", "POST", J, b'{"name":"x","price":1'),
    c("6 JSON: property name", "/body/item", "POST", J, b'{"name":"x",}'),
    c("6 JSON: colon", "/body/item", "POST", J, b'{"name" "x"}'),
    c("6 JSON: unterminated string", "/body/item", "POST", J, b'{"name":"x'),
    c("6 JSON: extra data", "/body/item", "POST", J, b'{"name":"x","price":1} x'),
    c("6 JSON: control character", "/body/item", "POST", J, b'{"name":"a\tb","price":1}'),
    c("6 JSON: invalid escape", "/body/item", "POST", J, b'{"name":"\\x","price":1}'),
    c("6 JSON: invalid \\u escape", "/body/item", "POST", J, b'{"name":"\\u12","price":1}'),
    c("6 JSON: lines and columns", "/body/item", "POST", J, b'{\n  "name": "x",\n  "price": ?\n}'),
    c("6 JSON: positions count characters", "/body/item", "POST", J, '{"name":"\u00e9\u20ac",x}'.encode()),
    c("6 JSON: whitespace only", "/body/item", "POST", J, b'  '),
    c("6 JSON: UTF-8 BOM", "/body/item", "POST", J, b'\xef\xbb\xbf{"name":"x","price":1}'),
    c("6 JSON: UTF-16", "/body/item", "POST", J, '{"name":"x","price":1}'.encode("utf-16")),
    c("6 JSON: invalid UTF-8 -> 400", "/body/item", "POST", J, b'{"name":"\xff","price":1}'),
    c("6 NaN accepted, then 500", "/body/item", "POST", J, b'{"name":"x","price":NaN}'),
    c("6 duplicate keys: last wins", "/body/item", "POST", J, b'{"name":"x","price":1,"name":"y"}'),
    c("6 path and body errors together", "/body/mix/abc?q=x", "POST", J, b'{"price":"z"}'),
    c("6 invalid JSON beats path errors", "/body/mix/abc?q=x", "POST", J, b'{"price":'),
    c("6 mix ok", "/body/mix/3", "POST", J, b'{"name":"x","price":1}'),
    c("6 two body params", "/body/two", "POST", J, b'{"item":{"name":"x","price":1},"user":"bob"}'),
    c("6 two body params missing", "/body/two", "POST", J, b'{}'),
    c("6 two body params, a list body", "/body/two", "POST", J, b'[1]'),
    c("6 two body params, raw body", "/body/two", "POST", TEXT, b'abc'),
    c("6 two body params, null member", "/body/two", "POST", J, b'{"item":null,"user":"bob"}'),
    c("6 two body params, a null body", "/body/constrained", "POST", J, b'null'),
    c("6 Body(embed=True) needs the key", "/body/embed", "POST", J, b'{"name":"x","price":1}'),
    c("6 Body(embed=True)", "/body/embed", "POST", J, b'{"item":{"name":"x","price":1}}'),
    c("6 optional body absent", "/body/optional", "POST"),
    c("6 optional body null", "/body/optional", "POST", J, b'null'),
    c("6 optional body invalid", "/body/optional", "POST", J, b'{"name":"x"}'),
    c("6 dict(): list of pairs", "/body/item", "POST", J, b'[["name","x"],["price",1]]'),
    c("6 dict(): two-character strings", "/body/item", "POST", J, b'["np","ab"]'),
    c("6 dict(): non-string keys", "/body/item", "POST", J, b'[[1,2]]'),
    c("6 dict(): empty string", "/body/item", "POST", J, b'""'),
    c("6 dict(): a string", "/body/item", "POST", J, b'"ab"'),
    c("6 dict(): a number", "/body/item", "POST", J, b'5'),
    c("6 null members", "/body/item", "POST", J, b'{"name":null,"price":1,"tags":[null,1,true]}'),
    c("6 scalar body: str from JSON true", "/body/str", "POST", J, b'true'),
    c("6 scalar body: str from 1.50", "/body/str", "POST", J, b'1.50'),
    c("6 scalar body: str from 1e400", "/body/str", "POST", J, b'1e400'),
    c("6 scalar body: str from a list", "/body/str", "POST", J, b'[1]'),
    c("6 scalar body: str from raw text", "/body/str", "POST", TEXT, 'raw \u00e9'.encode()),
    c("6 scalar body: str from raw invalid UTF-8", "/body/str", "POST", TEXT, b'raw \xff'),
    c("6 scalar body: str from truncated UTF-8", "/body/str", "POST", TEXT, b'\xe2\x82'),
    c("6 scalar body: int from true", "/body/int", "POST", J, b'true'),
    c("6 scalar body: int from 1.9", "/body/int", "POST", J, b'1.9'),
    c("6 scalar body: int from -1.9", "/body/int", "POST", J, b'-1.9'),
    c("6 scalar body: int from a string", "/body/int", "POST", J, b'"  7 "'),
    c("6 scalar body: int from 1e400", "/body/int", "POST", J, b'1e400'),
    c("6 scalar body: int from raw text", "/body/int", "POST", TEXT, b' 12 '),
    c("6 scalar body: float from raw text", "/body/float", "POST", TEXT, b'2.5'),
    c("6 scalar body: float from true", "/body/float", "POST", J, b'true'),
    c("6 scalar body: bool from 1.0", "/body/bool", "POST", J, b'1.0'),
    c("6 scalar body: bool from 2", "/body/bool", "POST", J, b'2'),
    c("6 scalar body: bool from raw text", "/body/bool", "POST", TEXT, b'Yes'),
    c("6 scalar body: uuid from 16 raw bytes", "/body/uuid", "POST", TEXT, bytes(range(16))),
    c("6 scalar body: uuid from a number", "/body/uuid", "POST", J, b'5'),
    c("6 scalar body: list with errors", "/body/list", "POST", J, b'[1,"2",null,"x"]'),
    c("6 scalar body: list from a string", "/body/list", "POST", J, b'"abc"'),
    c("6 constraints in the body", "/body/constrained", "POST", J, b'{"s":"a","n":1}'),
    c("6 constraints in the body ok", "/body/constrained", "POST", J, b'{"s":"ab"}'),
    c("6 coercions in a model", "/body/full", "POST", J,
      b'{"s":1,"i":"5_0","f":true,"b":"YES","l":[1,"2"],"req_child":{"x":"3"},"maybe":null,'
      b'"u":"{12345678123456781234567812345678}","c":"green","lim":"abc","n":10,"Al-ias":"z"}'),
    c("6 every kind of model error", "/body/full", "POST", J,
      b'{"s":[],"i":1.5,"f":"x","b":2,"l":"x","child":{"x":null},"req_child":[],"lim":"a",'
      b'"n":0,"u":"zz","c":"blue"}'),
    c("6 more model errors", "/body/full", "POST", J,
      b'{"s":true,"i":false,"f":1,"b":1.0,"req_child":{"x":1,"y":2},"lim":"abcde","n":11,"u":5}'),
]


async def call(method, target, headers, body, asgi_app=None, server=("testserver", 80)):
    """Sends one request to `asgi_app` (default: this file's app) as uvicorn
    would, `server` being the listening address; returns (out, wire headers).
    tests/conformance/run_conformance.py uses it for other apps."""
    asgi_app = asgi_app or app
    raw_path, _, query = target.encode("ascii").partition(b"?")
    sent = []
    has_host = False
    for name, value in headers:
        if name == "host":
            has_host = True
            if value is None:
                continue
        sent.append((name.lower().encode("latin-1"),
                     value if isinstance(value, bytes) else value.encode("latin-1")))
    if not has_host:
        sent.insert(0, (b"host", b"testserver"))
    if body:
        sent.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1", "server": server, "client": ("127.0.0.1", 50000),
        "scheme": "http", "method": method, "root_path": "",
        "path": unquote(raw_path.decode("ascii")), "raw_path": raw_path,
        "query_string": query,
        # h11 (uvicorn's parser) strips the optional whitespace around each
        # value (`OWS field-value OWS`); the wire headers stay as sent, so
        # the engine under test must strip them itself.
        "headers": [(k, v.strip(b" \t")) for k, v in sent],
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    out = {"status": None, "headers": [], "body": b""}

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = [[k.decode("latin-1"), v.decode("latin-1")]
                              for k, v in message["headers"]]
        elif message["type"] == "http.response.body" and method != "HEAD":
            # uvicorn writes no body for HEAD (its headers stay as sent).
            out["body"] += message.get("body", b"")

    try:
        await asgi_app(scope, receive, send)
    except Exception:  # ServerErrorMiddleware re-raises after answering 500
        pass
    wire_headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in sent]
    return out, wire_headers


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    lines = []
    for case in CASES:
        out, wire_headers = asyncio.run(
            call(case["method"], case["target"], case["headers"], case["body"]))
        lines.append(json.dumps({
            "row": case["row"], "method": case["method"], "target": case["target"],
            "headers": wire_headers, "body_hex": case["body"].hex(),
            "status": out["status"], "response_headers": out["headers"],
            "response_body": out["body"].decode("utf-8"),
        }, ensure_ascii=False))
    with open(os.path.join(here, "fastapi_golden.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
