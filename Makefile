# Entry points for people and CI. `make demo` and `make test` install missing
# Debian build dependencies first, so they work on a fresh machine.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# chromium: the suite loads the HTML report in a headless browser (tests/test_html_browser.cpp).
DEB_PACKAGES := cmake g++ make libeigen3-dev nlohmann-json3-dev libcli11-dev catch2 \
                zlib1g-dev libdeflate-dev libzstd-dev chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

SAN_BUILD_DIR ?= build-asan

.PHONY: all deps configure build demo test test-sanitize fuzz-smoke ci clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:" $$missing; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	./$(BUILD_DIR)/ptscope info fixtures/models/resnet_tiny_scripted.pt

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
