"""Demo data: the statistics of the seeded procedures, so that the demo dashboards are not empty."""

from .compute import statistics_compute


def seed(*, stdout=None) -> None:
    run = statistics_compute(full=True)
    if stdout is not None and run is not None:
        stdout.write(f"Statistiques calculées ({run.figures} chiffres).")
