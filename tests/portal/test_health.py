import pytest


@pytest.mark.django_db
def test_healthz_reports_every_service(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "broker"}
    assert {c["status"] for c in body["checks"].values()} == {"ok"}


def test_the_embedded_default_serves_static_files_without_collectstatic(client):
    # `make demo` runs with DEBUG off and no collectstatic: WhiteNoise serves from the finders.
    response = client.get("/static/vendor/pico-2.1.1/pico.min.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
