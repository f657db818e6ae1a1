# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml Makefile | cksum | cut -d' ' -f1)
export RUNTIME__DLTHUB_TELEMETRY := false

.PHONY: setup install demo test lint format lock clean bench postgres fonts browser docs

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile --require-hashes -r requirements.lock
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# Bytecode once, here: without it every run compiles ~1,300 modules (3 of a nothing-new run's
	@# 5 seconds) wherever Python may not write it (PYTHONDONTWRITEBYTECODE, a read-only venv).
	$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null
	@rm -f $(VENV)/.installed-* && touch $@

demo: setup fonts
	$(VENV)/bin/sequence-funnel demo

# The PostgreSQL tests run against a real server: Debian's postgresql package, installed here
# when missing (as root, with apt). If that cannot happen, those tests skip and say why.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's postgresql package for the PostgreSQL tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql \
	      >/dev/null || echo "PostgreSQL could not be installed: its tests will skip"; \
	  else echo "PostgreSQL is not installed (needs root and apt): its tests will skip"; fi; }

# The notebook draws sequence names in CJK and emoji: Debian's fonts-wqy-zenhei and fonts-symbola,
# installed here when missing (as root, with apt); without them its charts show empty boxes.
FONTS := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf
fonts:
	@ls $(FONTS) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing fonts for the notebook's CJK and emoji names"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei \
	      fonts-symbola >/dev/null || echo "Fonts could not be installed: CJK and emoji names draw as boxes"; \
	  else echo "Fonts for CJK and emoji names are not installed (needs root and apt)"; fi; }

# The funnel page's test opens it in headless Chromium: Debian's chromium package, installed here
# when missing (as root, with apt). If that cannot happen, that test skips and says why.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium package for the funnel page's test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	      >/dev/null || echo "Chromium could not be installed: the page's test will skip"; \
	  else echo "Chromium is not installed (needs root and apt): the page's test will skip"; fi; }

test: setup postgres fonts browser
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(MAKE) --no-print-directory docs
	$(PY) -m pytest

# The docs site into site/ (mkdocs.yml is strict: a dead link, a missing page or snippet fails).
docs: setup
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

lint: setup
	$(PY) -m ruff check . && $(PY) -m ruff format --check . && $(PY) -m mypy

format: setup
	$(PY) -m ruff format . && $(PY) -m ruff check --fix .

# Re-pin every dependency after editing pyproject.toml (needs the package index): the whole lock,
# then the runtime-only one within it (same versions, no test, notebook or Dagster packages).
lock: setup
	$(PY) -m piptools compile --quiet --extra dev --extra notebooks --extra lake --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(PY) -m piptools compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links -c requirements.lock -o requirements-runtime.lock pyproject.toml

# A runtime-only virtualenv, for schedules: what `sequence-funnel load` needs and nothing else.
install:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile --require-hashes -r requirements-runtime.lock
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation .
	$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null

clean:
	rm -rf $(VENV) .pytest_cache _demo site

# The benchmark (not part of `make test`): prints the tables, writes each vendor's
# bench/<vendor>/RESULTS.md, the models' build (bench/MODELS.md) and many workspaces
# (bench/WORKSPACES.md), and the webhook listener under load (bench/LISTEN.md).
bench: setup
	$(PY) -m bench.run
	$(PY) -m bench.models
	$(PY) -m bench.workspaces
	$(PY) -m bench.listen
