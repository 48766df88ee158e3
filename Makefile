# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-fast check clean

# Reinstall when the dependency list changes; the package itself is installed editable.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# bangumi-data, the imported catalogue, pinned by data/bangumi's lock file (docs/catalogue.md).
BANGUMI := data/bangumi/node_modules/.package-lock.json
$(BANGUMI): data/bangumi/package.json data/bangumi/package-lock.json
	npm ci --prefix data/bangumi --no-audit --no-fund --loglevel=error

# What calfeed works out from the pinned package once (its titles' readings above all, some
# seconds of pykakasi) is kept beside it, so that no start works it out: `prepare` makes it
# when it is missing or was made by other code or another package, else returns at once.
run: $(STAMP) $(BANGUMI)
	$(BIN)/calfeed dataset prepare
	$(BIN)/python deploy/serve.py

# ical.js (Thunderbird's parser) for the feed compatibility tests, pinned by its lock file.
JS_DEPS := tests/js/node_modules/.package-lock.json
$(JS_DEPS): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error

# ruff first (pyflakes and bugbear, pyproject.toml): a bug it finds fails in a second.
test: $(STAMP) $(JS_DEPS) $(BANGUMI)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the tests that drive Chromium or start real servers (markers in conftest.py):
# a few minutes less, for the edit-test loop. CI runs `make test`.
test-fast: $(STAMP) $(BANGUMI)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not browser and not server" $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/calfeed check schedules

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
