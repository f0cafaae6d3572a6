"""What every tool shares: it runs as its caller on the database thread, and
whatever it raises becomes an MCP tool error carrying the API's message and
field paths (``{"detail": ..., "errors": [{"path", "message"}]}``, as the
REST API answers); input schemas are read off the API's serializers."""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import ObjectDoesNotExist
from django.db import close_old_connections
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from rest_framework import exceptions as drf
from rest_framework import serializers

from agents_mcp.auth import Caller, caller_of, current_key
from experiments.api.errors import flatten, status_of
from experiments.api.ids import MAX_ID
from experiments.dataset_io import DatasetFileError
from experiments.exceptions import DomainError, NotFound
from experiments.spec import SpecInvalid

log = logging.getLogger(__name__)


def tool_error(exc: Exception) -> ToolError:
    """The API's answer to ``exc`` as a tool error; None-crash: anything
    unexpected is logged and reported without its internals."""
    errors: list[dict] = []
    if isinstance(exc, SpecInvalid):
        detail, errors = "The spec is not valid.", [e.as_dict() for e in exc.errors]
        status = 400
    elif isinstance(exc, DatasetFileError):
        detail = str(exc).splitlines()[0]
        errors = [{"path": f"line {e.line}", "message": e.message} for e in exc.errors]
        status = 400
    elif isinstance(exc, DomainError):
        detail, status = str(exc), status_of(exc)
    elif isinstance(exc, drf.ValidationError):
        errors = flatten(exc.detail)
        detail = "; ".join(
            f"{e['path']}: {e['message']}" if e["path"] else e["message"]
            for e in errors[:5]
        )
        status = 400
    elif isinstance(exc, ObjectDoesNotExist):
        detail, status = "Not found.", 404
    elif isinstance(exc, RecursionError):
        detail, status = "The input is nested too deeply.", 400
    else:
        log.exception("MCP tool failed")
        detail, status = f"Internal error ({type(exc).__name__}); nothing more.", 500
    body = {"detail": detail, "status": status, "errors": errors}
    return ToolError(json.dumps(body, ensure_ascii=False))


def register(server: MCPServer, fn: Callable[..., Any], **options: Any) -> None:
    """Register ``fn(caller, **arguments)`` as a tool: it runs on Django's
    database thread as the calling key's user; its docstring is the
    description an agent reads."""
    signature = inspect.signature(fn, eval_str=True)
    params = list(signature.parameters.values())[1:]  # without ``caller``

    @functools.wraps(fn)
    async def tool(**arguments: Any) -> Any:
        return await as_caller(fn, **arguments)

    tool.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    tool.__annotations__ = {
        name: value for name, value in fn.__annotations__.items() if name != "caller"
    }
    server.add_tool(tool, description=inspect.getdoc(fn), **options)


async def as_caller(fn: Callable[..., Any], **arguments: Any) -> Any:
    """``fn(caller, **arguments)`` on the database thread, as a tool runs."""
    key = current_key()
    return await sync_to_async(_as_caller, thread_sensitive=True)(fn, key, arguments)


def _as_caller(fn: Callable[..., Any], key: str | None, arguments: dict) -> Any:
    close_old_connections()  # as Django does around a request
    try:
        return fn(caller_of(key), **arguments)
    except ToolError:
        raise
    except Exception as exc:
        raise tool_error(exc) from exc
    finally:
        close_old_connections()


def valid(serializer_class: type[serializers.Serializer], data: dict, **ctx) -> dict:
    """``data`` validated by the API's serializer (its errors, field paths)."""
    given = {key: value for key, value in data.items() if value is not None}
    serializer = serializer_class(data=given, context=ctx)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def mine(caller: Caller, model: Any, pk: int, path: str = "project") -> Any:
    """The ``model`` object ``pk`` in a project the caller reaches (``path``:
    the lookup to its project), else ``NotFound``."""
    rows = model.objects.filter(**{f"{path}__in": caller.projects()})
    return one(rows, pk, model._meta.verbose_name.capitalize())


def one(queryset, pk: int, what: str):
    """The object ``pk`` among the caller's ``queryset``: one the caller may
    not see is "not found" exactly like one that does not exist."""
    # An id past the column's range is as missing (the database would fail).
    found = queryset.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound(f"{what} {pk} not found.")
    return found


def serializer_schema(
    serializer_class: type[serializers.Serializer],
) -> dict[str, dict[str, Any]]:
    """JSON Schema properties of the serializer's writable fields."""
    properties = {}
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        schema = _field_schema(field)
        if field.help_text:
            schema["description"] = str(field.help_text)
        properties[name] = schema
    return properties


def _field_schema(field: serializers.Field) -> dict[str, Any]:
    if isinstance(field, serializers.ChoiceField):
        return {"enum": list(field.choices)}
    if isinstance(field, serializers.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, serializers.IntegerField | serializers.FloatField):
        kind = "integer" if isinstance(field, serializers.IntegerField) else "number"
        schema: dict[str, Any] = {"type": kind}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
        return schema
    if isinstance(field, serializers.CharField):
        schema = {"type": "string"}
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        return schema
    if isinstance(field, serializers.DictField):
        return {"type": "object"}
    if isinstance(field, serializers.ListField):
        return {"type": "array", "items": _field_schema(field.child)}
    return {}


def derive_schema(
    server: MCPServer,
    name: str,
    serializer_class: type[serializers.Serializer],
    overrides: dict[str, dict] | None = None,
) -> None:
    """Give tool ``name``'s arguments the serializer's field schemas (types,
    bounds, descriptions) on top of what its signature says."""
    tool = server._tool_manager.get_tool(name)
    assert tool is not None, name
    properties = tool.parameters.setdefault("properties", {})
    for field, schema in serializer_schema(serializer_class).items():
        if field in properties:
            properties[field] = {**schema, **_default_of(properties[field])}
    for field, schema in (overrides or {}).items():
        properties[field] = schema


def _default_of(schema: dict) -> dict:
    return {"default": schema["default"]} if "default" in schema else {}
