"""Every admin page renders for a superuser, with the demo data loaded."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from experiments.models import Run, Score, Sweep, SweepEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(demo):
    """Demo data plus one sweep with a run, a score and an event."""
    from experiments.models import CachedResponse

    sweep = Sweep.objects.create(experiment=demo, planned=1, done=1)
    item = demo.dataset.active_items().first()
    config = {"prompt": "terse", "model": "sim-extractor", "params": {"temperature": 0}}
    run = Run.objects.create(
        sweep=sweep,
        config_hash="a" * 64,
        config=config,
        item=item,
        status="done",
        output_text='{"people": []}',
        score=0.5,
        messages=[{"role": "user", "content": "x"}],
        raw_response={"choices": []},
    )
    Score.objects.create(run=run, scorer="json_valid", value=1.0)
    SweepEvent.objects.create(
        sweep=sweep, seq=1, type="sweep.status", payload={"status": "completed"}
    )
    CachedResponse.objects.create(
        scope="global",
        key="b" * 64,
        adapter="openai",
        endpoint_url="http://h/v1",
        model="m",
        request={"model": "m"},
        response={"choices": []},
    )
    return sweep


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield model, model_admin, info


def test_every_changelist_add_and_change_page_renders(client, superuser, populated):
    client.force_login(superuser)
    checked = 0
    for model, model_admin, info in _admin_urls():
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code == 200, f"changelist of {info}"
        obj = model.objects.first()
        if obj is not None:
            response = client.get(
                reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            )
            assert response.status_code == 200, f"change page of {info}"
        response = client.get(reverse("admin:{}_{}_add".format(*info)))
        expected = 200 if model_admin.has_add_permission(_request(superuser)) else 403
        assert response.status_code == expected, f"add page of {info}"
        checked += 1
    assert checked >= 13


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_run_changelist_filters_and_searches(client, superuser, populated):
    client.force_login(superuser)
    url = reverse("admin:experiments_run_changelist")
    base = f"{url}?sweep__id__exact={populated.pk}"
    page = client.get(base).content.decode()
    assert "terse / sim-extractor (temperature=0)" in page  # the config filter
    assert client.get(f"{base}&config_hash={'a' * 64}").context["cl"].result_count == 1
    assert client.get(f"{base}&config_hash={'c' * 64}").context["cl"].result_count == 0
    assert client.get(f"{url}?cache_hit__exact=1").context["cl"].result_count == 0
    assert client.get(f"{url}?status__exact=done").context["cl"].result_count == 1


def test_dataset_items_are_searchable(client, superuser, demo):
    client.force_login(superuser)
    url = reverse("admin:experiments_datasetitem_changelist")
    sample = demo.dataset.active_items().first().input["passage"].split()[2]
    result = client.get(url, {"q": sample}).context["cl"].result_count
    assert 1 <= result < demo.dataset.active_items().count()


def test_readonly_models_cannot_be_edited(client, superuser, populated):
    client.force_login(superuser)
    url = reverse("admin:experiments_sweep_change", args=[populated.pk])
    refused = client.post(url, {"status": "cancelled"})
    assert refused.status_code == 403  # refused, not silently ignored
    populated.refresh_from_db()
    assert populated.status == "queued"
    assert Run.objects.get().status == "done"


def test_admin_is_titled_promptlooper(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index"))
    assert page.context["site_header"] == "PromptLooper administration"
    assert page.context["site_title"] == "PromptLooper admin"
    assert page.context["title"] == "PromptLooper"  # the index title
    text = page.content.decode()
    assert "<title>PromptLooper | PromptLooper admin</title>" in text
    assert "Django site admin" not in text and "Django administration" not in text
