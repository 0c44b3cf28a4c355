# Resursråd: `make run` starts the whole app, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# Settings fail closed (DEBUG is false unless set): the development targets ask
# for development mode themselves. The tests set their own environment
# (tests/resursrad/test_settings_environment.py).
DEV := DEBUG=true

.DEFAULT_GOAL := help
.PHONY: help run test lint format migrations-check check messages clean bench bench-notifications bench-deviations load

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: $(BIN)/python requirements.txt requirements-run.txt
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-run.txt
	@touch $@

$(VENV)/.load-installed: $(BIN)/python requirements.txt requirements-load.txt
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-load.txt
	@touch $@

$(VENV)/.dev-installed: $(BIN)/python requirements.txt requirements-run.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(VENV)/.run-installed $@

run: export DEBUG := true
# Links in e-mails point at the web server (honcho gives each process its own PORT).
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.run-installed ## Install, migrate, load demo data and start web, worker and scheduler (DEBUG=true)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	@echo ""
	@echo "Resursråd starts at http://127.0.0.1:$(PORT)/ (web, reminder worker and scheduler). Stop with Ctrl+C."
	@echo ""
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start

test: $(VENV)/.dev-installed ## Install the test tools and run the whole suite
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure." >&2; fi; \
	exit $$status

lint: $(VENV)/.dev-installed ## ruff (check and format) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV) $(BIN)/mypy .

format: $(VENV)/.dev-installed ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(VENV)/.dev-installed ## Django's system checks
	$(DEV) $(BIN)/python manage.py check

migrations-check: $(VENV)/.dev-installed ## Fail if a model change has no migration
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

messages: $(VENV)/.dev-installed ## Update and compile the Swedish catalogue (needs gettext)
	$(DEV) $(BIN)/python manage.py makemessages --locale sv --no-obsolete --ignore .venv --ignore var
	$(DEV) $(BIN)/python manage.py compilemessages --locale sv --ignore .venv

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var

bench: $(VENV)/.dev-installed ## Every page at 1x and 100x data on PostgreSQL (DATABASE_URL), as ratios, with PASS/FAIL per target
	$(BIN)/python bench/bench_pages.py

bench-notifications: $(VENV)/.dev-installed ## Notifications e-mailed by one worker against a no-op task, as a ratio (N=10000)
	$(DEV) $(BIN)/python bench/bench_notifications.py

bench-deviations: $(VENV)/.dev-installed ## The styrgrupp's trend page and list with 10,000 deviations on PostgreSQL, as ratios to /healthz
	$(BIN)/python bench/bench_deviations.py

load: $(VENV)/.load-installed ## Load test: 50 users against gunicorn (production settings) on DATABASE_URL's name_load
	$(BIN)/python bench/run_load.py
