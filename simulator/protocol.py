"""The OpenAI wire format as the simulator speaks it: request validation, the
completion body and the error body."""

from __future__ import annotations

import json
import math
import time
from typing import Any

from simulator import sim_models
from simulator.config import BadRequest


def error_body(
    message: str, type_: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def tokens(chars: int) -> int:
    """A rough token count (four characters a token), never below one."""
    return max(1, math.ceil(chars / 4))


def prompt_chars(request: dict[str, Any]) -> int:
    return sum(len(sim_models.message_text(m)) for m in request["messages"])


def validate_request(body: Any) -> dict[str, Any]:
    """The chat request, checked as OpenAI checks it, or BadRequest."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise BadRequest("You must provide a model parameter.", "model")
    messages = body.get("messages")
    if (
        not isinstance(messages, list)
        or not messages
        or not all(isinstance(m, dict) and "role" in m for m in messages)
    ):
        raise BadRequest(
            "'messages' must be a non-empty list of {role, content} objects.",
            "messages",
        )
    temperature = body.get("temperature")
    if temperature is not None and (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float)
        or not 0 <= temperature <= 2
    ):
        raise BadRequest("'temperature' must be a number from 0 to 2.", "temperature")
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise BadRequest(f"'{name}' must be a positive integer.", name)
    if body.get("stream"):
        raise BadRequest("The simulator does not support streaming.", "stream")
    return body


def completion(request: dict[str, Any]) -> dict[str, Any]:
    """The ``chat.completion`` body answering a valid request."""
    digest = sim_models.request_digest(request)
    text = sim_models.answer(request, digest)
    finish_reason = "stop"
    limit = request.get("max_tokens") or request.get("max_completion_tokens")
    if limit is not None and tokens(len(text)) > limit:
        text = text[: limit * 4]
        finish_reason = "length"
    prompt_tokens, completion_tokens = tokens(prompt_chars(request)), tokens(len(text))
    return {
        "id": f"simcmpl-{digest[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request["model"],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def context_exceeded(request: dict[str, Any], limit: float) -> dict[str, Any] | None:
    """OpenAI's 400 body for a prompt over ``limit`` characters (0: no limit),
    or None."""
    if not limit:
        return None
    chars = prompt_chars(request)
    if chars <= limit:
        return None
    return error_body(
        f"This model's maximum context length is {tokens(int(limit))} tokens. "
        f"However, your messages resulted in {tokens(chars)} tokens. "
        "Please reduce the length of the messages.",
        "invalid_request_error",
        "context_length_exceeded",
        "messages",
    )


def no_such_model(name: str) -> dict[str, Any]:
    return error_body(
        f"The model '{name}' does not exist",
        "invalid_request_error",
        "model_not_found",
        "model",
    )
