# Entry points for people and CI. `make demo` and `make test` install missing
# Debian build dependencies first, so they work on a fresh machine.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DEB_PACKAGES := cmake g++ make libeigen3-dev nlohmann-json3-dev libcli11-dev catch2 \
                zlib1g-dev libdeflate-dev libzstd-dev
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

# The suite again under AddressSanitizer and UBSan (Debug-optimised -O1 build).
test-sanitize: deps
	@cmake -S . -B $(SAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTSCOPE_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
	@cmake --build $(SAN_BUILD_DIR) -j $(JOBS)
	cd $(SAN_BUILD_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (clang) for the zip reader, pickle VM, TorchScript parser and audit, briefly.
fuzz-smoke:
	@command -v clang++ >/dev/null || { $(SUDO) apt-get install -y -q clang; }
	FUZZ_SECONDS=$${FUZZ_SECONDS:-20} bash fuzz/run_smoke.sh

# What CI runs: the suite, the suite under sanitizers, and a fuzz smoke run.
ci: test test-sanitize fuzz-smoke

clean:
	rm -rf $(BUILD_DIR) $(SAN_BUILD_DIR) build-fuzz
