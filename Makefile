# Table Order — every target bootstraps .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs with DEBUG off, like production, minus HTTPS redirects.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production-use-0123456789} SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
	DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run test bench lint format messages clean lock

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core for the browser tests' accessibility checks (tableorder/tests/axe.py), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is missing (apt-get install -y npm): the accessibility checks will be skipped"; fi

# `make run` restarts when the project's own code, templates, static files or compiled messages
# change (watchfiles, from requirements-dev.txt); .venv, media, staticfiles and test-output are not watched.
RELOAD_DIRS := accounts core menus orders kitchen reports tableorder templates static locale

run: $(BIN)/.installed
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo --if-absent
	@echo ""
	@echo "  Table Order is running at http://$(HOST):$(PORT)/"
	@echo "    tablet:     http://$(HOST):$(PORT)/            (store demo, table 1-12, table password 1234)"
	@echo "    manager:    http://$(HOST):$(PORT)/admin/      (store demo, manager / demo1234: live dashboard, tables, menu)"
	@echo "    kitchen:    http://$(HOST):$(PORT)/admin/kitchen/  (store demo, kitchen / demo1234: the kitchen display)"
	@echo "    manager API: POST /api/v1/auth/login        (store demo, manager / demo1234)"
	@echo "    API docs:   http://$(HOST):$(PORT)/api/docs/"
	@echo ""
	DEBUG=1 $(BIN)/uvicorn tableorder.asgi:application --host $(HOST) --port $(PORT) --reload \
		$(foreach dir,$(RELOAD_DIRS),--reload-dir $(dir)) \
		--reload-include '*.html' --reload-include '*.js' --reload-include '*.css' --reload-include '*.mo'

# `make test` runs the suite on PostgreSQL: DATABASE_URL's, or else the local server on
# 127.0.0.1:5432 (started if this machine has one stopped; database tableorder_test, made if
# missing); on SQLite when there is neither. `make test-sqlite` is the second run, on SQLite,
# without the browser tests (they run once, on PostgreSQL), one worker per core (pytest-xdist; a
# file's tests stay together). `make test` runs the tests but the browser tests on two workers too
# (much of their time is spent waiting on streams, threads and timers), then the browser tests in
# one process: they share one app server (tableorder/tests/conftest.py). pytest's exit status 5
# (no test collected, e.g. PYTEST_ARGS naming a file without browser tests) counts as success.
TEST_WORKERS ?= 2
LOCAL_PG := -h 127.0.0.1 -p 5432 -U postgres
test: $(BIN)/.installed node_modules/.installed
	@if [ -z "$$DATABASE_URL" ] && command -v pg_isready >/dev/null 2>&1; then \
	  if ! pg_isready -q $(LOCAL_PG) && command -v pg_ctlcluster >/dev/null 2>&1; then \
	    pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true; \
	    for _ in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q $(LOCAL_PG) && break; sleep 1; done; \
	  fi; \
	  if pg_isready -q $(LOCAL_PG); then \
	    psql $(LOCAL_PG) -Atc "SELECT 1 FROM pg_database WHERE datname = 'tableorder_test'" | grep -q 1 \
	      || psql $(LOCAL_PG) -qc "CREATE DATABASE tableorder_test"; \
	    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/tableorder_test"; \
	  fi; \
	fi; \
	echo "== tests on $${DATABASE_URL:-SQLite}, browser tests apart"; \
	$(TEST_ENV) $(BIN)/pytest -m "not browser" -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS); rc=$$?; \
	[ $$rc -eq 0 ] || [ $$rc -eq 5 ] || exit $$rc; \
	echo "== browser tests on $${DATABASE_URL:-SQLite}"; \
	$(TEST_ENV) $(BIN)/pytest -m browser $(PYTEST_ARGS); rc=$$?; \
	[ $$rc -eq 0 ] || [ $$rc -eq 5 ] || exit $$rc

.PHONY: test-sqlite
test-sqlite: $(BIN)/.installed
	env -u DATABASE_URL $(TEST_ENV) $(BIN)/pytest -m "not browser" -n auto --dist loadfile $(PYTEST_ARGS)

bench: $(BIN)/.installed
	$(TEST_ENV) $(BIN)/python -m bench $(BENCH_ARGS)

# The benchmarks against REF (a commit, in a temporary git worktree) and then the working tree,
# with the ratios (bench/compare.py); BENCH_ARGS="--scenarios menu,realtime --duration 5" for fewer.
.PHONY: bench-compare
bench-compare: $(BIN)/.installed
	$(if $(REF),,$(error REF is required, e.g. make bench-compare REF=HEAD))
	$(TEST_ENV) $(BIN)/python -m bench compare --ref $(REF) $(BENCH_ARGS)

# Reliability runs on PostgreSQL (see reliability/): a soak of SOAK_SECONDS (default 180) on the
# database next to DATABASE_URL's (or tableorder_soak), and faults on a private server it makes.
.PHONY: soak faults
soak: $(BIN)/.installed
	$(TEST_ENV) $(BIN)/python -m reliability soak --seconds $${SOAK_SECONDS:-180} $(SOAK_ARGS)

faults: $(BIN)/.installed
	$(TEST_ENV) $(BIN)/python -m reliability faults $(FAULTS_ARGS)

# Schemathesis against the API at length (tableorder/tests/test_fuzz.py): every phase, FUZZ_EXAMPLES
# (default 500) examples an operation; FUZZ_SEED=N for another set of cases. Reports in test-output/fuzz/.
.PHONY: fuzz
fuzz: $(BIN)/.installed
	$(TEST_ENV) FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} FUZZ_PHASES=$${FUZZ_PHASES:-examples,coverage,fuzzing,stateful} \
		$(BIN)/pytest tableorder/tests/test_fuzz.py -s $(PYTEST_ARGS)

lint: $(BIN)/.installed typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with the django-stubs and DRF plugins, configured in pyproject.toml (strict on the modules listed
# there); the plugins import the settings, hence TEST_ENV.
.PHONY: typecheck
typecheck: $(BIN)/.installed
	$(TEST_ENV) $(BIN)/mypy .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# requirements.lock: every package deploy/deploy.sh installs, pinned with its hashes (needs PyPI).
lock: $(BIN)/.installed
	$(BIN)/uv pip compile --quiet --generate-hashes requirements.txt -o requirements.lock --python-version 3.11

# Needs GNU gettext (apt-get install gettext); the compiled .mo is committed, so running does not.
messages: $(BIN)/.installed
	DEBUG=1 $(BIN)/python manage.py makemessages -l ko --ignore=.venv --ignore=bench --ignore='*/tests/*' \
		--ignore=conftest.py --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py compilemessages -l ko --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-output .pytest_cache .ruff_cache .mypy_cache
