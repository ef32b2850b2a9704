#!/bin/sh
# The portable build's guard against the ODR trap of per-ISA code (docs/cpu-kernels.md,
# "ISA paths"): no weak (COMDAT) function in the library's objects may use a ymm or zmm
# register. Inline and template functions are emitted weak in every object that uses
# them and the linker keeps one copy; an AVX copy would then run on CPUs without AVX.
# Kernels compiled in target regions are in anonymous namespaces (local symbols), so
# they are not weak. Usage: no_wide_weak_functions.sh BUILD_DIR
set -eu
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
objects=$(find "$build/CMakeFiles" -path '*/ptscope_*.dir/*' -name '*.o' ! -path '*ptscope_tests*' ! -path '*ptscope_cli*' ! -path '*cuda*')
[ -n "$objects" ] || { echo "no library objects under $build/CMakeFiles"; exit 1; }
count=0
for o in $objects; do
  count=$((count + 1))
  nm --defined-only "$o" | awk '$2 == "W" || $2 == "V" { print $3 }' | sort -u > "$tmp/weak"
  [ -s "$tmp/weak" ] || continue
  objdump -d --no-show-raw-insn "$o" |
    awk '/^[0-9a-f]+ <.*>:$/ { name = substr($2, 2, length($2) - 3) } /%[yz]mm/ { print name }' | sort -u > "$tmp/wide"
  comm -12 "$tmp/weak" "$tmp/wide" | sed "s|^|$o: |" >> "$tmp/bad"
done
if [ -s "$tmp/bad" ]; then
  echo "weak functions using ymm/zmm registers (an AVX copy the linker may pick for every caller):"
  c++filt < "$tmp/bad"
  exit 1
fi
echo "$count objects: no weak function uses a ymm or zmm register"
