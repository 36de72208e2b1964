.PHONY: run test bench lint format

run:  ## install, create the database, migrate, load demo data, start web + worker + beat
	bin/run

test:  ## install, lint, run the whole suite (PostgreSQL, Redis broker, real worker)
	bin/test

bench:  ## run every script in benchmarks/
	bin/bench

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
