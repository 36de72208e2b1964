"""The morning reminder job: one e-mail per owner, J-7 / J-3 / J-1 and missed, never twice.

Dates: Monday 10 March 2025 is "today"; due dates are 17 (J-7), 13 (J-3), 11 (J-1) March."""

import smtplib
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection

from cases.models import Role
from procedures import services
from procedures.models import Deadline, DeadlineReminder, DeadlineStatus
from procedures.reminders import send_deadline_reminders
from procedures.tasks import send_deadline_reminders as send_deadline_reminders_task
from tests.factories import CaseFactory, MembershipFactory, UserFactory, VictimFactory

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2025, 3, 10)


@pytest.fixture
def procedure(owner, case, parquet):
    return services.procedure_create(
        user=owner, case=case, parquet=parquet, parquet_reference="24 068 000 123", opened_on=date(2024, 1, 15)
    )


@pytest.fixture
def second_lawyer(association):
    return MembershipFactory(user=UserFactory(username="second"), association=association, role=Role.LAWYER).user


_triggers = iter(range(1, 100_000))


def make_deadline(procedure, *, owner, due_on, status=DeadlineStatus.OPEN, rule="appeal_correctionnel"):
    # A distinct trigger date per deadline keeps the (association, procedure, rule, trigger) unique.
    return Deadline.objects.create(
        case=procedure.case,
        procedure=procedure,
        association=procedure.association,
        rule=rule,
        trigger_date=date(2000, 1, 1) + timedelta(days=next(_triggers)),
        computed_due_on=due_on,
        due_on=due_on,
        status=status,
        owner=owner,
    )


def reminded_steps(deadline):
    return sorted(deadline.reminders.values_list("step", flat=True))


@pytest.mark.django_db
def test_each_owner_gets_one_email_listing_their_deadlines_due_in_7_3_and_1_days(procedure, owner, second_lawyer):
    in_7 = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=7))
    in_3 = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=3))
    in_1 = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))
    in_2 = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=2))
    in_10 = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=10))
    theirs = make_deadline(procedure, owner=second_lawyer, due_on=TODAY + timedelta(days=1))

    report = send_deadline_reminders(today=TODAY)

    assert report.emails_sent == 2
    assert report.reminders_sent == 4
    assert sorted(message.to[0] for message in mail.outbox) == [owner.email, second_lawyer.email]
    assert (reminded_steps(in_7), reminded_steps(in_3), reminded_steps(in_1)) == (["J-7"], ["J-3"], ["J-1"])
    assert reminded_steps(in_2) == reminded_steps(in_10) == []
    assert reminded_steps(theirs) == ["J-1"]
    mine = next(message for message in mail.outbox if message.to == [owner.email])
    for due in ("17/03/2025", "13/03/2025", "11/03/2025"):
        assert due in mine.body
    assert "12/03/2025" not in mine.body
    assert "20/03/2025" not in mine.body


@pytest.mark.django_db
def test_the_email_is_in_french_in_plain_text_and_html_with_everything_the_lawyer_needs(procedure, owner, case):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=3))

    send_deadline_reminders(today=TODAY)

    [message] = mail.outbox
    assert message.subject == "Vos délais au 10/03/2025 : 1 délai à échéance proche"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for body in (message.body, html):
        assert "ACPE-T-001" in body
        assert "Valenciennois — test" in body
        assert "Parquet de Valenciennes n° 24 068 000 123" in body
        assert "(art. 498 CPP)" in body
        assert "13/03/2025" in body
        assert "Dans 3 jours" in body
        assert f"http://127.0.0.1:8000/affaires/{case.pk}/" in body
    assert "<table" in html
    assert "<table" not in message.body


@pytest.mark.django_db
def test_the_links_use_the_site_url_when_it_is_set(settings, procedure, owner, case):
    settings.SITE_URL = "https://affaires.example.org/"
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))

    send_deadline_reminders(today=TODAY)

    assert f"https://affaires.example.org/affaires/{case.pk}/" in mail.outbox[0].body


@pytest.mark.django_db
def test_running_twice_the_same_day_sends_nothing_new(procedure, owner):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))
    make_deadline(procedure, owner=owner, due_on=TODAY - timedelta(days=1))

    first = send_deadline_reminders(today=TODAY)
    second = send_deadline_reminders(today=TODAY)

    assert (first.emails_sent, first.reminders_sent) == (1, 2)
    assert (second.emails_sent, second.reminders_sent) == (0, 0)
    assert len(mail.outbox) == 1
    assert DeadlineReminder.objects.count() == 2


@pytest.mark.django_db
def test_a_new_deadline_is_reminded_on_a_second_run_without_repeating_the_first(procedure, owner):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))
    send_deadline_reminders(today=TODAY)
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=7))

    send_deadline_reminders(today=TODAY)

    assert len(mail.outbox) == 2
    assert "17/03/2025" in mail.outbox[1].body
    assert "11/03/2025" not in mail.outbox[1].body


@pytest.mark.django_db
@pytest.mark.parametrize("status", [DeadlineStatus.DONE, DeadlineStatus.CANCELLED])
def test_a_done_or_cancelled_deadline_is_never_reminded(procedure, owner, status):
    upcoming = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1), status=status)
    past = make_deadline(procedure, owner=owner, due_on=TODAY - timedelta(days=5), status=status)

    report = send_deadline_reminders(today=TODAY)

    assert report.emails_sent == 0
    assert mail.outbox == []
    past.refresh_from_db()
    assert past.status == status
    assert reminded_steps(upcoming) == reminded_steps(past) == []


@pytest.mark.django_db
def test_a_past_open_deadline_becomes_missed_and_gets_one_missed_reminder_only(procedure, owner):
    deadline = make_deadline(procedure, owner=owner, due_on=TODAY - timedelta(days=1))

    report = send_deadline_reminders(today=TODAY)
    for later in range(1, 4):
        send_deadline_reminders(today=TODAY + timedelta(days=later))

    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MISSED
    assert report.marked_missed == 1
    assert reminded_steps(deadline) == ["missed"]
    [message] = mail.outbox
    assert "1 délai manqué" in message.subject
    assert "DÉLAIS MANQUÉS" in message.body
    assert "09/03/2025" in message.body


@pytest.mark.django_db
def test_a_deadline_reminded_at_j_1_and_then_missed_gets_its_missed_reminder(procedure, owner):
    deadline = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))

    send_deadline_reminders(today=TODAY)
    send_deadline_reminders(today=TODAY + timedelta(days=2))

    assert reminded_steps(deadline) == ["J-1", "missed"]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_email_never_contains_a_victim_identity(procedure, owner, case):
    victim = VictimFactory(case=case, first_name="Ondine", last_name="Marchetti", birth_date=date(2010, 2, 14))
    procedure.victims.add(victim)
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))
    make_deadline(procedure, owner=owner, due_on=TODAY - timedelta(days=3))

    send_deadline_reminders(today=TODAY)

    [message] = mail.outbox
    for text in (message.subject, message.body, message.alternatives[0][0]):
        assert "Ondine" not in text
        assert "Marchetti" not in text
        assert "14/02/2010" not in text
        assert "2010-02-14" not in text


@pytest.mark.django_db
def test_owners_without_an_email_address_are_skipped_and_counted(procedure, owner, association):
    silent = MembershipFactory(
        user=UserFactory(username="sans-courriel", email=""), association=association, role=Role.LAWYER
    ).user
    make_deadline(procedure, owner=silent, due_on=TODAY + timedelta(days=1))
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))

    report = send_deadline_reminders(today=TODAY)

    assert report.owners_without_email == 1
    assert report.emails_sent == 1
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert not DeadlineReminder.objects.filter(recipient=silent).exists()


@pytest.mark.django_db
def test_an_owner_who_no_longer_sees_the_case_is_not_told_about_it(procedure, outsider):
    make_deadline(procedure, owner=outsider, due_on=TODAY + timedelta(days=1))

    report = send_deadline_reminders(today=TODAY)

    assert report.emails_sent == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failed_send_records_nothing_so_the_next_run_sends_it(procedure, owner, monkeypatch):
    deadline = make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("connexion perdue")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", refuse)
        failed = send_deadline_reminders(today=TODAY)
    retried = send_deadline_reminders(today=TODAY)

    assert failed.owners_failed == 1
    assert failed.emails_sent == 0
    assert (retried.emails_sent, retried.owners_failed) == (1, 0)
    assert reminded_steps(deadline) == ["J-1"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_one_owners_failure_does_not_stop_the_others(procedure, owner, second_lawyer, monkeypatch):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))
    make_deadline(procedure, owner=second_lawyer, due_on=TODAY + timedelta(days=1))
    real_send = EmailMultiAlternatives.send

    def refuse_the_owner(self, fail_silently=False):
        if self.to == [owner.email]:
            raise ConnectionRefusedError
        return real_send(self, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse_the_owner)
    report = send_deadline_reminders(today=TODAY)

    assert (report.emails_sent, report.owners_failed) == (1, 1)
    assert [message.to for message in mail.outbox] == [[second_lawyer.email]]
    assert not DeadlineReminder.objects.filter(recipient=owner).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_never_send_twice(procedure, owner):
    for days in (1, 3, 7):
        make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=days))
    start = threading.Barrier(2)
    reports = []

    def run():
        try:
            start.wait()
            reports.append(send_deadline_reminders(today=TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(report.emails_sent for report in reports) == [0, 1]
    assert len(mail.outbox) == 1
    assert DeadlineReminder.objects.count() == 3


@pytest.mark.django_db
def test_the_task_defaults_to_today_in_paris(procedure, owner):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))

    # 23:30 UTC on the 9th is 00:30 on the 10th in Paris.
    with time_machine.travel(datetime(2025, 3, 9, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        result = send_deadline_reminders_task.apply().get()

    assert result["today"] == "2025-03-10"
    assert result["emails_sent"] == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_task_runs_on_a_real_worker_through_the_redis_broker(celery_worker, procedure, owner):
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=3))

    first = send_deadline_reminders_task.delay("2025-03-10").get(timeout=30)
    second = send_deadline_reminders_task.delay("2025-03-10").get(timeout=30)

    assert first == {
        "today": "2025-03-10",
        "marked_missed": 0,
        "emails_sent": 1,
        "reminders_sent": 1,
        "owners_without_email": 0,
        "owners_failed": 0,
    }
    assert second["emails_sent"] == 0
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert "13/03/2025" in message.body


def test_the_reminder_job_is_found_by_its_beat_name():
    from config.celery import app

    assert "procedures.send_deadline_reminders" in app.tasks


@pytest.mark.django_db
def test_reminders_across_two_associations_go_to_each_owner_for_their_own_cases(
    procedure, owner, outsider, other_association
):
    their_case = CaseFactory(association=other_association, reference="AUTRE-001", lead_lawyer=outsider)
    their_procedure = services.procedure_create(
        user=outsider, case=their_case, parquet=procedure.parquet, parquet_reference="25 000 111"
    )
    make_deadline(procedure, owner=owner, due_on=TODAY + timedelta(days=1))
    make_deadline(their_procedure, owner=outsider, due_on=TODAY + timedelta(days=1))

    send_deadline_reminders(today=TODAY)

    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert "ACPE-T-001" in by_recipient[owner.email]
    assert "AUTRE-001" not in by_recipient[owner.email]
    assert "AUTRE-001" in by_recipient[outsider.email]
    assert "ACPE-T-001" not in by_recipient[outsider.email]
