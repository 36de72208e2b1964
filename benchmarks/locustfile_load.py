"""The virtual users of benchmarks/bench_load.py (locust, started by it: not a bench_*.py of its own).

Three kinds of member of the association that owns the reference case, in the proportions of a
working day: lawyers and staff through the case, its procedures and deadlines, admins through the
statistics (an admin has no access to the cases); all of them also read the API with a personal
token. Every request carries the header
the TLS proxy sets (X-Forwarded-Proto), as production's gunicorn receives it. The plan (sessions,
tokens, ids) is a JSON file written by bench_load.py, named by BENCH_LOAD_PLAN."""

import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, between

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text())
PROXY = {"X-Forwarded-Proto": "https"}


class Member(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(PLAN["wait"][0], PLAN["wait"][1])

    def on_start(self):
        plan = PLAN["roles"][self.role]
        # One signed-in session per virtual user, as many people on the same account would have.
        self.pages = {**PROXY, "Cookie": f"sessionid={plan['sessions'].pop()}"}
        self.api = {**PROXY, "Authorization": f"Bearer {plan['token']}", "Accept": "application/json"}

    def get(self, name: str, url: str, headers: dict) -> None:
        # No redirect followed: a session that stopped working would otherwise "succeed" on the
        # sign-in page.
        with self.client.get(url, headers=headers, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def home(self):
        self.get("home", "/", self.pages)

    def case_page(self):
        self.get("case page", f"/affaires/{PLAN['case']}/", self.pages)

    def procedure_list(self):
        page = random.randint(1, PLAN["procedure_pages"])
        self.get("procedure list", f"/affaires/{PLAN['case']}/procedures/?page={page}", self.pages)

    def procedure_detail(self):
        self.get("procedure detail", f"/procedures/{random.choice(PLAN['procedures'])}/", self.pages)

    def deadlines(self):
        self.get("deadlines", "/delais/", self.pages)

    def statistics(self):
        self.get("statistics dashboard", "/statistiques/", self.pages)

    def api_procedures(self):
        page = random.randint(1, PLAN["api_procedure_pages"])
        self.get("API procedures", f"/api/v1/procedures/?case={PLAN['case']}&page={page}", self.api)

    def api_deadlines(self):
        self.get("API deadlines", f"/api/v1/deadlines/?case={PLAN['case']}", self.api)

    def api_cases(self):
        self.get("API cases", "/api/v1/cases/", self.api)


class Lawyer(Member):
    role = "lawyer"
    weight = 2
    tasks = {
        Member.home: 2,
        Member.case_page: 2,
        Member.procedure_list: 3,
        Member.procedure_detail: 3,
        Member.deadlines: 2,
        Member.api_procedures: 2,
        Member.api_deadlines: 1,
        Member.api_cases: 1,
    }


class Staff(Member):
    role = "staff"
    weight = 2
    tasks = {
        Member.home: 2,
        Member.case_page: 2,
        Member.procedure_list: 3,
        Member.procedure_detail: 3,
        Member.api_procedures: 1,
        Member.api_cases: 1,
    }


class Admin(Member):
    role = "admin"
    weight = 1
    # An admin manages members and reads the statistics; the cases themselves are not theirs to open.
    tasks = {
        Member.home: 1,
        Member.statistics: 3,
        Member.api_cases: 1,
    }
