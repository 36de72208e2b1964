import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_the_database_and_eager_mode_without_a_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True}
    assert body["broker"]["mode"] == "eager"
    assert body["replica"] == {"configured": False}
    assert body["status"] == "ok"


def test_health_discloses_no_secret_or_address(client, settings):
    content = client.get("/healthz").content.decode()
    assert settings.SECRET_KEY not in content
    assert "postgres://" not in content and "redis://" not in content


def test_health_sees_the_broker_and_a_live_worker(client, celery_worker):
    body = client.get("/healthz").json()
    assert body["broker"] == {"ok": True, "mode": "broker"}
    assert body["workers"]["ok"] is True
    assert body["workers"]["count"] >= 1


def test_the_footer_says_tasks_run_in_process_without_a_broker(client, owner):
    client.force_login(owner)
    assert "aucun courtier Celery" in client.get("/").content.decode()
