"""The simulated models behind the simulator (for demos and tests).

None of this is a language model. Each "model" is a small deterministic
function of the request, written so that the demo task (extract people,
places and organisations from a passage as JSON) produces a leaderboard with
a clear order: ``sim-extractor`` > ``sim-sloppy`` > ``sim-echo``; the
extraction itself is ``simulator.entities``. ``sim-thorough`` finds more
names than ``sim-extractor`` but writes them as a prose list, not JSON.
``sim-judge`` scores outputs in several reply shapes, for ``llm_judge``.
``sim-normaliser`` and ``sim-normaliser-lite`` are second stages for a
pipeline: they turn a first stage's entity lists into the demo schema
(``simulator.normaliser``), the full one from however sloppy an input, the
lite one from valid JSON only, so what a sloppy first stage costs a pipeline
depends on its second stage, and so does the best first stage
(``sim-thorough`` or ``sim-extractor``). ``world-m0`` to ``world-m4`` answer
sums, right with a known probability per config (``simulator.world``).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from typing import Any

from simulator import normaliser, world
from simulator.entities import extract, extract_thorough

# --- Models -----------------------------------------------------------------


def message_text(message: dict[str, Any]) -> str:
    """A message's text, whether ``content`` is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") for part in content if isinstance(part, dict)
        )
    return ""


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message)
    return message_text(messages[-1]) if messages else ""


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def sim_extractor(request: dict[str, Any], rng: random.Random) -> str:
    return _compact(extract(last_user_text(request["messages"])))


def sim_sloppy(request: dict[str, Any], rng: random.Random) -> str:
    temperature = _temperature(request)
    found = extract(last_user_text(request["messages"]))
    drop = 0.1 + 0.5 * temperature
    kept = {
        kind: [n for n in names if rng.random() >= drop]
        for kind, names in found.items()
    }
    body = _compact(kept)
    if rng.random() < 0.4 * temperature:
        # Chatty wrappers break strict JSON parsing, as real models often do.
        if rng.random() < 0.5:
            return f"Sure! Here is the JSON:\n{body}\nLet me know if you need more."
        return f"```json\n{body}\n```"
    return body


def sim_thorough(request: dict[str, Any], rng: random.Random) -> str:
    found = extract_thorough(last_user_text(request["messages"]))
    temperature = _temperature(request)
    if temperature > 0:
        found = normaliser.slip(found, rng, 0.2 * temperature)
    # A prose list whatever the prompt asks: never valid JSON, so what this
    # model is worth depends on the stage that reads it.
    lines = [
        f"{kind.capitalize()}: {', '.join(names) if names else 'none'}"
        for kind, names in found.items()
    ]
    return "Here are the names I found in the text.\n\n" + "\n".join(lines)


def sim_normaliser(request: dict[str, Any], rng: random.Random) -> str:
    found = normaliser.recover(last_user_text(request["messages"]))
    found = normaliser.slip(found, rng, 0.25 * _temperature(request))
    # Pretty-printed: more completion tokens than the lite model's answer.
    return json.dumps(found, ensure_ascii=False, indent=2)


_LITE_REFUSALS = (
    "Sorry, the input is not valid JSON, so I cannot normalise it.",
    "I could not parse the entities: the input is not JSON.",
)


def sim_normaliser_lite(request: dict[str, Any], rng: random.Random) -> str:
    found = normaliser.strict(last_user_text(request["messages"]))
    if found is None:
        return rng.choice(_LITE_REFUSALS)
    return _compact(normaliser.slip(found, rng, 0.25 * _temperature(request)))


def sim_echo(request: dict[str, Any], rng: random.Random) -> str:
    return last_user_text(request["messages"])


_OUTPUT_LINE = re.compile(r"^OUTPUT:[ \t]*", re.MULTILINE)
_JUDGE_NOTES_GOOD = (
    "The answer finds most entities.",
    "Well-formed JSON with plausible entities.",
    "Mostly correct; one or two names may be missing.",
)
_JUDGE_NOTES_BAD = (
    "The output is not valid JSON.",
    "The answer does not follow the requested format.",
    "Hard to use: no parseable result.",
)


def _has_json_output(text: str) -> bool:
    decoder = json.JSONDecoder()
    for match in _OUTPUT_LINE.finditer(text):
        try:
            decoder.raw_decode(text[match.end() :].lstrip())
        except ValueError:
            continue
        return True
    return False


def sim_judge(request: dict[str, Any], rng: random.Random) -> str:
    text = "\n".join(message_text(m) for m in request["messages"])
    if _has_json_output(text):
        score = rng.choice((8, 8.5, 9, 9.5, 10))
        note = rng.choice(_JUDGE_NOTES_GOOD)
    else:
        score = rng.choice((1, 2, 2.5, 3, 4))
        note = rng.choice(_JUDGE_NOTES_BAD)
    shown = f"{score:g}"
    # Several shapes on purpose, so the caller's score parser is exercised.
    formats = (
        f"Score: {shown}/10\n{note}",
        f"**{shown}** out of 10. {note}",
        f"I'd rate this {shown}.\n{note}",
        f"{note}\nRating: {shown}",
        f"{shown}/10 - {note}",
    )
    return rng.choice(formats)


def world_model(request: dict[str, Any], rng: random.Random) -> str:
    """The ``world-*`` models: right with the config's known quality
    (``simulator.world``), for benchmarks that need the true best config."""
    text = "\n".join(message_text(m) for m in request["messages"])
    return world.respond(request["model"], text, _temperature(request), rng)


def _temperature(request: dict[str, Any]) -> float:
    value = request.get("temperature")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return min(max(float(value), 0.0), 2.0)
    return 1.0  # OpenAI's default


MODELS: dict[str, Callable[[dict[str, Any], random.Random], str]] = {
    "sim-extractor": sim_extractor,
    "sim-sloppy": sim_sloppy,
    "sim-thorough": sim_thorough,
    "sim-echo": sim_echo,
    "sim-judge": sim_judge,
    "sim-normaliser": sim_normaliser,
    "sim-normaliser-lite": sim_normaliser_lite,
    **dict.fromkeys(world.MODELS, world_model),
}


def request_digest(request: dict[str, Any]) -> str:
    """Stable across processes, unlike ``hash()``: answers must repeat."""
    key = [
        request.get("model"),
        request.get("messages"),
        request.get("temperature"),
        request.get("seed"),
    ]
    blob = json.dumps(key, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def answer(request: dict[str, Any], digest: str) -> str:
    """The text ``request["model"]`` (a key of MODELS) answers."""
    rng = random.Random(int(digest[:16], 16))
    return MODELS[request["model"]](request, rng)
