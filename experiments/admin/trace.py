"""A pipeline run's trace on its admin page, stage by stage: what was sent,
what came back (pretty JSON when the answer is JSON), and what it cost."""

from __future__ import annotations

import json

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from scoring.strict_json import loads_output

MAX_CHARS = 20000  # per message or answer: a page, not a dump
_PRE = "white-space:pre-wrap;margin:0 0 .5em"
_ERROR = "color:#ba2121;font-weight:bold"


def trace_html(trace: list[dict] | None) -> SafeString:
    if not trace:
        return mark_safe("-")
    return format_html_join(
        "", "{}", ((_stage_html(n, stage),) for n, stage in enumerate(trace, 1))
    )


def _stage_html(number: int, stage: dict) -> SafeString:
    facts = format_html_join(
        "",
        "<tr><th>{}</th><td>{}</td></tr>",
        [
            ("Cache hit", _yes_no(stage.get("cache_hit"))),
            ("Prompt tokens", _or_dash(stage.get("prompt_tokens"))),
            ("Completion tokens", _or_dash(stage.get("completion_tokens"))),
            ("Latency", _ms(stage.get("latency_ms"))),
            ("Cost", _cost(stage.get("cost"))),
            ("Cache key", stage.get("cache_key") or "-"),
        ],
    )
    error = (
        format_html('<p style="{}">Error: {}</p>', _ERROR, stage["error"])
        if stage.get("error")
        else ""
    )
    return format_html(
        '<div class="pl-stage" style="margin-bottom:1.5em">'
        "<h3>Stage {}: {}</h3>{}<table>{}</table>"
        "<h4>Messages</h4>{}<h4>Output</h4>{}</div>",
        number,
        stage.get("stage", "?"),
        error,
        facts,
        _messages_html(stage.get("messages")),
        _output_html(stage.get("output")),
    )


def _messages_html(messages: list[dict] | None) -> SafeString:
    if not messages:
        return format_html("<p>{}</p>", "not rendered (the stage failed first)")
    return format_html_join(
        "",
        '<p style="margin:.25em 0"><strong>{}</strong></p><pre style="{}">{}</pre>',
        (
            (m.get("role", "?"), _PRE, _clip(str(m.get("content", ""))))
            for m in messages
        ),
    )


def _output_html(output: str | None) -> SafeString:
    if output is None:
        return format_html("<p>{}</p>", "none (not called)")
    try:
        shown = json.dumps(loads_output(output), indent=2, ensure_ascii=False)
    except ValueError:
        shown = output
    return format_html('<pre style="{}">{}</pre>', _PRE, _clip(shown))


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + " ..."


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _cost(value: float | None) -> str:
    return "-" if value is None else f"${value:.6f}"
