"""Cache statistics (entries, hits, the calls and cost hits saved) per
project in one aggregation, and the one purge guard of the API and the CLI."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experiments.exceptions import InvalidRequest
from experiments.models import CachedResponse, Membership, Project
from experiments.services.cache import purge_queryset
from experiments.tests.api_helpers import build_world, client_as

pytestmark = pytest.mark.django_db


def cached(project: Project | None, key: str, hits: int, cost: float | None) -> None:
    CachedResponse.objects.create(
        scope=f"project:{project.pk}" if project else "global",
        key=key * 64,
        project=project,
        adapter="openai",
        endpoint_url="http://h/v1",
        model="m",
        request={"model": "m"},
        response={"choices": []},
        cost=cost,
        hit_count=hits,
    )


def test_stats_count_entries_and_hits_and_the_cost_the_hits_saved(project):
    cached(project, "a", hits=3, cost=0.5)
    cached(project, "b", hits=0, cost=2.0)  # never hit: saved nothing
    cached(project, "c", hits=4, cost=None)  # unpriced: calls saved, no cost
    assert CachedResponse.objects.stats() == {
        "entries": 3,
        "hits": 7,
        "calls_saved": 7,
        "cost_saved": 1.5,
    }


def test_stats_of_an_empty_cache_are_zeros_not_nulls(db):
    assert CachedResponse.objects.stats() == {
        "entries": 0,
        "hits": 0,
        "calls_saved": 0,
        "cost_saved": 0.0,
    }


def test_stats_by_project_group_in_one_query(project):
    other = Project.objects.create(name="other")
    cached(project, "a", hits=2, cost=1.0)
    cached(project, "b", hits=1, cost=1.0)
    cached(other, "c", hits=5, cost=0.1)
    cached(None, "d", hits=9, cost=1.0)  # the global scope has no project
    with CaptureQueriesContext(connection) as queries:
        totals = CachedResponse.objects.stats_by_project()
    assert len(queries) == 1
    assert totals[project.pk] == {
        "entries": 2,
        "hits": 3,
        "calls_saved": 3,
        "cost_saved": 3.0,
    }
    assert totals[other.pk]["cost_saved"] == 0.5
    assert totals[None]["entries"] == 1


def _stats_queries(client) -> tuple[list, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/cache/stats/")
    assert response.status_code == 200
    return response.json(), len(queries)


def test_the_stats_endpoint_does_not_query_per_project(
    alice, bob, carol, charlie, project
):
    world = build_world(alice, bob, carol, charlie, project)  # acme and zeta
    client = client_as(world, "owner")
    cached(project, "a", hits=2, cost=0.25)
    _, few = _stats_queries(client)  # warm: the first request loads more
    rows, few = _stats_queries(client)
    for n in range(5):
        extra = Project.objects.create(name=f"extra{n}")
        Membership.objects.create(project=extra, user=alice, role="owner")
        cached(extra, str(n), hits=n, cost=1.0)
    rows, many = _stats_queries(client)
    assert len(rows) == 7
    assert many == few  # one aggregation whatever the number of projects
    by_id = {row["project"]: row for row in rows}
    assert by_id[project.pk] == {
        "project": project.pk,
        "entries": 1,
        "hits": 2,
        "calls_saved": 2,
        "cost_saved": 0.5,
    }
    assert by_id[world.zeta.pk]["entries"] == 0  # listed, with zeros
    assert by_id[Project.objects.get(name="extra3").pk]["hits"] == 3


def test_the_stats_endpoint_shows_only_the_callers_projects(
    alice, bob, carol, charlie, project
):
    world = build_world(alice, bob, carol, charlie, project)
    cached(world.zeta, "z", hits=1, cost=1.0)  # alice's, not carol's
    rows = client_as(world, "viewer").get("/api/cache/stats/").json()
    assert [row["project"] for row in rows] == [project.pk]
    one = client_as(world, "owner").get(f"/api/cache/stats/?project={world.zeta.pk}")
    assert [row["project"] for row in one.json()] == [world.zeta.pk]
    assert one.json()[0]["hits"] == 1


@pytest.mark.parametrize(
    "filters",
    [{}, {"project": "P"}, {"project": "P", "model": ""}],
    ids=["nothing", "a project alone", "an empty model"],
)
def test_a_purge_must_name_a_narrower_filter_or_everything(project, filters):
    filters = {k: project if v == "P" else v for k, v in filters.items()}
    with pytest.raises(InvalidRequest, match="name what to purge"):
        purge_queryset(**filters)


def test_a_purge_of_a_project_takes_everything_or_any_narrower_filter(project):
    cached(project, "a", hits=0, cost=None)
    assert purge_queryset(project=project, everything=True).count() == 1
    assert purge_queryset(project=project, older_than_days=0).count() == 1
    assert purge_queryset(project=project, model="other").count() == 0


def test_the_purge_command_asks_the_same_guard(project):
    cached(project, "a", hits=0, cost=None)
    with pytest.raises(CommandError, match="name what to purge"):
        call_command("purge_cache", "--project", "acme", stdout=io.StringIO())
    assert CachedResponse.objects.count() == 1
    call_command("purge_cache", "--project", "acme", "--all", stdout=io.StringIO())
    assert CachedResponse.objects.count() == 0
