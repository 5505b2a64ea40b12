# mlcc -- top-level commands.  The real build is CMake; this file gives the
# short names the README promises:
#   make          build build/mlcc (release)
#   make demo     build, then assemble and compile the tiny LLM demo set
#   make test     build with AddressSanitizer + UndefinedBehaviorSanitizer
#                 and run every test
#   make bench    benchmark at ANEMLL scale (bench/run.sh; results in
#                 docs/PERFORMANCE.md; not part of `make test`)
#   make test-valgrind  every test again, with mlcc, compile_models and the
#                 test programs under Valgrind (any error or leak fails)
#   make install  mlcc, compile_models, coremlcompiler/coremlc symlinks
#   make install-shims   also the xcrun shim (PREFIX/libexec/mlcc/shims)
#   make fuzz     libFuzzer targets for every parser (FUZZ_SECONDS=N each)
#   make deb      Debian packages mlcc, libmlcc0, libmlcc-dev in build-deb/
#                 (dpkg-buildpackage on a copy of the tree; tools/make-deb.sh)
#   make clean    remove the build directories

BUILD      ?= build
TEST_BUILD ?= build-asan
VG_BUILD   ?= build-valgrind
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
MLCC_CORPUS ?= $(CURDIR)/../shared/corpus
export MLCC_CORPUS
MAKEFLAGS += --no-print-directory

PREFIX     ?= /usr/local

DEB_BUILD    ?= build-deb
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all build deps test test-valgrind demo bench clean install install-shims fuzz deb

all: build

deps:
	@tools/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

test: deps
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMLCC_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_BUILD) -j$(JOBS)
	@cd $(TEST_BUILD) && ctest --output-on-failure -j$(JOBS); rc=$$?; \
	  grep -h -E '^(golden identical|roundtrip identical|pairs source|pairs decompile|unsupported by design|miltext identical|specwrite identical|generated compiled|generated roundtrip|generated decompile|features:|faults:|check ok|anemll runs|runtime corpus|run corpus|chat runs|SKIPPED)' \
	    Testing/Temporary/LastTest.log 2>/dev/null; exit $$rc

# About 4 minutes on 2 cores: Valgrind slows mlcc 20-50 times.
test-valgrind: deps
	@command -v valgrind >/dev/null || { echo "test-valgrind needs valgrind: apt-get install valgrind"; exit 1; }
	@cmake -S . -B $(VG_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMLCC_VALGRIND=ON >/dev/null
	@cmake --build $(VG_BUILD) -j$(JOBS)
	@cd $(VG_BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 3600

demo: build
	@tools/demo.sh $(BUILD)

# Compile time vs cp -r, peak RSS, emission MB/s, compile_models -j1/-jN,
# the runtime kernels, the runtime end to end on a 1B-scale FFN chunk
# (bench/run.sh: about 4 minutes, ~4.5 GiB of scratch space under $(BUILD);
# `bench/run.sh $(BUILD) --only e2e` for the runtime part alone).
bench: build
	@bench/run.sh $(BUILD)

# libFuzzer targets (clang), FUZZ_SECONDS each, two at a time.
fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DMLCC_FUZZ=ON \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS)
	@fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# mlcc, compile_models, and coremlcompiler/coremlc symlinks in $(PREFIX)/bin.
install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix $(PREFIX)

# The xcrun shim in $(PREFIX)/libexec/mlcc/shims (put it first in PATH).
install-shims: install
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix $(PREFIX) --component shims
	@echo "shims: PATH=$(PREFIX)/libexec/mlcc/shims:\$$PATH xcrun coremlcompiler ..."

# Debian packages (tools/make-deb.sh; debhelper and dpkg-dev needed).
deb:
	@tools/deps.sh deb
	@tools/make-deb.sh $(DEB_BUILD)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(VG_BUILD) $(FUZZ_BUILD) $(DEB_BUILD)
