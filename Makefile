# gridgov: two commands. `make demo` installs and serves the demo district;
# `make test` installs and runs lint and the whole test suite (SQLite, and PostgreSQL
# when GRIDGOV_TEST_DATABASE_URL is set or a local server answers on 127.0.0.1:5432).
# `make test-fast`: lint and everything but the tests marked slow or e2e, for every day.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
LOCAL_PG := postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install demo serve test test-fast lint bench messages lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/gridgov db upgrade
	$(BIN)/gridgov demo build --if-empty
	$(BIN)/gridgov serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/gridgov serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Two workers that steal work from each other (the long tests do not queue behind one
# worker), their temporary files (the SQLite test databases) on tmpfs where there is
# one: a synchronous commit then costs nothing, and nothing a test checks depends on
# surviving a power cut.
PYTEST_RUN = \
	if [ -z "$$GRIDGOV_TEST_DATABASE_URL" ] && $(BIN)/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=test', connect_timeout=2).close()" 2>/dev/null; then \
		echo "PostgreSQL answers on 127.0.0.1:5432: running the PostgreSQL leg too."; \
		export GRIDGOV_TEST_DATABASE_URL="$(LOCAL_PG)"; \
	fi; \
	basetemp=$$(mktemp -d /dev/shm/gridgov-test.XXXXXX 2>/dev/null || mktemp -d); \
	$(BIN)/pytest -n 2 --dist worksteal -q --basetemp="$$basetemp"

test: lint
	@$(PYTEST_RUN); status=$$?; rm -rf "$$basetemp"; exit $$status

test-fast: lint
	@$(PYTEST_RUN) -m "not slow and not e2e"; status=$$?; rm -rf "$$basetemp"; exit $$status

bench: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	@for script in benchmarks/*.py; do \
		[ "$$script" = benchmarks/scratch.py ] && continue; \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done

messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k 'Problem:2' -k InvalidInput -k NotFound \
		-k Forbidden -k Conflict -k TooManyRequests -k Unauthenticated -k InvalidCredentials \
		-k CsrfFailed -k NotReady -k DomainError -k 'DataFileError:2' --no-location --sort-output -o src/gridgov/web/translations/messages.pot src
	for lang in zh_Hans zh_Hant en ko ja vi; do \
		if [ -f src/gridgov/web/translations/$$lang/LC_MESSAGES/messages.po ]; then verb=update; \
		else verb=init; fi; \
		$(BIN)/pybabel $$verb -l $$lang -i src/gridgov/web/translations/messages.pot \
			-d src/gridgov/web/translations $$( [ $$verb = update ] && echo --no-fuzzy-matching --ignore-obsolete ); done

# Re-resolve the newest versions pyproject.toml allows and record them.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Exact versions that make test and make demo install (pip -c). Regenerate with"; \
	  echo "# \`make lock\` after changing dependencies in pyproject.toml."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' | sort -f; } > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
