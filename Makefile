# Entry points for people and CI. `make demo` and `make test` install missing
# Debian build dependencies first, so they work on a fresh machine.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DEB_PACKAGES := cmake g++ make libeigen3-dev nlohmann-json3-dev libcli11-dev catch2 \
                zlib1g-dev libdeflate-dev libzstd-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build demo test clean

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

clean:
	rm -rf $(BUILD_DIR)
