# Two commands do all set-up: `make demo` and `make test`. Everything else is here too.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_CLANG ?= build-clang
BUILD_FUZZ ?= build-fuzz
CLANG_CXX  ?= clang++
JOBS       ?= $(shell nproc)
PYTHON     ?= /usr/bin/python3

.PHONY: all deps deps-torch deps-study deps-clang configure build demo test test-asan test-clang \
        fuzz golden bench format clean install

all: build

deps:
	@scripts/install-deps.sh

deps-torch:
	@scripts/install-deps.sh --torch

# Fashion-MNIST for `bnlstm classify` / `bnlstm study` (docs/study.md); part of demo's set-up
deps-study:
	@scripts/install-deps.sh --study

deps-clang:
	@scripts/install-deps.sh --clang

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(PYTHON)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The main job: a batch-normalized LSTM on the built-in S&P 500 data, results in out/,
# then the notebook's normalization pictures in out/bn-demo/.
demo: build deps-study
	$(BUILD)/bnlstm train --val-size 0.1 --out out
	$(BUILD)/bnlstm bn-demo --out out/bn-demo

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The Python package into /usr/bin/python3's site directory (python/CMakeLists.txt).
install: build
	cmake --install $(BUILD)

# Tests under AddressSanitizer + UndefinedBehaviorSanitizer. Open MPI's own allocations kept
# until exit are suppressed (tests/sanitizers/lsan.supp). To be matched they need whole stacks:
# Open MPI is built without frame pointers (fast_unwind_on_malloc=0) and unloads its plugins at
# MPI_Finalize, before LeakSanitizer names their frames (disable_dlclose). mpirun passes both
# variables to its ranks.
test-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DBNLSTM_SANITIZE=ON -DBNLSTM_BENCH=OFF \
	  -DBNLSTM_PYTHON=OFF
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:fast_unwind_on_malloc=0 \
	OMPI_MCA_mca_base_component_disable_dlclose=1 \
	  ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS)

# The same build and tests with clang (the project must build with clang 14 as well as GCC 12).
test-clang: deps deps-clang
	cmake -S . -B $(BUILD_CLANG) -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=$(CLANG_CXX) \
	  -DBNLSTM_BENCH=OFF -DBNLSTM_PYTHON=OFF
	cmake --build $(BUILD_CLANG) -j $(JOBS)
	ctest --test-dir $(BUILD_CLANG) --output-on-failure -j $(JOBS)

# libFuzzer over the CSV reader and the checkpoint loader (fuzz/), with address and undefined-
# behaviour sanitizers, FUZZ_SECONDS per fuzzer (seed corpora in fuzz/corpus/, new inputs and any
# crash under $(BUILD_FUZZ)/). Fails when a fuzzer finds something.
FUZZ_SECONDS ?= 180
fuzz: deps deps-clang
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=$(CLANG_CXX) \
	  -DBNLSTM_SANITIZE=ON -DBNLSTM_FUZZ=ON -DBNLSTM_TESTS=OFF -DBNLSTM_BENCH=OFF \
	  -DBNLSTM_NATIVE=OFF -DBNLSTM_MPI=OFF -DBNLSTM_PYTHON=OFF
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target bnlstm_csv_fuzzer bnlstm_checkpoint_fuzzer
	scripts/run-fuzzers.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

# Regenerates tests/golden/ from PyTorch (Debian's python3-torch).
golden: deps-torch
	$(PYTHON) tools/make_golden.py

format:
	clang-format -i $$(git ls-files '*.hpp' '*.cpp')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_CLANG) $(BUILD_FUZZ)

# bnlstm vs PyTorch in one run: microbenchmarks (same shapes, threads, warm-up and repetitions on
# both sides, one table with the ratio per row) and the end-to-end seconds per epoch and peak
# memory on the notebook's experiment. Method and recorded results: docs/performance.md.
# Three rounds (about 2 minutes): PyTorch's times here vary by up to 8x between repetitions.
BENCH_THREADS ?= 2
BENCH_ROUNDS ?= 3
bench: deps-torch $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target bnlstm_bench bnlstm bnlstm_python
	$(PYTHON) bench/compare.py --bench $(BUILD)/bnlstm_bench --threads $(BENCH_THREADS) \
	  --rounds $(BENCH_ROUNDS) --epoch
	PYTHONPATH=$(BUILD)/python $(PYTHON) bench/python_bench.py --bench $(BUILD)/bnlstm_bench \
	  --threads $(BENCH_THREADS) --rounds $(BENCH_ROUNDS) --cli $(BUILD)/bnlstm
