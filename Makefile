# The two commands of the README:
#   make site   build the sample magazine into output/
#   make test   run the whole test suite
# Both set up everything they need first (.venv, Python packages, Debian packages).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Debian packages: a Japanese font for burned-in captions and share cards;
# Chromium for the browser tests; rsync for publishing to another host;
# Java for the W3C validator (vnu.jar) that checks the theme's pages;
# PostgreSQL and nginx for the collector's server-database and failover tests
# (the tests start their own server and proxy on free loopback ports).
SITE_DEBS := fonts-noto-cjk
TEST_DEBS := chromium rsync default-jre-headless postgresql nginx $(SITE_DEBS)

.PHONY: site test lint clean bootstrap

site: bootstrap
	@$(MAKE) --no-print-directory debs DEBS="$(SITE_DEBS)"
	@$(BIN)/invoke build

test: bootstrap
	@$(MAKE) --no-print-directory debs DEBS="$(TEST_DEBS)"
	@$(BIN)/ruff check .
	@$(BIN)/python -m pytest

lint: bootstrap
	@$(BIN)/ruff check . && $(BIN)/ruff format --check .

bootstrap: $(STAMP)

# A new plugin folder is a new package: the editable install must learn of it.
$(STAMP): pyproject.toml $(wildcard plugins/*/__init__.py)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# Install the Debian packages in DEBS that are missing (as root), or say what to install.
.PHONY: debs
debs:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing" >&2; \
	    echo "Install them first:  sudo apt-get install$$missing" >&2; exit 1; \
	  fi; \
	fi

clean:
	rm -rf output output.* .pytest_cache
