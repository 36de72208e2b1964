from celery.backends.redis import RedisBackend

from config.celery import app, ping


def test_the_app_accepts_json_only_and_acknowledges_late():
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_without_a_broker_tasks_run_in_process():
    assert app.conf.task_always_eager is True
    assert ping.delay().get() == "pong"


def test_a_real_worker_on_the_redis_broker_runs_a_task(celery_worker):
    assert app.conf.task_always_eager is False
    result = ping.delay()
    assert result.get(timeout=10) == "pong"
    assert isinstance(result.backend, RedisBackend)
    assert result.state == "SUCCESS"
