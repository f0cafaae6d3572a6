"""Promoting a sweep's config to a label: who may, what is refused, the
label's history and rollback, from the API, the command line and the admin
(docs/api.md, "Promotion and deployments")."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from experiments.models import Promotion, Run, Sweep
from experiments.services.promotions import promote_config
from experiments.services.prompts import add_prompt_version
from experiments.tests.promotion_helpers import api, finished_sweep, ranked

pytestmark = pytest.mark.django_db(transaction=True)
DEPLOYMENT = "/api/deployments/acme/engine-test/production/"


@pytest.fixture
def sweep(project, simulator) -> Sweep:
    return finished_sweep(simulator.base_url)


def promote(user, sweep: Sweep, config: str, label: str = "production", **body):
    return api(user).post(
        f"/api/sweeps/{sweep.pk}/promote/",
        {"config": config, "label": label, **body},
        format="json",
    )


def test_an_editor_promotes_a_config_and_viewers_read_it(sweep, bob, carol):
    best = ranked(sweep)[0]
    response = promote(bob, sweep, best, note="best of the grid")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["label"], body["config_hash"], body["sweep"]) == (
        "production",
        best,
        sweep.pk,
    )
    assert (body["promoted_by"], body["note"]) == ("bob", "best of the grid")
    row = sweep.runs.leaderboard()[0]
    assert body["scores"]["score"] == pytest.approx(row["score"])
    assert body["scores"]["n"] == row["n"] and body["scores"]["ci95"] == row["ci95"]
    assert set(body["scores"]["scores"]) == {"json_valid", "json_f1:people"}
    history = api(carol).get(f"/api/experiments/{sweep.experiment_id}/promotions/")
    assert history.status_code == 200
    assert [p["id"] for p in history.json()["results"]] == [body["id"]]
    deployment = api(carol).get(DEPLOYMENT)
    assert deployment.status_code == 200
    assert deployment.json()["config_hash"] == best


def test_a_viewer_cannot_promote_and_an_outsider_sees_nothing(sweep, carol, charlie):
    best = ranked(sweep)[0]
    assert promote(carol, sweep, best).status_code == 403
    assert promote(charlie, sweep, best).status_code == 404
    assert not Promotion.objects.exists()
    promote_config(sweep, best, "production")
    experiment = sweep.experiment_id
    outsider = api(charlie)
    assert outsider.get(f"/api/experiments/{experiment}/promotions/").status_code == 404
    assert outsider.get(DEPLOYMENT).status_code == 404
    rollback = outsider.post(
        f"/api/experiments/{experiment}/rollback/", {"label": "production"}
    )
    assert rollback.status_code == 404
    assert (
        api(carol)
        .post(f"/api/experiments/{experiment}/rollback/", {"label": "production"})
        .status_code
        == 403
    )
    assert Promotion.objects.count() == 1


def errors_of(response) -> dict:
    assert response.status_code == 400, response.content
    return {e["path"]: e["message"] for e in response.json()["errors"]}


def test_bad_input_is_refused_naming_the_field_and_stores_nothing(sweep, bob):
    best, worst = ranked(sweep)[0], ranked(sweep)[-1]
    assert "config" in errors_of(promote(bob, sweep, "f" * 64))
    assert "config" in errors_of(promote(bob, sweep, "abc"))  # too short a prefix
    Run.objects.filter(sweep=sweep, config_hash=worst).update(status="failed")
    assert "no done run" in errors_of(promote(bob, sweep, worst))["config"]
    for label in ("Production", "prod uction", "-prod", "x" * 51, ""):
        assert "label" in errors_of(promote(bob, sweep, best, label=label)), label
    assert "note" in errors_of(promote(bob, sweep, best, note="n" * 501))
    assert not Promotion.objects.exists()


def test_a_config_is_promoted_by_the_start_of_its_hash(sweep, bob):
    best = ranked(sweep)[0]
    response = promote(bob, sweep, best[:8], label="staging")
    assert response.status_code == 201, response.content
    assert response.json()["config_hash"] == best


def test_a_sweep_still_running_cannot_be_promoted_from(sweep, bob):
    Sweep.objects.filter(pk=sweep.pk).update(status="paused")
    response = promote(bob, sweep, ranked(sweep)[0])
    assert response.status_code == 409
    assert "paused" in response.json()["detail"]
    assert not Promotion.objects.exists()


def test_history_keeps_each_promotion_and_rollback_promotes_the_previous_again(
    sweep, alice, bob, carol
):
    first, second, *_ = ranked(sweep)
    one = promote(alice, sweep, second, note="first try").json()
    two = promote(bob, sweep, first, note="better").json()
    staging = promote(bob, sweep, second, label="staging").json()
    url = f"/api/experiments/{sweep.experiment_id}"
    back = api(bob).post(
        f"{url}/rollback/", {"label": "production", "note": "regression"}, format="json"
    )
    assert back.status_code == 201, back.content
    back = back.json()
    assert (back["config_hash"], back["source"], back["note"]) == (
        second,
        one["id"],
        "regression",
    )
    assert api(carol).get(DEPLOYMENT).json()["config_hash"] == second
    history = api(carol).get(f"{url}/promotions/?label=production").json()["results"]
    assert [p["id"] for p in history] == [back["id"], two["id"], one["id"]]
    assert [p["promoted_by"] for p in history] == ["bob", "bob", "alice"]
    assert all(p["sweep"] == sweep.pk for p in history)
    everything = api(carol).get(f"{url}/promotions/").json()["results"]
    assert staging["id"] in [p["id"] for p in everything]
    # Rolling forward again: promote a chosen earlier one by its id.
    again = api(bob).post(
        f"{url}/rollback/",
        {"label": "production", "promotion": two["id"]},
        format="json",
    )
    assert again.status_code == 201 and again.json()["config_hash"] == first
    assert api(carol).get(DEPLOYMENT).json()["config_hash"] == first


def test_rollback_without_an_earlier_config_is_refused(sweep, bob):
    url = f"/api/experiments/{sweep.experiment_id}/rollback/"
    assert "label" in errors_of(api(bob).post(url, {"label": "production"}))
    promote(bob, sweep, ranked(sweep)[0])
    promote(bob, sweep, ranked(sweep)[0])  # the same config twice
    assert "label" in errors_of(api(bob).post(url, {"label": "production"}))
    assert "promotion" in errors_of(
        api(bob).post(url, {"label": "production", "promotion": 10**9})
    )
    assert Promotion.objects.count() == 2


def test_a_promotion_outlives_its_sweep_and_later_prompt_versions(sweep, bob, carol):
    best = ranked(sweep)[0]
    promote(bob, sweep, best)
    before = api(carol).get(DEPLOYMENT).json()
    prompt = sweep.experiment.project.prompts.get(name="p")
    add_prompt_version(prompt, [{"role": "user", "content": "changed {{ passage }}"}])
    sweep.experiment.project.endpoints.filter(name="sim").update(
        base_url="http://127.0.0.1:1/v1"
    )
    assert api(carol).get(DEPLOYMENT).json() == before
    sweep.delete()
    after = api(carol).get(DEPLOYMENT)
    assert after.status_code == 200 and after.json() == before
    promotion = Promotion.objects.get()
    assert (
        promotion.sweep is None
        and promotion.sweep_number == before["promotion"]["sweep"]
    )
    # Rolling back to it still works without the sweep.
    promote_url = f"/api/experiments/{promotion.experiment_id}/rollback/"
    again = api(bob).post(promote_url, {"label": "canary", "promotion": promotion.pk})
    assert again.status_code == 201 and again.json()["config_hash"] == best


def test_the_promote_command_promotes_lists_and_rolls_back(sweep, bob):
    first, second, *_ = ranked(sweep)
    out = io.StringIO()
    call_command("promote", str(sweep.pk), second, "production", stdout=out)
    call_command(
        "promote", str(sweep.pk), first[:10], "production", "--user", "bob",
        "--note", "better", stdout=out,
    )  # fmt: skip
    current = Promotion.objects.current(sweep.experiment, "production")
    assert (current.config_hash, current.promoted_by, current.note) == (
        first,
        bob,
        "better",
    )
    call_command("promote", "--rollback", "acme/engine-test", "production", stdout=out)
    assert Promotion.objects.current(sweep.experiment, "production").config_hash == (
        second
    )
    listing = io.StringIO()
    call_command("promote", "--history", str(sweep.experiment_id), stdout=listing)
    lines = listing.getvalue().splitlines()
    assert len(lines) == 3 and all(line.startswith("production") for line in lines)
    assert f"config {second[:12]} of sweep {sweep.pk}" in lines[0]
    assert "by bob" in lines[1] and "better" in lines[1]
    assert "by command line" in lines[2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{sweep}", "f" * 64, "production"], "unknown config"),
        (["{sweep}", "{best}", "Prod"], "label"),
        (["999999", "{best}", "production"], "no sweep 999999"),
        (["{sweep}", "{best}"], "usage"),
        (["--rollback", "acme/engine-test", "production"], "no earlier promotion"),
        (["--history", "acme/nope"], "no experiment acme/nope"),
        (["{sweep}", "{best}", "production", "--user", "carol"], "editor role"),
    ],
)
def test_the_promote_command_refuses_bad_input_and_changes_nothing(
    sweep, carol, args, message
):
    values = {"sweep": sweep.pk, "best": ranked(sweep)[0]}
    with pytest.raises(CommandError, match=message):
        call_command("promote", *[a.format(**values) for a in args])
    assert not Promotion.objects.exists()


def test_the_admin_promotes_and_promotes_an_earlier_one_again(client, superuser, sweep):
    client.force_login(superuser)
    first, second, *_ = ranked(sweep)
    add = reverse("admin:experiments_promotion_add")
    form = {"sweep": sweep.pk, "config": second, "label": "production", "note": ""}
    assert client.post(add, form).status_code == 302
    refused = client.post(add, {**form, "config": "f" * 64})
    assert refused.status_code == 200 and "not a config" in refused.content.decode()
    assert client.post(add, {**form, "config": first}).status_code == 302
    earlier = Promotion.objects.get(config_hash=second)
    changelist = reverse("admin:experiments_promotion_changelist")
    done = client.post(
        changelist,
        {"action": "promote_again_action", "_selected_action": [earlier.pk]},
    )
    assert done.status_code == 302
    current = Promotion.objects.current(sweep.experiment, "production")
    assert (current.config_hash, current.source_id) == (second, earlier.pk)
    assert current.promoted_by == superuser
    page = client.get(reverse("admin:experiments_promotion_change", args=[current.pk]))
    assert page.status_code == 200 and second in page.content.decode()
