#!/usr/bin/env python3
"""ptscope stats --spectral against WeightWatcher 0.7.x, side by side, on full-size models.

    /work/venv/bin/python bench/spectral_bench.py [--models resnet50 vit_b_16] [--rounds 3] [--ww-rounds 1]

The weights are generated here, not committed: torchvision's constructor with torch.manual_seed(0)
(random init, no download), saved with torch.jit.script + torch.jit.save to a temporary folder.
WeightWatcher runs analyze() with its defaults on the same module; ptscope runs
`stats FILE --spectral --json --no-compress --no-spectral --threads T` on the saved file. Timings:
WeightWatcher's analyze() wall time; ptscope's process wall time (reading the file and every other
statistic included) and the heavy-tail analysis alone (`heavy_tail.seconds`). Rounds are interleaved
and medians reported. Also the largest differences of alpha, D, log_norm, log_spectral_norm and
stable_rank over the layers both analyse (a check at full size, beside the committed goldens).
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PTSCOPE = os.path.join(ROOT, "build", "ptscope")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", default=["resnet50", "vit_b_16"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ww-rounds", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--ptscope", default=PTSCOPE, help="the ptscope binary (e.g. an AVX2 build)")
    args = parser.parse_args()

    import torch
    import torchvision
    import weightwatcher as ww
    import logging
    logging.getLogger("weightwatcher").setLevel(logging.ERROR)

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            torch.manual_seed(0)
            model = getattr(torchvision.models, name)().eval()
            path = os.path.join(tmp, name + ".pt")
            torch.jit.save(torch.jit.script(model), path)
            ww_times, ours_wall, ours_inner = [], [], []
            ww_details = ours = None
            for r in range(max(args.rounds, args.ww_rounds)):
                if r < args.ww_rounds:
                    t = time.perf_counter()
                    ww_details = ww.WeightWatcher(model=model).analyze()
                    ww_times.append(time.perf_counter() - t)
                if r < args.rounds:
                    t = time.perf_counter()
                    out = subprocess.run([args.ptscope, "stats", path, "--spectral", "--json", "--no-compress", "--no-spectral",
                                          "--threads", str(args.threads)], check=True, capture_output=True, text=True)
                    ours_wall.append(time.perf_counter() - t)
                    ours = json.loads(out.stdout)["heavy_tail"]
                    ours_inner.append(ours["seconds"])
            by_name = {l["name"]: l for l in ours["layers"]}
            worst = {}
            matched = 0
            for _, row in ww_details.iterrows():
                o = by_name.get(row["longname"])
                if o is None:
                    continue
                matched += 1
                for k in ["alpha", "D", "log_norm", "log_spectral_norm", "stable_rank"]:
                    a, b = o[k], float(row[k])
                    if isinstance(a, str):
                        continue
                    worst[k] = max(worst.get(k, 0.0), abs(a - b) / max(abs(b), 1e-300))
            res = {"model": name, "ww_layers": int(len(ww_details)), "ptscope_layers": len(ours["layers"]),
                   "matched": matched, "ww_s": statistics.median(ww_times),
                   "ptscope_wall_s": statistics.median(ours_wall), "ptscope_heavy_tail_s": statistics.median(ours_inner),
                   "speedup_wall": statistics.median(ww_times) / statistics.median(ours_wall),
                   "max_rel_diff": worst}
            results.append(res)
            print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
