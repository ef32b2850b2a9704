#!/usr/bin/env bash
# `ptscope stats` on vgg16 (138 M parameters, random init, float32 state_dict):
#   1. the element passes (every metric but spectral norms and compression)
#      against a plain parallel read of the same bytes, in the same process;
#   2. the whole command against torch computing the same metric set.
# Builds nothing: uses BUILD_DIR/ptscope, Debian's python3-torch and torchvision.
#   bench/stats_bench.sh [BUILD_DIR]        (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PTSCOPE=$BUILD/ptscope
PY=/usr/bin/python3
MODEL=${STATS_BENCH_MODEL:-/tmp/ptscope_vgg16.pth}
OUT=${STATS_BENCH_OUT:-/tmp/ptscope_stats_bench}
[ -x "$PTSCOPE" ] || { echo "no $PTSCOPE: build it first (cmake --build $BUILD)" >&2; exit 1; }
mkdir -p "$OUT"
[ -f "$MODEL" ] || $PY bench/stats_torch.py --make "$MODEL"
cat "$MODEL" > /dev/null  # into the page cache for both sides

now() { date +%s.%N; }
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== element passes vs memory read (best of 5, same process)"
$PTSCOPE stats "$MODEL" --bench 5 --no-spectral --no-compress > "$OUT/passes.json"
cat "$OUT/passes.json"

echo "== ptscope stats, wall seconds"
t0=$(now); $PTSCOPE stats "$MODEL" --json --no-spectral --no-compress > "$OUT/core.json"; t1=$(now)
$PTSCOPE stats "$MODEL" --json > "$OUT/full.json"; t2=$(now)
echo "timestamps: $t0 $t1 $t2"

echo "== torch, same metrics"
$PY bench/stats_torch.py "$MODEL" > "$OUT/torch.json"
cat "$OUT/torch.json" | head -12

$PY - "$OUT" "$t0" "$t1" "$t2" <<'PYEOF'
import json, sys
out, t0, t1, t2 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
core_wall, full_wall = t1 - t0, t2 - t1
p = json.load(open(out + "/passes.json"))
t = json.load(open(out + "/torch.json"))
full = json.load(open(out + "/full.json"))["timings"]
print("\n== summary")
print("memory read: %.1f GB/s; element passes: %.2f GB/s -> %.1f%% of the read baseline (wall), %.1f%% (CPU time)"
      % (p["read_gbps"], p["passes_gbps"], 100 * p["throughput_ratio"], 100 * p["throughput_ratio_cpu"]))
torch_core = t["load_s"] + t["core_s"]
torch_full = t["total_s"]
print("core metrics: ptscope %.2f s (whole command) vs torch %.2f s (load %.2f + metrics %.2f) -> %.1fx"
      % (core_wall, torch_core, t["load_s"], t["core_s"], torch_core / core_wall))
print("everything:   ptscope %.2f s vs torch %.2f s -> %.1fx   (spectral: ptscope %.2f s, torch %.2f s; "
      "compression: ptscope %.2f s, torch %.2f s)" % (full_wall, torch_full, torch_full / full_wall,
                                                     full["spectral_s"], t["spectral_s"], full["compression_s"],
                                                     t["compression_s"]))
PYEOF
