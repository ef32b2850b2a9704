#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) straight from the
# sources, no CMake involved, and runs each for a bounded time from a seed
# corpus made of the committed fixtures. Exit status is non-zero if a target
# fails to build or finds a crash, a leak, UB, a timeout or an OOM; the input
# that triggered it is kept in $FUZZ_BUILD_DIR/artifacts/.
#
#   fuzz/run_smoke.sh                 # 20 s per target
#   FUZZ_SECONDS=300 fuzz/run_smoke.sh zip pickle   # longer, chosen targets
#
# Environment: FUZZ_SECONDS (per target), FUZZ_BUILD_DIR (default build-fuzz),
# CXX_FUZZ (default clang++), FUZZ_JOBS (parallel compiles, default 2),
# FUZZ_DETECT_LEAKS (default 1; 0 ignores leaks, e.g. while a known one is open).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
OUT=${FUZZ_BUILD_DIR:-build-fuzz}
CXX=${CXX_FUZZ:-clang++}
JOBS=${FUZZ_JOBS:-2}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(zip pickle torchscript audit safetensors pt2)

FLAGS=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
       -fno-sanitize-recover=undefined -I. -DPTSCOPE_VERSION=\"fuzz\")
mkdir -p "$OUT/obj" "$OUT/artifacts"

# Library sources each target needs (kept minimal so a broken module elsewhere
# in the tree does not stop the smoke run).
CORE=(core/dtype.cpp core/error.cpp core/mapped_file.cpp core/format.cpp)
PICKLE=(parser/pickle.cpp parser/pickle_vm.cpp parser/py_escape.cpp core/pyobject.cpp parser/python_int.cpp)
ZIP=(parser/zip_reader.cpp)
AUDIT=(parser/tar_header.cpp parser/safetensors.cpp audit/*.cpp)
TS=(parser/torchscript/*.cpp)
# The whole reader (load_model sniffs, then the safetensors loader).
READER=(core/*.cpp parser/*.cpp)
# The .pt2 reader goes through the whole reader and the graph front end.
PT2=(graph/*.cpp)

compile() {  # compile SRC... into $OUT/obj, in parallel, only when stale
  local pids=() src obj
  for src in "$@"; do
    obj="$OUT/obj/$(echo "$src" | tr '/' '_').o"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find core parser audit -name '*.h' -newer "$obj" | head -1)" ]; then
      "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj" &
      pids+=($!)
      if [ ${#pids[@]} -ge "$JOBS" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
}
objects() { local src; for src in "$@"; do echo "$OUT/obj/$(echo "$src" | tr '/' '_').o"; done; }

sources_for() {
  case "$1" in
    zip) echo "${CORE[@]} ${ZIP[@]}" ;;
    pickle) echo "${CORE[@]} ${PICKLE[@]}" ;;
    torchscript) echo "${CORE[@]} ${TS[@]} parser/py_escape.cpp" ;;
    audit) echo "${CORE[@]} ${PICKLE[@]} ${ZIP[@]} ${AUDIT[@]}" ;;
    safetensors) echo "${READER[@]} ${TS[@]}" ;;
    pt2) echo "${READER[@]} ${TS[@]} ${PT2[@]}" ;;
    *) echo "unknown target $1" >&2; exit 64 ;;
  esac
}

# Seeds: the committed fixtures, plus their pickles and TorchScript sources
# extracted with Python's zipfile when Python is there (nothing is unpickled).
SEEDS="$OUT/seeds"
rm -rf "$SEEDS"
mkdir -p "$SEEDS"/{zip,pickle,torchscript,audit,safetensors,pt2}
# Seeds: fixtures, both attack sets, and the real third-party files of the
# shared corpus (the small ones: the fuzzer mutates whole inputs).
for f in fixtures/models/*.pt* fixtures/malicious/* fixtures/adversarial/* fixtures/tar/* fixtures/sparse/* ../shared/corpus/*; do
  case "$f" in *.json|*.md|*.tsv) continue ;; esac
  [ -f "$f" ] || continue
  [ "$(stat -c %s "$f")" -le 1048576 ] || continue
  cp "$f" "$SEEDS/audit/"
  [ "$(head -c 4 "$f" | tr -d '\0')" = $'PK\x03\x04' ] && cp "$f" "$SEEDS/zip/"
  case "$f" in *.pkl|*.bin) cp "$f" "$SEEDS/pickle/" ;; esac
done
for f in fixtures/folders/*.safetensors fixtures/folders/malformed/*.safetensors fixtures/folders/hf_safetensors/*.safetensors; do
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 1048576 ] && cp "$f" "$SEEDS/safetensors/"
done
if command -v python3 >/dev/null; then
  python3 - "$SEEDS" <<'PY'
import os, sys, zipfile, glob
seeds = sys.argv[1]
for path in sorted(glob.glob("fixtures/models/*.pt*")):
    if not zipfile.is_zipfile(path):
        continue
    with zipfile.ZipFile(path) as z:
        for i, info in enumerate(z.infolist()):
            name = info.filename
            kind = "pickle" if name.endswith((".pkl", ".debug_pkl")) else "torchscript" if name.endswith(".py") else None
            if kind and info.file_size < 256 * 1024:
                dest = os.path.join(seeds, kind, f"{os.path.basename(path)}.{i}")
                with open(dest, "wb") as out:
                    out.write(z.read(info))
PY
fi
# .pt2 seeds: the fixtures' program and config JSON.
for f in fixtures/pt2/*.pt2; do
  [ -f "$f" ] || continue
  command -v unzip >/dev/null && unzip -p "$f" '*/models/model.json' > "$SEEDS/pt2/$(basename "$f").model.json" 2>/dev/null || true
  command -v unzip >/dev/null && unzip -p "$f" '*_weights_config.json' > "$SEEDS/pt2/$(basename "$f").weights.json" 2>/dev/null || true
done
[ -n "$(ls -A "$SEEDS/torchscript")" ] || printf 'class M(Module):\n  def forward(self, x: Tensor) -> Tensor:\n    return x\n' > "$SEEDS/torchscript/seed.py"

status=0
for t in "${TARGETS[@]}"; do
  read -r -a srcs <<< "$(sources_for "$t")"
  echo "== building fuzz_$t"
  compile "${srcs[@]}" "fuzz/fuzz_$t.cpp"
  "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer $(objects "${srcs[@]}" "fuzz/fuzz_$t.cpp") \
      -ldeflate -lz -pthread -o "$OUT/fuzz_$t"
  corpus="$OUT/corpus_$t"
  mkdir -p "$corpus"
  echo "== running fuzz_$t for ${SECONDS_PER_TARGET}s"
  if ! "$OUT/fuzz_$t" "$corpus" "$SEEDS/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
        -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 -detect_leaks="${FUZZ_DETECT_LEAKS:-1}" \
        -artifact_prefix="$OUT/artifacts/${t}-" 2> "$OUT/fuzz_$t.log"; then
    echo "!! fuzz_$t failed; last lines of $OUT/fuzz_$t.log:"
    tail -40 "$OUT/fuzz_$t.log"
    status=1
  else
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)" "$OUT/fuzz_$t.log" || true
  fi
done
exit $status
