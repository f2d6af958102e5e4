# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean services realwp fonts

install: $(STAMP) fonts

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/laocorpus demo

test: install realwp
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not serial"
	$(BIN)/python -m pytest -m serial

lint: install
	$(BIN)/ruff check .

# Crawl throughput, Lao segmentation (ICU vs laonlp: the compare extra), near-duplicate
# detection and export at 25k-100k generated posts; figures also land in bench-results/.
bench: install realwp $(VENV)/.compare
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.archive
	$(BIN)/python -m benchmarks.realpages
	$(BIN)/python -m benchmarks.discovery
	$(BIN)/python -m benchmarks.incremental
	$(BIN)/python -m benchmarks.crawl_all
	$(BIN)/python -m benchmarks.segmentation
	$(BIN)/python -m benchmarks.neardup
	$(BIN)/python -m benchmarks.export
	$(BIN)/python -m benchmarks.distributed

$(VENV)/.compare: pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,compare]'
	touch $(VENV)/.compare

# Real WordPress for the tests: Debian's wordpress, php and mariadb packages (apt-get only
# when one is missing), MariaDB started, apache2 stopped. A fast no-op once set up.
realwp:
	bash testing/realwp/install.sh

# The Lao font of the corpus card's charts: Debian's fonts-lao, apt-get only when no Lao font.
fonts:
	bash testing/install_fonts.sh

# Start PostgreSQL and Redis if this machine has them installed but stopped.
services:
	pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

clean:
	rm -rf data bench-results .pytest_cache
