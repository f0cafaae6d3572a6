"""The cache's scope: per project by default, one shared cache in global mode.

Runs in both database modes (the same tests, SQLite and PostgreSQL).
"""

from __future__ import annotations

import pytest

from experiments.engine import cache
from experiments.models import CachedResponse, Project
from experiments.tests.engine_helpers import extraction_spec, run

pytestmark = pytest.mark.django_db(transaction=True)


def entry(scope: str, key: str, project: Project | None, **fields) -> cache.Entry:
    values = {
        "adapter": "openai",
        "endpoint_url": "http://127.0.0.1:8499/v1",
        "model": "m",
        "request": {"model": "m"},
        "response": {"text": "hi"},
        "prompt_tokens": 3,
        "completion_tokens": 4,
        "cost": 0.5,
        "latency_ms": 12.0,
        **fields,
    }
    return cache.Entry(scope, key, project.pk if project else None, **values)


def test_the_default_scope_is_the_project(settings):
    settings.CACHE_SCOPE = "project"
    assert cache.cache_scope(7) == "project:7"
    assert cache.cache_scope(8) != cache.cache_scope(7)


def test_global_mode_shares_one_scope(settings):
    settings.CACHE_SCOPE = "global"
    assert cache.cache_scope(7) == cache.cache_scope(8) == "global"


def test_a_lookup_sees_only_its_own_scope():
    a = Project.objects.create(name="a")
    b = Project.objects.create(name="b")
    cache.store([entry(f"project:{a.pk}", "k1", a), entry("global", "k2", None)])
    assert set(cache.lookup(f"project:{a.pk}", ["k1", "k2"])) == {"k1"}
    assert cache.lookup(f"project:{b.pk}", ["k1", "k2"]) == {}
    assert set(cache.lookup("global", ["k1", "k2", "k2"])) == {"k2"}
    assert cache.lookup("global", []) == {}


def test_storing_a_key_again_refreshes_the_entry_in_place():
    a = Project.objects.create(name="a")
    scope = f"project:{a.pk}"
    cache.store([entry(scope, "k", a, cost=0.5)])
    cache.record_hits({CachedResponse.objects.get().pk: 2})
    cache.store([entry(scope, "k", a, cost=0.25, response={"text": "new"})])
    row = CachedResponse.objects.get()
    assert (row.cost, row.response, row.hit_count) == (0.25, {"text": "new"}, 2)


def test_hits_are_counted_per_entry():
    a = Project.objects.create(name="a")
    scope = f"project:{a.pk}"
    cache.store([entry(scope, key, a) for key in ("x", "y", "z")])
    rows = cache.lookup(scope, ["x", "y", "z"])
    cache.record_hits({rows["x"].pk: 3, rows["y"].pk: 1, rows["z"].pk: 3})
    cache.record_hits({rows["x"].pk: 1})
    counts = dict(CachedResponse.objects.values_list("key", "hit_count"))
    assert counts == {"x": 4, "y": 1, "z": 3}
    assert all(row.last_hit_at for row in CachedResponse.objects.all())


def test_a_project_never_reuses_another_projects_responses(simulator, settings):
    settings.CACHE_SCOPE = "project"
    run(extraction_spec(simulator.base_url, project="acme"))
    other = run(extraction_spec(simulator.base_url, project="other"))
    assert (other.cache_hits, other.calls) == (0, 24)
    scopes = set(CachedResponse.objects.values_list("scope", flat=True))
    assert len(scopes) == 2 and all(s.startswith("project:") for s in scopes)


def test_global_mode_reuses_responses_across_projects(simulator, settings):
    settings.CACHE_SCOPE = "global"
    run(extraction_spec(simulator.base_url, project="acme"))
    other = run(extraction_spec(simulator.base_url, project="other"))
    assert (other.cache_hits, other.calls) == (24, 0)
    assert set(CachedResponse.objects.values_list("scope", flat=True)) == {"global"}
