# The README's words: `make run` sets everything up and starts the service; `make test` runs
# the whole suite. Both work on a fresh machine with Python 3.11 and Node.js.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_DEBUG ?= true

.PHONY: run test install assets migrate demo lint format check clean audit

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/partnership.css: node_modules/.installed static/src/partnership.scss
	npm run --silent build

# A developer's own settings: debug on, so manage.py works without a secret key. Never
# committed; production sets its environment instead (see .env.example).
.env:
	printf '# Local development settings (see .env.example for all of them).\nDJANGO_DEBUG=true\n' > $@

install: $(VENV)/.installed node_modules/.installed static/build/partnership.css .env

assets: static/build/partnership.css

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

# Loading the demo tells its fictional people of papers, rulings and the agreement: those
# e-mails are kept in memory and dropped (each person's Messages still has them), so the
# sign-ins that load_demo prints are not buried under thousands of lines of console e-mail.
DEMO_MAIL := EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend

demo: migrate
	$(DEMO_MAIL) $(PY) manage.py load_demo
	$(DEMO_MAIL) $(PY) manage.py load_demo_meetings
	$(DEMO_MAIL) $(PY) manage.py load_demo_performance
	$(DEMO_MAIL) $(PY) manage.py load_demo_risks
	$(DEMO_MAIL) $(PY) manage.py load_demo_reports
	$(DEMO_MAIL) $(PY) manage.py load_demo_key_partnerships
	$(DEMO_MAIL) $(PY) manage.py load_demo_elections
	$(DEMO_MAIL) $(PY) manage.py load_demo_restructure
	$(DEMO_MAIL) $(PY) manage.py load_demo_reviews
	$(DEMO_MAIL) $(PY) manage.py load_demo_news
	$(DEMO_MAIL) $(PY) manage.py load_demo_library
	$(DEMO_MAIL) $(PY) manage.py load_demo_notifications
	$(PY) manage.py search_rebuild

# Web on http://127.0.0.1:8000/, with a Celery worker and beat beside it on the embedded
# broker (kombu's filesystem transport) unless REDIS_URL is set. scripts/run.py starts the
# three, prints the demo sign-ins once the site answers, and on Ctrl-C or SIGTERM stops all
# three and exits. Logs are quiet (one line a request); `make run VERBOSE=1` shows everything.
# exec: no shell stays between make and the supervisor to be signalled in its place.
run: demo
	@exec $(PY) scripts/run.py$(if $(filter-out 0 false no off,$(VERBOSE)), --verbose)

test: install
	mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=test-only $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The Python and npm dependencies against known vulnerabilities (scripts/audit.py): a finding
# fails; AUDIT_STRICT=1 also fails on packages the registry gave no advisories for.
audit: install
	$(PY) scripts/audit.py

# Every main page against its floors (F0, L0, the admin's changelist) in one run, served by
# gunicorn with debug off (benchmarks/README.md). The large partnership is built once into a
# scratch database and kept (PostgreSQL when DATABASE_URL names one, else SQLite under
# var/bench/); the rounds stop after about nine minutes. Fails when a page misses its goal.
.PHONY: bench bench-quick
bench: install
	$(PY) -m benchmarks.bench --rounds 12 --seconds 540 --batch-seconds 1

# The same on tiny data, two rounds: under two minutes, for a developer's loop.
bench-quick: install
	$(PY) -m benchmarks.bench --quick --rounds 2 --seconds 60 --batch-seconds 0.25

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/build staticfiles
