# The two set-up commands: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
DEMO_PORT ?= 8001

.PHONY: demo test install browser axe system-packages opensearch-node bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/python -m pip install -e '.[test]' > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $@

install: $(VENV)/.installed

# Debian's chromium for the browser tests (and CJK fonts for readable screenshots),
# installed when missing.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei; \
	fi

# axe-core, the accessibility checker the browser tests run on every page
# (tests/test_browser_axe.py), from npm into tests/.npm/ (git-ignored), when missing or
# of another version. Without npm the target says so, and those tests skip.
AXE_VERSION := 4.14.1
AXE_DIR     := tests/.npm
axe:
	@if ! grep -qs '"version": "$(AXE_VERSION)"' $(AXE_DIR)/node_modules/axe-core/package.json \
	    || ! [ -e $(AXE_DIR)/node_modules/axe-core/axe.min.js ]; then \
	  if command -v npm >/dev/null 2>&1; then \
	    npm install --prefix $(AXE_DIR) --no-audit --no-fund --save-exact --loglevel=error axe-core@$(AXE_VERSION); \
	  else \
	    echo "make axe: no npm, so no axe-core: the accessibility tests will skip"; \
	  fi; \
	fi

# Debian's antiword and catdoc, which read old binary .doc attachments (tests of
# indexer/attachtext), installed when missing.
system-packages:
	@if ! command -v antiword >/dev/null 2>&1 || ! command -v catdoc >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq antiword catdoc; \
	fi

# The launcher of the OpenSearch nodes the cluster tests start (tools/opensearch-node):
# a JDK and Maven from Debian when missing, then its Maven Central artifacts into
# ~/.m2 (about 25 s the first time; nothing when the jar is up to date).
opensearch-node:
	@if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jdk-headless maven; \
	fi
	@$(PYTHON) tools/cluster.py build

test: install browser axe system-packages opensearch-node
	$(BIN)/python -m pytest

demo: install
	@PORT=$(PORT) DEMO_PORT=$(DEMO_PORT) BIN=$(BIN) sh bin/demo.sh

clean:
	rm -rf data/var
