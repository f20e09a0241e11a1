# Linli: two commands do everything on a fresh machine — `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export POSTGRES_HOST ?= 127.0.0.1
export POSTGRES_PORT ?= 5432
export POSTGRES_USER ?= linli
export POSTGRES_PASSWORD ?= linli
export POSTGRES_DBNAME ?= linli_test

.PHONY: run test test-fast install system-deps postgres bench rebuild i18n clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	LINLI_DEMO=full $(BIN)/linli serve --host 127.0.0.1 --port 8000

system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! command -v pg_ctlcluster >/dev/null; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk postgresql; \
	fi

postgres: system-deps
	bash scripts/postgres.sh

# Across the cores (pytest-xdist): each worker has its own stores, ports and PostgreSQL schemas.
test: $(STAMP) postgres
	LINLI_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile $(PYTEST_ARGS)

# The edit-test loop: no browser, no PostgreSQL, no load tests.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto -m "not postgres and not e2e and not slow" $(PYTEST_ARGS)

# Issue 13's table (bench/run.py): BENCH_ARGS="--quick" for a short run, "--only pages,fund" for some rows.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

rebuild: $(STAMP)
	$(BIN)/linli rebuild

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o web/locale/messages.pot .
	for po in web/locale/en/LC_MESSAGES/*.po; do $(BIN)/pybabel compile --statistics -l en -i $$po -o $${po%.po}.mo; done

clean:
	rm -rf $(VENV) data test-results
