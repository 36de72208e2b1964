"""Celery entry points of linking: thin, they take ids and call a service."""

from celery import shared_task

from . import arrivals
from .jobs import linking_run_execute


@shared_task(name="linking.run")
def run(run_id: int) -> None:
    linking_run_execute(run_id=run_id)


@shared_task(name="linking.persons_arrive")
def persons_arrive(case_id: int, suspect_ids: list[int], victim_ids: list[int]) -> int:
    return arrivals.persons_arrive(case_id=case_id, suspect_ids=suspect_ids, victim_ids=victim_ids)
