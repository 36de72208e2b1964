"""Celery entry points of linking: thin, they take ids and call a service."""

from celery import shared_task

from .jobs import linking_run_execute


@shared_task(name="linking.run")
def run(run_id: int) -> None:
    linking_run_execute(run_id=run_id)
