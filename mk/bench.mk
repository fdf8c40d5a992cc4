# Benchmarks and the chaos suite (bench/). Both start their own PostgreSQL and Redis on
# spare loopback ports and run the real roles through docker/entrypoint.sh.
# Every run writes to the git-ignored artifacts/bench/results/; the *-publish targets run
# into bench/results/ and rewrite the generated blocks of docs/ (python -m bench.docs).
.PHONY: bench bench-fairness chaos test-chaos bench-tools bench-publish chaos-publish
PUBLISH := BENCH_RESULTS_DIR=bench/results

BENCH_ARGS ?=
CHAOS_ARGS ?=

bench-tools: ## Install wrk and nginx (Debian) for the dispatch and WebSocket benchmarks
	python3 scripts/system_deps.py web bench

bench: setup bench-tools ## Benchmarks vs the floor and Celery/RQ/Dramatiq → artifacts/bench/results/bench.md
	$(PY) -m bench.run $(BENCH_ARGS)

bench-publish: setup bench-tools ## make bench into bench/results/, then docs/performance.md's figures
	$(PUBLISH) $(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.docs

bench-fairness: setup ## Single-dispatch pickup p99 with and without a 50,000-job lockfile flood → artifacts/bench/results/fairness.md
	$(PY) -m bench.fairness $(FAIRNESS_ARGS)

chaos: setup ## Chaos suite: SIGKILL/SIGTERM workers, Redis/Postgres restarts, fuzzing, garbage → artifacts/bench/results/chaos.md
	$(PY) -m bench.chaos $(CHAOS_ARGS)

chaos-publish: setup ## make chaos into bench/results/, then docs/reliability.md's figures
	$(PUBLISH) $(PY) -m bench.chaos $(CHAOS_ARGS)
	$(PY) -m bench.docs

test-chaos: setup ## Short chaos run (all eight scenarios, small) and a tiny benchmark smoke run
	BENCH_RESULTS_DIR=artifacts/bench/results $(PY) -m bench.chaos --short
	BENCH_RESULTS_DIR=artifacts/bench/results $(PY) -m bench.run --tiny

TEST_TARGETS += test-chaos

.PHONY: bench-analysis bench-analysis-tools bench-analysis-publish bench-analysis-background
GUARDDOG_MINUTES ?= 0

bench-analysis-tools: ## GuardDog 3.2.0 in its own git-ignored venv (.bench-venv), only for the comparison
	test -x .bench-venv/bin/guarddog || { python3 -m venv .bench-venv && .bench-venv/bin/pip install -q "guarddog==3.2.0"; }

bench-analysis: setup bench-analysis-tools ## Detection recall/false positives, time and memory vs GuardDog → artifacts/bench/results/analysis.md
	GUARDDOG_MINUTES=$(GUARDDOG_MINUTES) $(PY) -m bench.analysis $(BENCH_ANALYSIS_ARGS)

bench-analysis-publish: setup bench-analysis-tools ## make bench-analysis into bench/results/, then the detection figures of docs/detection.md and the README
	$(PUBLISH) GUARDDOG_MINUTES=$(GUARDDOG_MINUTES) $(PY) -m bench.analysis $(BENCH_ANALYSIS_ARGS)
	$(PY) -m bench.docs

bench-analysis-background: setup bench-analysis-tools ## make bench-analysis-publish nice'd in the background (resumable; log: .bench-cache/analysis/run.log)
	mkdir -p .bench-cache/analysis
	nohup nice -n 10 $(MAKE) --no-print-directory bench-analysis-publish > .bench-cache/analysis/run.log 2>&1 &
	@echo "bench-analysis: running in the background; follow it with: tail -f .bench-cache/analysis/run.log"

.PHONY: bench-diff bench-diff-publish
bench-diff: setup ## Consecutive releases of 30 popular packages: time with a baseline vs alone, new install/import-time behaviour → artifacts/bench/results/diff.md
	$(PY) -m bench.diff $(BENCH_DIFF_ARGS)

bench-diff-publish: setup ## make bench-diff into bench/results/ (the published diff figures)
	$(PUBLISH) $(PY) -m bench.diff $(BENCH_DIFF_ARGS)

.PHONY: bench-big bench-big-publish
# the engine before issue 15's speed work (prefilter, matching in YARA-X): the "before" column
BENCH_BIG_BEFORE ?= 42b1bf4
BENCH_BIG_ARGS ?= --before $(BENCH_BIG_BEFORE)

bench-big: setup bench-analysis-tools ## Big packages (sympy, transformers, typescript…): time, RSS and files parsed, before/after and vs GuardDog → artifacts/bench/results/big-packages.md
	$(PY) -m bench.big_packages $(BENCH_BIG_ARGS)

bench-big-publish: setup bench-analysis-tools ## make bench-big into bench/results/, then the big-package figures of docs/performance.md
	$(PUBLISH) $(PY) -m bench.big_packages $(BENCH_BIG_ARGS)
	$(PY) -m bench.docs
