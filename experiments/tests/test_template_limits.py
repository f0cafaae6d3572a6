"""Templates are bounded in time, loop steps and size, at validation and at
run time: a hostile template is a field error or a failed run, never a hang,
a 500 or a dead worker."""

from __future__ import annotations

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from experiments.models import Run
from experiments.services.sweeps import run_sweep
from experiments.spec import templates, validate_spec
from experiments.tests.engine_helpers import extraction_spec, start
from experiments.tests.factories import spec_doc

MAX_CHARS = "PROMPTLOOPER_TEMPLATE_MAX_OUTPUT_CHARS"
MAX_MS = "PROMPTLOOPER_TEMPLATE_MAX_RENDER_MS"
MAX_LOOPS = "PROMPTLOOPER_TEMPLATE_MAX_LOOP_ITERATIONS"

# Each shape with the limit (or Python's own refusal) its error must name.
HOSTILE = {
    "huge power": ("{{ 9 ** 999999999 }}", "too large a number"),
    "power of a power": ("{{ 9 ** (9 ** 9) }}", "too large a number"),
    "repetition": ("{{ 'a' * 10**10 }}", MAX_CHARS),
    "literal repetition": ("{{ 'a' * 10000000000 }}", MAX_CHARS),
    "list repetition": ("{{ ['a'] * 10**10 }}", MAX_CHARS),
    "printf width": ("{{ '%999999999s' % 'x' }}", MAX_CHARS),
    "printf star width": ("{{ '%*s' % (999999999, 'x') }}", MAX_CHARS),
    "format width": ("{{ '{:999999999}'.format('x') }}", MAX_CHARS),
    "nested format width": ("{{ '{:{w}}'.format('x', w=999999999) }}", MAX_CHARS),
    "format filter width": ("{{ '%999999999d'|format(1) }}", MAX_CHARS),
    "padding method": ("{{ 'a'.center(999999999) }}", MAX_CHARS),
    "zfill": ("{{ 'a'.zfill(999999999) }}", MAX_CHARS),
    "padding filter": ("{{ 'a'|center(999999999) }}", MAX_CHARS),
    "indent filter": ("{{ 'a\nb'|indent(999999999) }}", MAX_CHARS),
    "expandtabs": ("{{ '\t'.expandtabs(999999999) }}", MAX_CHARS),
    "slice filter": ("{{ [1]|slice(1000000000)|list }}", MAX_CHARS),
    "lipsum": ("{{ lipsum(1000000) }}", MAX_CHARS),
    "nested loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}x"
        "{% endfor %}{% endfor %}",
        MAX_LOOPS,
    ),
    "nested literal loops": (
        "{% for i in [1,2,3,4,5,6,7,8,9,10] %}" * 6 + "x" + "{% endfor %}" * 6,
        MAX_LOOPS,
    ),
    "recursive loop": (
        "{% for x in [[1], [1]] recursive %}{{ loop(range(60000)) "
        "if x is iterable else '' }}{% endfor %}",
        MAX_LOOPS,
    ),
    "big range": ("{{ range(10**9)|list }}", "MAX_RANGE"),
    "huge number as text": ("{{ (10**10000)|string }}", "too many digits"),
    "long output": (
        "{% for i in range(20000) %}{{ 'x' * 100 }}{% endfor %}",
        MAX_CHARS,
    ),
    "doubling by concatenation": (
        "{% set ns = namespace(x='a') %}{% for i in range(60) %}"
        "{% set ns.x = ns.x ~ ns.x %}{% endfor %}",
        MAX_CHARS,
    ),
    "doubling by block": (
        "{% set ns = namespace(x='a') %}{% for i in range(60) %}{% set y %}"
        "{{ ns.x }}{{ ns.x }}{% endset %}{% set ns.x = y %}{% endfor %}",
        MAX_CHARS,
    ),
    "doubling a list": (
        "{% set l = [1] %}{% for i in range(60) %}{{ l.extend(l) or '' }}{% endfor %}",
        MAX_CHARS,
    ),
    "join of many copies": (
        "{{ range(1000)|map('center', 999999)|join }}",
        MAX_CHARS,
    ),
    "replace that multiplies": (
        "{% set a = 'x' * 100000 %}{{ a.replace('x', a) }}",
        MAX_CHARS,
    ),
    "exponential macro": (
        "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}"
        "{% endmacro %}{{ f(60) }}",
        MAX_MS,
    ),
    "endless recursion": (
        "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
        "recursion",
    ),
}


@pytest.fixture(autouse=True)
def tight_clock(settings):
    # The exponential macro meets the clock; keep that quick.
    settings.TEMPLATE_MAX_RENDER_MS = 300


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_template_is_a_validation_error_naming_path_and_limit(name):
    source, limit = HOSTILE[name]
    doc = spec_doc()
    doc["prompts"][1]["template"] = source
    result = validate_spec(doc)
    errors = {e.path: e.message for e in result.errors}
    assert not result.ok
    message = errors["prompts[1].template"]
    assert message.startswith("cannot render for item 1:")
    assert limit in message


@pytest.mark.parametrize("name", ["repetition", "nested loops", "padding filter"])
def test_hostile_rubric_is_a_validation_error_naming_its_path(name):
    source, limit = HOSTILE[name]
    doc = spec_doc()
    doc["scorers"] = [
        {"type": "llm_judge", "endpoint": "local", "model": "m1", "rubric": source}
    ]
    errors = {e.path: e.message for e in validate_spec(doc).errors}
    assert limit in errors["scorers[0].rubric"]


def test_slow_templates_share_one_validation_allowance(settings):
    # Each render stays under its own limit, but all of them together are cut
    # off: many items cannot add up to a long request.
    settings.TEMPLATE_MAX_RENDER_MS = 10_000
    settings.TEMPLATE_VALIDATE_MS = 200
    settings.TEMPLATE_MAX_LOOP_ITERATIONS = 10**9
    doc = spec_doc()
    doc["dataset"]["items"] = [{"input": {"passage": str(i)}} for i in range(1000)]
    doc["prompts"][1]["template"] = (
        "{% for i in range(100000) %}{{ '' }}{% endfor %}{{ passage }}"
    )
    errors = {e.path: e.message for e in validate_spec(doc).errors}
    assert "PROMPTLOOPER_TEMPLATE_VALIDATE_MS" in errors["prompts[1].template"]


def test_limits_are_settings_read_at_render_time(settings):
    source = "{% for i in range(500) %}x{% endfor %}"
    assert templates.render(source, {}) == "x" * 500
    settings.TEMPLATE_MAX_LOOP_ITERATIONS = 100
    with pytest.raises(templates.TemplateLimitError, match=MAX_LOOPS):
        templates.render(source, {})
    settings.TEMPLATE_MAX_LOOP_ITERATIONS = 1000
    settings.TEMPLATE_MAX_OUTPUT_CHARS = 1000
    with pytest.raises(templates.TemplateLimitError, match=MAX_CHARS):
        templates.render("{{ 'x' * 1001 }}", {})


NORMAL = [
    "Text: {{ passage }}\nJSON:",
    "{% for p in people %}- {{ loop.index }}. {{ p|upper }}\n{% endfor %}",
    "{{ people|join(', ') }} / {{ people|length }} / {{ people|sort|first }}",
    "{{ '%-8s|' % passage[:3] }}{{ '{:>6}'.format(n) }}{{ n * 3 }}{{ n ** 2 }}",
    "{{ passage ~ '!' }}{{ 'ab' * 3 }}{{ [1, 2] + [3] }}{{ n + 1 }}{{ 7 % 3 }}",
    "{% set ns = namespace(t='') %}{% for p in people %}{% set ns.t = ns.t ~ p %}"
    "{% endfor %}{{ ns.t }}",
    "{% macro line(x) %}[{{ x|center(9) }}]{% endmacro %}{{ line(passage[:4]) }}",
    "{% for x in tree recursive %}{{ x.name }}{% if x.kids %}({{ loop(x.kids) }})"
    "{% endif %}{% endfor %}",
    "{{ people|map('lower')|select('ne', 'bob')|join }}{{ range(3)|list }}",
    "{% set block %}{{ passage|wordwrap(10) }}{% endset %}{{ block|indent(2) }}",
    "{{ {'a': 1}|tojson }} {{ people }} {{ 1.5|round }}",
    "{{ lipsum(1, false)|length > 0 }}",
    "{% filter upper %}{{ passage }}{% endfilter %}{{ passage.replace('a', 'A') }}",
]


@pytest.mark.parametrize("source", NORMAL)
def test_normal_templates_render_as_before(source):
    context = {
        "passage": "Ada met Charles in London.",
        "people": ["Ada", "bob", "Charles"],
        "n": 12,
        "tree": [{"name": "a", "kids": [{"name": "b", "kids": []}]}],
    }
    plain = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    assert templates.render(source, context) == plain.from_string(source).render(
        context
    )


# --- at run time ----------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "name", ["repetition", "nested loops", "format width", "exponential macro"]
)
def test_over_limit_prompt_fails_its_runs_with_the_reason(simulator, name):
    # A spec stored before these limits existed (or with looser settings)
    # reaches the engine: its runs fail, the sweep and worker carry on.
    source, limit = HOSTILE[name]
    sweep = start(extraction_spec(simulator.base_url, n_items=2))
    sweep.spec["prompts"][0]["messages"][0]["content"] = source
    sweep.save(update_fields=["spec"])
    sweep = run_sweep(sweep)
    assert sweep.status == "failed"  # it ends; no run succeeded
    runs = list(Run.objects.filter(sweep=sweep))
    assert runs and all(r.status == Run.Status.FAILED for r in runs)
    assert {r.error_kind for r in runs} == {"template"}
    assert all(limit in r.error_message for r in runs)
    assert simulator.stats()["requests"] == 0


@pytest.mark.django_db(transaction=True)
def test_only_the_items_over_the_limit_fail(simulator, settings):
    settings.TEMPLATE_MAX_LOOP_ITERATIONS = 100
    sweep = start(extraction_spec(simulator.base_url, n_items=2))
    sweep.spec["prompts"][0]["messages"][0]["content"] = (
        "{% for c in passage %}{{ c }}{% endfor %}"
    )
    sweep.save(update_fields=["spec"])
    long_item = sweep.experiment.dataset.active_items().first()
    long_item.input = {"passage": "x" * 500}
    long_item.save()
    sweep = run_sweep(sweep)
    failed = Run.objects.filter(sweep=sweep, status=Run.Status.FAILED)
    assert {r.item_id for r in failed} == {long_item.pk}
    assert all(MAX_LOOPS in r.error_message for r in failed)
    assert Run.objects.filter(sweep=sweep, status=Run.Status.DONE).count() == 4
