# The two commands of the README: `make serve` and `make test`. Both create .venv when needed.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: serve test lint types pytest chat clean-venv

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, from the pinned CPU build (pip finds it on these machines' disk).
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# `make serve PORT=8001` (and HOST=0.0.0.0) when 8000 is taken.
PORT ?= 8000
HOST ?= 127.0.0.1

serve: $(STAMP)
	$(VENV)/bin/cpps serve --host $(HOST) --port $(PORT)

chat: $(STAMP)
	$(VENV)/bin/cpps chat

lint: $(STAMP)
	$(VENV)/bin/ruff check bot nlp flows tests benchmarks
	$(VENV)/bin/ruff format --check bot nlp flows tests benchmarks

types: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	scripts/ensure-postgres
	# Debian's chromium for the browser tests (Playwright drives it; it downloads no browser).
	scripts/ensure-chromium
	$(PY) -m pytest

test: lint types pytest

clean-venv:
	rm -rf $(VENV)
