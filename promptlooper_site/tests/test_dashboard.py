"""The dashboard's page answers every client-side route (so its URLs can be
bookmarked), not the API's, the admin's, the sockets' or the static files';
and a server without a built dashboard says how to build it."""

from __future__ import annotations

import pytest

PAGE = b'<!doctype html><div id="root"></div><script src="/static/app/assets/i.js">'


@pytest.fixture
def built(settings, tmp_path):
    (tmp_path / "index.html").write_bytes(PAGE)
    settings.FRONTEND_DIST = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    "url", ["/", "/login", "/projects/3/experiments/12", "/sweeps/7?tab=runs"]
)
def test_client_routes_answer_the_app_page(client, built, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PAGE
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    # The sign-in form's CSRF token comes with the page.
    assert response.cookies["csrftoken"].value


def test_the_api_admin_sockets_and_static_files_are_not_the_app(client, built):
    missing = client.get("/api/no-such-thing/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found.", "errors": []}
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/static/app/assets/nothing.js").status_code == 404
    assert client.get("/ws/sweeps/1/").status_code == 404
    # Without the slash: redirected to the API and the admin, not the app.
    for bare in ("/api", "/admin"):
        response = client.get(bare)
        assert response.status_code == 301 and response["Location"] == bare + "/"


def test_the_app_page_is_read_only(client, built):
    assert client.post("/projects/1").status_code == 405
    assert client.head("/projects/1").status_code == 200


def test_without_a_build_the_page_says_how_to_make_one(client, settings, tmp_path):
    settings.FRONTEND_DIST = tmp_path / "dist"
    response = client.get("/projects/1")
    assert response.status_code == 503
    text = response.content.decode()
    assert "The dashboard is not built" in text
    assert "make install" in text and "npm run build" in text
    assert str(tmp_path / "dist") in text
