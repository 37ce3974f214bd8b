# One install, one test command, one demo. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
SITE = $(shell $(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
COLLECTION_LINK = $(SITE)/ansible_collections/electricimp/impcentral
STAMP := $(VENV)/.installed

.PHONY: install test lint unit sanity ansible-lint demo bench clean test-faults

install: $(STAMP) link

$(STAMP): pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt --config-settings editable_mode=compat -e .
	touch $@

# The collection is used in place: site-packages/ansible_collections/electricimp/impcentral -> this tree.
.PHONY: link
link: $(STAMP)
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(CURDIR) $(COLLECTION_LINK)
	@# Bytecode for the in-place sources, written even where PYTHONDONTWRITEBYTECODE is set: without
	@# it every impt run compiles the console and the client from source again (about 20 ms).
	@$(BIN)/python -m compileall -q impt plugins impcentral_emulator > /dev/null

test: install lint unit sanity ansible-lint

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: install
	$(BIN)/python -m pytest

sanity: install
	$(BIN)/python tests/run_sanity.py

ansible-lint: install
	cd $(CURDIR) && $(BIN)/ansible-lint --profile production --offline

demo: install
	$(BIN)/python scripts/run_demo.py

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
