#!/usr/bin/env bash
# The install test (ctest: install_and_build_examples). Installs the already
# built tree into a temporary prefix, then builds what a consumer would,
# using only that prefix:
#   - every installed header compiles (nothing refers to uninstalled files);
#   - examples/ through find_package(ptscope CONFIG), shared library;
#   - tests/install/consumer.cpp through the static target, and again through
#     pkg-config (shared library);
# and runs them on fixtures: .npy dumps checked against torch's goldens, the
# CI gate on benign, over-budget and malicious files.
#
#   tests/install/run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptscope-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
jobs=${PTSCOPE_INSTALL_TEST_JOBS:-2}
fixtures=$src/fixtures

# Pipes into grep read to the end (`grep PATTERN >/dev/null`, never `grep -q`):
# under pipefail, grep -q exiting at its first match can kill the writer with
# SIGPIPE, and the pipeline then fails at random.
step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc WANT CMD...: runs CMD, shows its output, checks its exit status.
expect_rc() {
  local want=$1 rc=0
  shift
  "$@" >"$tmp/out.txt" 2>&1 || rc=$?
  sed 's/^/    /' "$tmp/out.txt"
  [ "$rc" -eq "$want" ] || fail "exit status $rc, want $want: $*"
}

step "cmake --install into $prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name libptscope.a | head -1)")
[ -f "$libdir/libptscope.a" ] || fail "no static library installed"
for f in include/ptscope/ptscope.h include/ptscope/version.h include/ptscope/core/model.h bin/ptscope; do
  [ -e "$prefix/$f" ] || fail "$f not installed"
done
[ -f "$libdir/cmake/ptscope/ptscopeConfig.cmake" ] || fail "no CMake package config"
[ -f "$libdir/pkgconfig/ptscope.pc" ] || fail "no pkg-config file"
[ -z "$(find "$prefix/include" -type f ! -name '*.h')" ] || fail "non-header files under include/"
version=$(sed -n 's/^#define PTSCOPE_VERSION_STRING "\(.*\)"/\1/p' "$prefix/include/ptscope/version.h")
major=${version%%.*}
soname=$(objdump -p "$libdir/libptscope.so" | awk '/SONAME/ {print $2}')
[ "$soname" = "libptscope.so.$major" ] || fail "SONAME '$soname', want libptscope.so.$major"
[ "$(readlink "$libdir/libptscope.so")" = "libptscope.so.$major" ] || fail "libptscope.so does not link to the SONAME"
[ -f "$libdir/libptscope.so.$version" ] || fail "no libptscope.so.$version"
"$prefix/bin/ptscope" --version | grep "$version" >/dev/null || fail "installed CLI does not report $version"

if grep -q "plugin libptscope_cuda.so" <("$prefix/bin/ptscope" --version); then
  step "the installed program finds the installed CUDA plugin"
  [ -f "$libdir/ptscope/libptscope_cuda.so" ] || fail "libptscope_cuda.so not installed under $libdir/ptscope"
  rc=0
  "$prefix/bin/ptscope" profile "$fixtures/exec/tiny_resnet.pt" --device cuda --repeat 1 >"$tmp/cuda.txt" 2>&1 || rc=$?
  sed 's/^/    /' "$tmp/cuda.txt"
  # A GPU runs it (0); without one the plugin itself says so (2): either way it was found and loaded.
  if [ "$rc" -ne 0 ]; then
    grep -q "no CUDA device" "$tmp/cuda.txt" || fail "the installed CUDA plugin was not found or did not load"
  fi
fi

step "every installed header compiles"
(cd "$prefix/include" && find ptscope -name '*.h' | sort | sed 's/.*/#include <&>/') >"$tmp/all_headers.cpp"
# the library's own warning set (cmake/ consumers get these include dirs as system ones)
c++ -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Wno-unused-parameter -I"$prefix/include" -I"$prefix/include/ptscope" \
  "$tmp/all_headers.cpp" || fail "installed headers do not compile on their own"

step "examples/ and the static consumer against the CMake package"
cmake_args=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
cmake -S "$src/examples" -B "$tmp/examples" "${cmake_args[@]}" >/dev/null
cmake -S "$src/tests/install" -B "$tmp/consumer" "${cmake_args[@]}" >/dev/null
cmake --build "$tmp/examples" -j "$jobs" >/dev/null || cmake --build "$tmp/examples" -j 1 || fail "examples do not build"
cmake --build "$tmp/consumer" -j "$jobs" >/dev/null || cmake --build "$tmp/consumer" -j 1 || fail "consumer does not build"
gate=$tmp/examples/ptscope-ci-gate
dump=$tmp/examples/ptscope-dump-npy
ldd "$dump" | grep "libptscope.so.$major => $libdir/" >/dev/null || fail "examples do not load the installed shared library"
expect_rc 0 "$tmp/consumer/ptscope-consumer" "$fixtures"

step "pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion ptscope)" = "$version" ] || fail "pkg-config --modversion"
pkg-config --static --libs ptscope | grep -- "-ldeflate" >/dev/null || fail "pkg-config --static lacks the private libraries"
# shellcheck disable=SC2046  # word splitting of the flags is intended
c++ -std=c++20 -O1 "$src/tests/install/consumer.cpp" -o "$tmp/consumer-pc" \
  $(pkg-config --cflags --libs ptscope) -Wl,-rpath,"$libdir" || fail "cannot build with pkg-config flags"
expect_rc 0 "$tmp/consumer-pc" "$fixtures"

step "ptscope-dump-npy"
for model in mlp_state_dict.pth shared_views.pth half_bf16.pth edge_cases.pth bigendian.pth quantized_tensors.pth; do
  expect_rc 0 "$dump" "$fixtures/models/$model" "$tmp/npy/$model"
  python3 "$src/tests/install/check_npy.py" "$fixtures/models/$model.golden.json" "$tmp/npy/$model" ||
    fail ".npy files of $model do not match torch"
done
expect_rc 0 "$dump" "$fixtures/models/mlp_state_dict.pth" "$tmp/npy/one" --tensor fc2.bias
[ "$(ls "$tmp/npy/one")" = "fc2.bias.npy" ] || fail "--tensor wrote other files"
expect_rc 1 "$dump" "$fixtures/models/mlp_state_dict.pth" "$tmp/npy/none" --tensor no.such.tensor
expect_rc 2 "$dump" "$tmp/no-such-file.pth" "$tmp/npy/none"

step "ptscope-ci-gate"
expect_rc 0 "$gate" "$fixtures/models/mlp_state_dict.pth" --max-mb 1 --max-params 1e6
expect_rc 1 "$gate" "$fixtures/models/mlp_state_dict.pth" --max-params 100
expect_rc 1 "$gate" "$fixtures/models/mlp_state_dict.pth" --max-mb 0.001
expect_rc 2 "$gate" "$tmp/no-such-file.pth"
expect_rc 64 "$gate" "$fixtures/models/mlp_state_dict.pth" --max-mb lots
malicious=$(ls "$fixtures"/malicious/*.pt 2>/dev/null | grep -E '/(legacy_magic_reduce|stack_global_memo|bad_crc)\.pt$' | head -1 || true)
if [ -n "$malicious" ]; then
  expect_rc 1 "$gate" "$malicious"
  # --fail-on never: the audit no longer refuses, only an unreadable file could stop it
  "$gate" "$malicious" --fail-on never >/dev/null && rc=0 || rc=$?
  [ "$rc" -ne 1 ] || fail "--fail-on never still refused on the audit"
else
  echo "    note: no malicious fixture found under fixtures/malicious/, skipping that check"
fi
# TorchScript carries code (a suspicious finding): a pipeline that ships it gates on dangerous only.
scripted=$fixtures/models/resnet_tiny_scripted.pt
expect_rc 1 "$gate" "$scripted"
expect_rc 0 "$gate" "$scripted" --fail-on dangerous --max-gflops 1000
expect_rc 1 "$gate" "$scripted" --fail-on dangerous --max-gflops 0.001
expect_rc 0 "$gate" "$scripted" --fail-on dangerous --max-gflops 1000 --input 1x3x32x32

step "ok"
