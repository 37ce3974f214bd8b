# One install, one test command, one demo. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
SITE = $(shell $(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
COLLECTION_LINK = $(SITE)/ansible_collections/electricimp/impcentral
STAMP := $(VENV)/.installed
ORACLE := tests/builder_oracle

.PHONY: install test test-fast lint docs-lint unit sanity ansible-lint demo bench clean test-faults matrix dist changelog docs

install: $(STAMP) link $(ORACLE)/node_modules/.installed

# The wheel's install in editable form. "compat" mode puts this tree on sys.path with a plain .pth
# (impt, impcentral_emulator); the default mode would map the collection with an import hook whose
# own imports cost every impt run about 25 ms, and ansible-core would still need the link below.
$(STAMP): pyproject.toml setup.py requirements-dev.txt requirements-test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt --config-settings editable_mode=compat -e .
	touch $@

# Builder 4.2.1 from npm, pinned by its lockfile: the oracle of tests/unit/builder/test_differential.py.
$(ORACLE)/node_modules/.installed: $(ORACLE)/package.json $(ORACLE)/package-lock.json
	@command -v npm > /dev/null || { echo "make install: npm (Node.js >= 18) is needed for Builder 4.2.1, the test oracle"; exit 1; }
	cd $(ORACLE) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# ansible-core finds collections by walking directories, not through Python's import hooks, so an
# editable install cannot give ansible-playbook (or impt) the collection by FQCN: a link does
# (site-packages/ansible_collections/electricimp/impcentral -> this tree). The wheel needs no link:
# it carries the collection in that place.
.PHONY: link
link: $(STAMP)
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn $(CURDIR) $(COLLECTION_LINK)
	@# Bytecode for the in-place sources, written even where PYTHONDONTWRITEBYTECODE is set: without
	@# it every impt run compiles the console and the client from source again (about 20 ms).
	@$(BIN)/python -m compileall -q impt plugins impcentral_emulator > /dev/null

test: install lint docs-lint unit sanity ansible-lint

# The edit loop: lint, the unit and the emulator suites (under 2 minutes; docs/dev/testing.md).
test-fast: install lint
	$(BIN)/python -m pytest $(XDIST) tests/unit tests/emulator

# lint-imports holds the layers (.importlinter): front ends > glue > workflows > api, emulator apart.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# antsibull-docs checks the extra docs (docs/docsite: extra-docs.yml, links.yml, the RST and its labels)
# and, with --plugin-docs, every plugin's and role's documentation (schema, markup, references).
docs-lint: install
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs dependent --disallow-unknown-collection-refs .

# Two workers, each with its own emulator; a file's tests (or an xdist_group) stay on one worker
# (tests/conftest.py). XDIST= runs in one process.
XDIST ?= -n 2 --dist loadgroup
unit: install
	$(BIN)/python -m pytest $(XDIST)

sanity: install
	$(BIN)/python tests/run_sanity.py

ansible-lint: install
	cd $(CURDIR) && $(BIN)/ansible-lint --profile production --offline

demo: install
	$(BIN)/python scripts/run_demo.py

bench: install
	$(BIN)/python bench/run_all.py

# antsibull-nox's build-import check (antsibull-nox.toml), then the oldest and newest supported
# ansible-core: the plugins' unit tests, the smoke plays and ansible-test sanity (noxfile.py).
matrix: install
	$(BIN)/nox

# The documentation site, as collections build theirs: antsibull-docs renders the plugins' and roles' own
# docs with the guides of docs/docsite into RST, Sphinx makes HTML of it (build/docsite/build/html).
# Offline: no intersphinx inventories, so references into Ansible's own docs (common return values,
# configuration, action plugins, ansible.builtin, ANSIBLE_* variables) stay unresolved; any other warning
# fails the build.
DOCSITE := build/docsite
DOCS_EXPECTED := undefined label: '(common_return_values|ansible_configuration_settings|action_plugins|ansible_collections\.ansible\.builtin\.)|'envvar' reference target not found: ANSIBLE_
docs: install
	rm -rf $(DOCSITE) && mkdir -p build && mkdir -m 700 $(DOCSITE)
	$(BIN)/antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --sphinx-theme alabaster \
		--project electricimp.impcentral --title electricimp.impcentral --dest-dir $(DOCSITE) electricimp.impcentral
	echo 'intersphinx_mapping = {}' >> $(DOCSITE)/conf.py
	chmod 700 $(DOCSITE)/rst
	cd $(DOCSITE) && $(CURDIR)/$(BIN)/antsibull-docs --config-file antsibull-docs.cfg collection --cleanup everything \
		--fail-on-error --use-current --squash-hierarchy --dest-dir rst electricimp.impcentral
	$(BIN)/sphinx-build -M html $(DOCSITE)/rst $(DOCSITE)/build -q -c $(DOCSITE) -w $(DOCSITE)/warnings.log --keep-going
	@! grep -v -E "$(DOCS_EXPECTED)" $(DOCSITE)/warnings.log | grep -E "WARNING|ERROR"
	@echo "docs: $(DOCSITE)/build/html/index.html"

# The release artifacts: the wheel (collection + impt + emulator) and the Galaxy tarball, in dist/.
# build/lib is removed first: setuptools copies into it and never deletes, so a file removed from the
# tree would still ship.
dist: install
	rm -rf build/lib build/bdist.*
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir dist .
	$(BIN)/ansible-galaxy collection build --force --output-path dist .

# A release: bump the version in galaxy.yml, pyproject.toml and constants.py, then this.
changelog: install
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog release

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .import_linter_cache
