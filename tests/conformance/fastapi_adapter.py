"""Builds the FastAPI app that a corouter route file describes.

A route file (server/app/route_file.h) declares what a FastAPI app declares in
Python: enums, pydantic models, path operations with typed parameters, and a
body of steps. build_app() writes the equivalent Python for each of them, so
that the conformance suite (run_conformance.py) can send the same requests to
corouter and to the real FastAPI 0.92 and compare the answers:

  route file                          Python built here
  enums: {Color: [red, green]}        class Color(str, Enum): red = "red"; ...
  models: {Item: {name: str, ...}}    class Item(BaseModel): name: str = Field(...)
  - name: f, path: /p, methods: [..]  app.add_api_route("/p", f, methods=[..], name="f")
    kind: async | sync                async def f(...) | def f(...)
    params: [{name: q, type: int,     def f(q: int = Query(5, gt=0), ...)
              default: 5, gt: 0}]
    steps: sleep | blocking | cpu     await asyncio.sleep(d) | time.sleep(d) | busy loop
           offload {steps}            await loop.run_in_executor(None, steps)
           gather [[..], [..]]        await asyncio.gather(branch1(), branch2())
           raise {status, detail,     raise HTTPException(status, detail, headers)
                  headers}
           fail MESSAGE               raise RuntimeError(MESSAGE)
           respond {status, headers,  status_code=status on the route;
                    body}             response.headers[k] = v; return body
           {sleep: d, await: false}   asyncio.sleep(d)  # missing await: never runs
    background: [{name, kind, steps}] background_tasks.add_task(name) for each
    depends: [d, {dependency, name,   def f(d=Depends(d), name=Depends(dep, use_cache=..))
              use_cache}]
    dependencies: [d]                 add_api_route(..., dependencies=[Depends(d)])
    tags, responses                   add_api_route(..., tags=..., responses=...)
    response_model: T, and its        add_api_route(..., response_model=T,
      exclude_unset, exclude_none       response_model_exclude_unset=...)
  dependencies: {d: {kind, params,    async def d(params..., sub=Depends(...)): steps;
                 depends, steps,        return returns  (with teardown:
                 returns, teardown}}    try: yield returns / finally: teardown steps)
  app_dependencies: [d]               FastAPI(dependencies=[Depends(d)])
  routers: {r: {prefix, tags,         r = APIRouter(prefix=..., tags=..., dependencies=..,
                dependencies,           responses=...); its routes on r, and
                responses, routes}}     `- include: other` as r.include_router(other, ...)
  routes: [- include: r, prefix...]   app.include_router(r, prefix=..., tags=..., ...)

Scalars are read with YAML 1.2's core schema, as corouter's loader reads them
(PyYAML's default is YAML 1.1, where `yes` is True and `010` is 8).

The route file's `timeout` has no FastAPI equivalent and is ignored here (the
conformance apps do not use it).

Run with Debian's /usr/bin/python3 (python3-fastapi 0.92, python3-yaml).
"""
import asyncio
import datetime
import decimal
import enum
import inspect
import json
import logging
import re
import time
import typing
import uuid
from typing import List, Optional

import yaml
from fastapi import (APIRouter, BackgroundTasks, Body, Cookie, Depends, FastAPI, File, Form,
                     Header, HTTPException, Path, Query, Response, UploadFile)
from fastapi.encoders import jsonable_encoder
from pydantic import Field, create_model
from starlette.datastructures import UploadFile as StarletteUploadFile

# python-multipart logs each malformed body it is sent as a warning.
logging.getLogger("multipart").setLevel(logging.ERROR)


class Core12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars and no timestamps/merges."""


Core12Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in [
        ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
        ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                  r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+0123456789.")),
]:
    Core12Loader.add_implicit_resolver("tag:yaml.org,2002:" + _tag, re.compile(_regexp), _first)


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0x"):
        return int(text[2:], 16)
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 10)


Core12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_route_file(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=Core12Loader) or {}


# ---- templates (server/app/json_template.h) ---------------------------------
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def _template_text(value):
    """A placeholder inside text: a str as it is, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode()  # as jsonable_encoder writes bytes
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _upload_file(value):
    """What a route file's template sees of an UploadFile."""
    return {"filename": value.filename, "content_type": value.content_type, "size": value.size}


def _lookup(values, path):
    value = values.get(path[0])
    # The form parser makes Starlette's UploadFile; FastAPI's validator keeps it.
    if isinstance(value, StarletteUploadFile):
        value = _upload_file(value)
    elif isinstance(value, list) and any(isinstance(v, StarletteUploadFile) for v in value):
        value = [_upload_file(v) if isinstance(v, StarletteUploadFile) else v for v in value]
    if len(path) == 1:
        return value
    value = jsonable_encoder(value)
    for key in path[1:]:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def render(template, values):
    """The route file's JSON template with the bound parameters `values`."""
    if isinstance(template, list):
        return [render(item, values) for item in template]
    if isinstance(template, dict):
        return {str(key): render(item, values) for key, item in template.items()}
    if not isinstance(template, str):
        return template
    parts = []
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append(template[pos:m.start()])
        if m.group(0) == "{{":
            parts.append("{")
        elif m.group(0) == "}}":
            parts.append("}")
        else:
            parts.append(("placeholder", m.group(1).split(".")))
        pos = m.end()
    parts.append(template[pos:])
    parts = [p for p in parts if p != ""]
    if len(parts) == 1 and isinstance(parts[0], tuple):
        return _lookup(values, parts[0][1])  # keeps its type
    return "".join(
        _template_text(jsonable_encoder(_lookup(values, p[1]))) if isinstance(p, tuple) else p
        for p in parts)


def render_text(template, values):
    return _template_text(jsonable_encoder(render(template, values)))


# ---- types --------------------------------------------------------------------
def parse_duration(text, scale):
    """absl::ParseDuration's common forms: 2s, 100ms, 1.5s, 1m, 10us, 1h."""
    total = 0.0
    units = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
    for number, unit in re.findall(r"([0-9.]+)(h|ms|m|s|us|ns)", str(text)):
        total += float(number) * units[unit]
    return total * scale


class TypeTable:
    def __init__(self, spec):
        self.types = {}
        for name, values in (spec.get("enums") or {}).items():
            base = str
            if isinstance(values, dict):  # {type: int, values: [...]}
                base = {"str": str, "int": int, "float": float}[values["type"]]
                values = values["values"]
            members = [(f"m{i}", base(v)) for i, v in enumerate(values)]
            if base is int:
                self.types[name] = enum.IntEnum(name, members)  # class Level(IntEnum)
            else:
                self.types[name] = enum.Enum(name, members, type=base)
        for name, fields in (spec.get("models") or {}).items():
            definitions = {}
            config = None
            for field_name, field in fields.items():
                if field_name == "Config":  # class Config: extra = "forbid"
                    config = type("Config", (), dict(field))
                    continue
                if not isinstance(field, dict):
                    field = {"type": field}
                annotation = self.parse(field.get("type", "str"))
                default = _default(field)
                extra = _constraints(field)
                if "alias" in field:
                    extra["alias"] = field["alias"]
                definitions[field_name] = (annotation, Field(default, **extra))
            self.types[name] = create_model(name, __config__=config, **definitions)

    def parse(self, text):
        text = text.strip()
        for prefix in ("dict", "Dict"):
            if text.startswith(prefix + "[") and text.endswith("]"):
                _, value = text[len(prefix) + 1:-1].split(",", 1)
                return typing.Dict[str, self.parse(value)]
        if text.startswith("Union[") and text.endswith("]"):
            members, depth, start, inner = [], 0, 0, text[len("Union["):-1]
            for i, c in enumerate(inner + ","):
                depth += {"[": 1, "]": -1}.get(c, 0)
                if c == "," and depth == 0:
                    member = inner[start:i].strip()
                    members.append(type(None) if member == "None" else self.parse(member))
                    start = i + 1
            return typing.Union[tuple(members)]
        for prefix, wrap in (("Optional", lambda t: Optional[t]), ("list", lambda t: List[t]),
                             ("List", lambda t: List[t])):
            if text.startswith(prefix + "[") and text.endswith("]"):
                return wrap(self.parse(text[len(prefix) + 1:-1]))
        scalars = {"str": str, "int": int, "float": float, "bool": bool, "uuid": uuid.UUID,
                   "UUID": uuid.UUID, "date": datetime.date, "datetime": datetime.datetime,
                   "time": datetime.time, "timedelta": datetime.timedelta,
                   "Decimal": decimal.Decimal, "bytes": bytes, "UploadFile": UploadFile}
        return scalars.get(text) or self.types[text]

    def is_model(self, annotation, outer=True):
        """A model, Optional[model], list[model] or Optional[list[model]], or a
        list of lists: what get_dependant reads from the body."""
        origin = typing.get_origin(annotation)
        if origin is list and not outer:
            return True  # a list inside a list
        if origin is dict:
            return True  # a dict is read from the body
        if origin is typing.Union or origin is list:
            return any(self.is_model(a, outer and origin is not list)
                       for a in typing.get_args(annotation) if a is not type(None))
        return inspect.isclass(annotation) and annotation in self.types.values() and \
            not issubclass(annotation, enum.Enum)


def _default(spec):
    """`...` for required, else the default (null when only required: false)."""
    if "default" in spec:
        return spec["default"]
    if spec.get("required", True):
        return ...
    return None


def _constraints(spec):
    out = {k: spec[k] for k in ("min_length", "max_length", "regex", "gt", "ge", "lt", "le",
                                "min_items", "max_items")
           if k in spec}
    return out


# ---- steps ---------------------------------------------------------------------
def busy_compute(seconds):
    until = time.monotonic() + seconds
    x = 0x9E3779B97F4A7C15
    while time.monotonic() < until:
        for _ in range(1000):
            x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
            x ^= x >> 7
            x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF


def _raise(spec, values):
    if not isinstance(spec, dict):
        raise HTTPException(status_code=spec)
    status = spec["status"]
    if isinstance(status, str):  # "{code}": an int parameter
        status = values[status.strip("{}")]
    headers = {k: render_text(v, values) for k, v in (spec.get("headers") or {}).items()}
    raise HTTPException(status_code=status, detail=render(spec.get("detail"), values),
                        headers=headers or None)


def step_kind(step):
    """(kind, arg, awaited) of a step: `{sleep: 2s}` or `{sleep: 2s, await: false}`."""
    (kind, arg), = [(k, v) for k, v in step.items() if k != "await"]
    return kind, arg, step.get("await", True)


def never_awaited(kind, arg, values, scale):
    """`data = async_db_call()  # missing await`: the coroutine is created and
    dropped, so it never runs (Python warns "coroutine ... was never awaited")."""
    if kind == "sleep":
        asyncio.sleep(parse_duration(arg, scale))
        return

    async def dropped():
        await run_async([{kind: arg}], values, scale)
    dropped.__name__ = dropped.__qualname__ = arg.get("name", "offload") \
        if kind == "offload" else kind
    dropped()


def run_plain(step, values, scale):
    kind, arg, awaited = step_kind(step)
    if not awaited:
        never_awaited(kind, arg, values, scale)
        return
    if kind == "blocking":
        time.sleep(parse_duration(arg, scale))
    elif kind == "cpu":
        busy_compute(parse_duration(arg, scale))
    elif kind == "raise":
        _raise(arg, values)
    elif kind == "fail":
        raise RuntimeError(arg or "fail step")
    else:
        raise AssertionError(f"{kind} is an await")


async def run_async(steps, values, scale):
    for step in steps:
        kind, arg, awaited = step_kind(step)
        if not awaited:
            never_awaited(kind, arg, values, scale)
        elif kind == "sleep":
            await asyncio.sleep(parse_duration(arg, scale))
        elif kind == "offload":
            inner = arg["steps"]
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: [run_plain(s, values, scale) for s in inner])
        elif kind == "gather":
            await asyncio.gather(*[run_async(branch, values, scale) for branch in arg])
        else:
            run_plain(step, values, scale)


# ---- routes --------------------------------------------------------------------
def _parameter(spec, table, path_names, dependency=False):
    annotation = table.parse(spec.get("type", "str"))
    name = spec["name"]
    location = spec.get("in")
    if dependency and location is None and table.is_model(annotation) and \
            not any(k in spec for k in ("alias", "embed", "min_length", "max_length", "regex",
                                        "gt", "ge", "lt", "le")):
        # `user: User` in a dependency: a body parameter whose FieldInfo
        # FastAPI makes anew for each route. (An explicit Body() shared by
        # every route using the dependency is mutated by get_body_field:
        # docs/differences.md.)
        default = _default(spec)
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                 default=inspect.Parameter.empty if default is ... else default,
                                 annotation=annotation)
    if location is None:
        if name in path_names:
            location = "path"
        elif table.is_model(annotation):
            location = "body"
        else:
            location = "query"
    extra = _constraints(spec)
    if "alias" in spec:
        extra["alias"] = spec["alias"]
    default = _default(spec)
    if location == "path":
        field = Path(default, **extra)
    elif location == "query":
        field = Query(default, **extra)
    elif location == "header":
        field = Header(default, convert_underscores=spec.get("convert_underscores", True), **extra)
    elif location == "cookie":
        field = Cookie(default, **extra)
    elif location == "form":
        field = Form(default, **extra)
    elif location == "file":
        field = File(default, **extra)
    else:
        field = Body(default, embed=spec.get("embed", False), **extra)
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=field,
                             annotation=annotation)


_RESPONSE = "corouter_response_"
_BACKGROUND = "corouter_background_"


def _depends(use, functions, named):
    """(parameter name or None, Depends(...)) for a `depends`/`dependencies` entry."""
    if not isinstance(use, dict):
        use = {"dependency": use}
    name = use.get("name", use["dependency"]) if named else None
    return name, Depends(functions[use["dependency"]], use_cache=use.get("use_cache", True))


def _depends_parameters(uses, functions):
    return [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
            for name, default in (_depends(u, functions, True) for u in uses or [])]


def _dependency(name, spec, table, functions, scale):
    """The function a `dependencies:` entry describes: a coroutine or plain
    function, or a generator with a `finally:` when it has a teardown."""
    parameters = [_parameter(p, table, [], dependency=True) for p in spec.get("params") or []]
    parameters += _depends_parameters(spec.get("depends"), functions)
    steps = spec.get("steps") or []
    teardown = spec.get("teardown")
    returns = spec.get("returns")
    if spec.get("kind", "async") == "async":
        if teardown is None:
            async def fn(**kwargs):
                await run_async(steps, kwargs, scale)
                return render(returns, kwargs)
        else:
            async def fn(**kwargs):
                await run_async(steps, kwargs, scale)
                try:
                    yield render(returns, kwargs)
                finally:
                    await run_async(teardown, kwargs, scale)
    else:
        if teardown is None:
            def fn(**kwargs):
                for step in steps:
                    run_plain(step, kwargs, scale)
                return render(returns, kwargs)
        else:
            def fn(**kwargs):
                for step in steps:
                    run_plain(step, kwargs, scale)
                try:
                    yield render(returns, kwargs)
                finally:
                    for step in teardown:
                        run_plain(step, kwargs, scale)
    fn.__signature__ = inspect.Signature(parameters)
    fn.__name__ = fn.__qualname__ = name
    return fn


def _route_options(spec, functions):
    """APIRouter's and include_router's prefix, tags, dependencies, responses."""
    out = {}
    if "prefix" in spec:
        out["prefix"] = spec["prefix"]
    if "tags" in spec:
        out["tags"] = list(spec["tags"])
    if "dependencies" in spec:
        out["dependencies"] = [_depends(u, functions, False)[1] for u in spec["dependencies"]]
    if "responses" in spec:
        out["responses"] = {k: dict(v or {}) for k, v in spec["responses"].items()}
    return out


def _add_route(target, route, table, functions, scale, prefix=""):
    endpoint, status = _endpoint(route, table, functions, scale, prefix)
    methods = route.get("methods") or [route.get("method", "GET")]
    extra = {k: v for k, v in _route_options(route, functions).items() if k != "prefix"}
    if "response_model" in route:
        extra["response_model"] = table.parse(route["response_model"])
        for key in ("response_model_exclude_unset", "response_model_exclude_none"):
            if key in route:
                extra[key] = route[key]
    target.add_api_route(route["path"], endpoint, methods=methods, name=route["name"],
                         status_code=status, **extra)


def _endpoint(route, table, functions, scale, prefix=""):
    steps = list(route.get("steps") or [])
    respond = None
    if steps and "respond" in steps[-1]:
        respond = steps.pop()["respond"] or {}
    path_names = re.findall(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-zA-Z_][a-zA-Z0-9_]*)?\}",
                            prefix + route["path"])
    parameters = [_parameter(p, table, path_names) for p in route.get("params") or []]
    parameters += _depends_parameters(route.get("depends"), functions)
    parameters.append(inspect.Parameter(_RESPONSE, inspect.Parameter.KEYWORD_ONLY,
                                        annotation=Response))
    background = route.get("background") or []
    if background:
        parameters.append(inspect.Parameter(_BACKGROUND, inspect.Parameter.KEYWORD_ONLY,
                                            annotation=BackgroundTasks))

    def add_background(values, tasks):
        for task in background:
            task_steps = task["steps"]
            if task.get("kind", "async") == "async":
                async def fn(task_steps=task_steps):
                    await run_async(task_steps, values, scale)
            else:
                def fn(task_steps=task_steps):
                    for step in task_steps:
                        run_plain(step, values, scale)
            fn.__name__ = fn.__qualname__ = task["name"]
            tasks.add_task(fn)

    def finish(values, response):
        if background:
            add_background(values, values.pop(_BACKGROUND))
        if respond is None:
            return None
        for name, value in (respond.get("headers") or {}).items():
            response.headers[name] = render_text(value, values)
        return render(respond.get("body"), values)

    if route.get("kind", "async") == "async":
        async def endpoint(**kwargs):
            response = kwargs.pop(_RESPONSE)
            await run_async(steps, kwargs, scale)
            return finish(kwargs, response)
    else:
        def endpoint(**kwargs):
            response = kwargs.pop(_RESPONSE)
            for step in steps:
                run_plain(step, kwargs, scale)
            return finish(kwargs, response)
    endpoint.__signature__ = inspect.Signature(parameters)
    endpoint.__name__ = route["name"]
    status = (respond or {}).get("status", 200)
    return endpoint, status


def build_app(path, time_scale=1.0):
    """The FastAPI app the route file at `path` describes."""
    spec = load_route_file(path)
    openapi_url = spec.get("openapi_url", "/openapi.json")
    table = TypeTable(spec)
    functions = {}
    for name, dependency in (spec.get("dependencies") or {}).items():
        functions[name] = _dependency(name, dependency, table, functions, time_scale)
    app = FastAPI(title=spec.get("title", "FastAPI"), version=spec.get("version", "0.1.0"),
                  openapi_url=openapi_url, docs_url=None, redoc_url=None,
                  dependencies=[_depends(u, functions, False)[1]
                                for u in spec.get("app_dependencies") or []])
    routers = {}
    for name, router_spec in (spec.get("routers") or {}).items():
        router = APIRouter(**_route_options(router_spec, functions))
        for route in router_spec.get("routes") or []:
            if "include" in route:
                router.include_router(routers[route["include"]], **_route_options(route, functions))
            else:
                _add_route(router, route, table, functions, time_scale,
                           router_spec.get("prefix", ""))
        routers[name] = router
    for route in spec.get("routes") or []:
        if "include" in route:
            app.include_router(routers[route["include"]], **_route_options(route, functions))
        else:
            _add_route(app, route, table, functions, time_scale)
    return app


def flat_routes(spec):
    """The app's path operations as the route file's routes, with full paths
    and their dependencies' parameters among theirs: what the random requests
    of run_conformance.py are drawn from."""
    definitions = spec.get("dependencies") or {}

    def dependency_params(uses):
        out = []
        for use in uses or []:
            name = use["dependency"] if isinstance(use, dict) else use
            d = definitions[name]
            out += [dict(p) for p in d.get("params") or []]
            out += dependency_params(d.get("depends"))
        return out

    def expand(routes, prefix, uses):
        out = []
        for route in routes or []:
            if "include" in route:
                inner = (spec.get("routers") or {})[route["include"]]
                out += expand(inner.get("routes"), prefix + route.get("prefix", "") +
                              inner.get("prefix", ""),
                              uses + list(route.get("dependencies") or []) +
                              list(inner.get("dependencies") or []))
                continue
            r = dict(route)
            r["path"] = prefix + route["path"]
            params = [dict(p) for p in route.get("params") or []]
            seen = {p["name"] for p in params}
            for p in dependency_params(uses + list(route.get("dependencies") or []) +
                                       list(route.get("depends") or [])):
                if p["name"] not in seen:
                    seen.add(p["name"])
                    params.append(p)
            r["params"] = params
            out.append(r)
        return out

    return expand(spec.get("routes"), "", list(spec.get("app_dependencies") or []))
