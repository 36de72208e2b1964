"""Persons as they arrive (linking.arrivals): what the background task costs after an import that
brought new suspects, against an association that already knows many persons.

    .venv/bin/python benchmarks/bench_arrivals.py [--known 20000] [--new 2500]

It creates its own association and case (suspects with fictional names from Faker fr_FR, a third
with an e-mail or a phone), syncs the known persons, then times persons_arrive for the new
suspects — some of them other spellings of known ones — and deletes everything afterwards.
The import itself does not wait for this task (it is queued once the import's suspects are
written); the figure says how soon after an import its candidates are on the review page."""

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from faker import Faker  # noqa: E402

from cases.models import Association, Case, Suspect  # noqa: E402
from linking.arrivals import persons_arrive  # noqa: E402
from linking.models import MatchDecision, Person  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fictional(faker: Faker, generator: random.Random) -> tuple[str, list[tuple[str, str]]]:
    name = f"{faker.first_name()} {faker.last_name()}-Fictif"
    identifiers = []
    if generator.random() < 0.33:
        identifiers.append(("email", f"{name.split()[0].lower()}.{generator.randrange(10**6)}@example.fr"))
    elif generator.random() < 0.5:
        identifiers.append(("phone", f"+33 6 00 {generator.randrange(10**6):06d}"))
    return name, identifiers


def variant(name: str) -> str:
    given, family = name.split(" ", 1)
    return f"{family.upper()} {given[0]}."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--known", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=2_500)
    options = parser.parse_args()
    faker, generator = Faker("fr_FR"), random.Random(2024)
    Faker.seed(2024)
    association = Association.objects.create(short_name=f"BENCH-ARR-{os.getpid()}", name="Benchmark arrivals")
    case = Case.objects.create(association=association, reference="BENCH-ARR", title="Benchmark arrivals")
    try:
        known = [fictional(faker, generator) for _ in range(options.known)]
        started = time.perf_counter()
        suspects = Suspect.objects.bulk_create(Suspect(case=case, name=name) for name, _ids in known)
        persons_arrive(case_id=case.pk, suspect_ids=[s.pk for s in suspects])
        print(f"known: {options.known} persons synced and searched in {time.perf_counter() - started:.1f} s")
        before = MatchDecision.objects.filter(association=association).count()

        arriving = []
        for index in range(options.new):
            if index % 5 == 0:  # one in five is a known suspect written another way
                arriving.append(variant(known[generator.randrange(len(known))][0]))
            else:
                arriving.append(fictional(faker, generator)[0])
        new = Suspect.objects.bulk_create(Suspect(case=case, name=name) for name in arriving)
        started = time.perf_counter()
        proposed = persons_arrive(case_id=case.pk, suspect_ids=[s.pk for s in new])
        seconds = time.perf_counter() - started
        print(
            f"arrivals: {options.new} new suspects against {options.known} known in {seconds:.2f} s "
            f"= {options.new / seconds:,.0f} persons/s; {proposed} pairs proposed "
            f"({before} before them); peak RSS {peak_rss_mib():.0f} MiB"
        )
    finally:
        Person.objects.filter(association=association).delete()
        MatchDecision.objects.filter(association=association).delete()
        case.delete()
        association.delete()
    print(
        f"arrivals: {options.new} persons against {options.known} in {seconds:.2f} s "
        f"({options.new / seconds:,.0f} persons/s), in the background after the import"
    )


if __name__ == "__main__":
    main()
