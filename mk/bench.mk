# Benchmarks and the chaos suite (bench/). Both start their own PostgreSQL and Redis on
# spare loopback ports and run the real roles through docker/entrypoint.sh.
.PHONY: bench chaos test-chaos bench-tools

BENCH_ARGS ?=
CHAOS_ARGS ?=

bench-tools: ## Install wrk and nginx (Debian) for the dispatch and WebSocket benchmarks
	command -v wrk >/dev/null && command -v nginx >/dev/null || \
	  { apt-get update -qq && apt-get install -y -qq wrk nginx; }

bench: setup bench-tools ## Benchmarks vs the floor and Celery/RQ/Dramatiq → bench/results/bench.md
	$(PY) -m bench.run $(BENCH_ARGS)

chaos: setup ## Chaos suite: SIGKILL/SIGTERM workers, Redis/Postgres restarts, fuzzing, garbage → bench/results/chaos.md
	$(PY) -m bench.chaos $(CHAOS_ARGS)

test-chaos: setup ## Short chaos run (all seven scenarios, small) and a tiny benchmark smoke run
	BENCH_RESULTS_DIR=artifacts/bench/results $(PY) -m bench.chaos --short
	BENCH_RESULTS_DIR=artifacts/bench/results $(PY) -m bench.run --tiny

TEST_TARGETS += test-chaos

.PHONY: bench-analysis bench-analysis-tools
GUARDDOG_MINUTES ?= 0

bench-analysis-tools: ## GuardDog 3.2.0 in its own git-ignored venv (.bench-venv), only for the comparison
	test -x .bench-venv/bin/guarddog || { python3 -m venv .bench-venv && .bench-venv/bin/pip install -q "guarddog==3.2.0"; }

bench-analysis: setup bench-analysis-tools ## Detection recall/false positives, time and memory vs GuardDog → bench/results/analysis.md
	GUARDDOG_MINUTES=$(GUARDDOG_MINUTES) $(PY) -m bench.analysis $(BENCH_ANALYSIS_ARGS)
