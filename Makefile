# Entry points for people and CI. `make demo` and `make test` install missing
# Debian build dependencies first, so they work on a fresh machine.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# What the program needs to build; the suite needs Catch2 and chromium too (it
# loads the HTML report in a headless browser: tests/test_html_browser.cpp).
BUILD_PACKAGES := cmake g++ make libeigen3-dev nlohmann-json3-dev libcli11-dev \
                  zlib1g-dev libdeflate-dev libzstd-dev
TEST_PACKAGES := catch2 chromium
DEB_PACKAGES := $(BUILD_PACKAGES) $(TEST_PACKAGES)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The demo: a real trained-shape ResNet written by torch 2.x, run on our CPU
# executor; the HTML viewer is written beside the build.
DEMO_MODEL ?= fixtures/exec/tiny_resnet_t2.pt
DEMO_HTML ?= $(BUILD_DIR)/demo/report.html

SAN_BUILD_DIR ?= build-asan

.PHONY: all deps deps-build configure build demo test test-sanitize fuzz-smoke ci clean

all: build

deps: PACKAGES = $(DEB_PACKAGES)
deps-build: PACKAGES = $(BUILD_PACKAGES)
deps deps-build:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:" $$missing; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DPTSCOPE_BUILD_TESTS=ON >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the program is built (not the suite, not the CUDA plugin): the text
# report goes to the terminal, the self-contained HTML report to $(DEMO_HTML).
demo: deps-build
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DPTSCOPE_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target ptscope
	@mkdir -p $(dir $(DEMO_HTML))
	./$(BUILD_DIR)/ptscope analyze $(DEMO_MODEL) --inference --no-save
	@./$(BUILD_DIR)/ptscope analyze $(DEMO_MODEL) --inference --format html -o $(DEMO_HTML)
	@echo "HTML report (open it in a browser): $(abspath $(DEMO_HTML))"

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The suite again under AddressSanitizer (leaks detected) and UBSan, in an -O1
# build of the library, the CLI and the tests only (no shared library, no
# CUDA). Excluded: the install test, which checks packaging, not memory, and
# rebuilds the library and examples (minutes). See docs/audit.md.
SAN_CTEST_EXCLUDE ?= ^install_and_build_examples$$
test-sanitize: deps
	@cmake -S . -B $(SAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTSCOPE_SANITIZE=ON -DPTSCOPE_CUDA=OFF \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
	@cmake --build $(SAN_BUILD_DIR) -j $(JOBS) --target ptscope ptscope_tests
	cd $(SAN_BUILD_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS) -E '$(SAN_CTEST_EXCLUDE)'

# libFuzzer targets (clang, its libFuzzer and sanitizer runtimes) for the zip
# reader, pickle VM, TorchScript parser and audit, FUZZ_SECONDS each, leaks on.
FUZZ_DEB_PACKAGES := clang libclang-rt-dev libdeflate-dev zlib1g-dev python3
fuzz-smoke:
	@missing=$$(for p in $(FUZZ_DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:" $$missing; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	FUZZ_SECONDS=$${FUZZ_SECONDS:-20} FUZZ_JOBS=$(JOBS) bash fuzz/run_smoke.sh

# What CI runs: the suite, the suite under sanitizers, and a fuzz smoke run.
ci: test test-sanitize fuzz-smoke

clean:
	rm -rf $(BUILD_DIR) $(SAN_BUILD_DIR) build-fuzz
