# The two commands: `make demo` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test test-clock venv lint typecheck bench browser-deps mail-deps i18n clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(TEST_STAMP)

demo: $(STAMP)
	$(BIN)/tocsin demo

browser-deps:
	./scripts/browser-deps.sh

mail-deps:
	./scripts/mail-deps.sh

lint: $(TEST_STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

test: $(TEST_STAMP) browser-deps mail-deps lint
	$(BIN)/pytest -n 2 -p no:cacheprovider --durations=25

# The non-browser suite again with the wall clock moved (Debian's faketime): a test that reads the
# wall clock instead of the injected clock fails here. CI runs it after `make test`.
test-clock: $(TEST_STAMP) mail-deps
	./scripts/test-clock.sh

bench: $(TEST_STAMP)
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python bench/ingest.py

LOCALE := src/tocsin/web/portal/locale

# After changing the portal's words: extract them, then merge into each language's catalogue
# (new strings arrive untranslated; tests/unit/test_catalogues.py fails until they are translated).
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) build src/*.egg-info
