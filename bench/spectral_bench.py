#!/usr/bin/env python3
"""ptscope stats --spectral against WeightWatcher 0.7.x, side by side, on full-size models.

    /work/venv/bin/python bench/spectral_bench.py [--models resnet50 vit_b_16] [--rounds 3] [--ww-rounds 1]

The weights are generated here, not committed: torchvision's constructor with torch.manual_seed(0)
(random init, no download), saved with torch.jit.script + torch.jit.save to a temporary folder.
WeightWatcher runs analyze() with its defaults on the same module; ptscope runs
`stats FILE --spectral --json --no-compress --no-spectral --threads T` on the saved file. Timings:
WeightWatcher's analyze() wall time; ptscope's process wall time (reading the file and every other
statistic included), its CPU time (user + system, both threads) and the heavy-tail analysis alone
(`heavy_tail.seconds`); WeightWatcher's CPU time is the process's (all BLAS threads). Rounds are
interleaved and medians reported, with the load average before and after each model (the machine may
be shared). `--baseline BIN` runs a second ptscope binary in the same rounds (e.g. main's build). Also the largest differences of alpha, D, log_norm, log_spectral_norm and
stable_rank over the layers both analyse (a check at full size, beside the committed goldens).
"""

import argparse
import json
import os
import resource
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
    parser.add_argument("--baseline", help="a second ptscope binary, run in the same interleaved rounds")
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
            ww_times, ww_cpu = [], []
            binaries = {"ptscope": args.ptscope}
            if args.baseline:
                binaries["baseline"] = args.baseline
            timings = {k: {"wall": [], "cpu": [], "inner": []} for k in binaries}
            outputs = {}
            ww_details = None
            load_before = os.getloadavg()
            for r in range(max(args.rounds, args.ww_rounds)):
                if r < args.ww_rounds:
                    cpu = resource.getrusage(resource.RUSAGE_SELF)
                    t = time.perf_counter()
                    ww_details = ww.WeightWatcher(model=model).analyze()
                    ww_times.append(time.perf_counter() - t)
                    after = resource.getrusage(resource.RUSAGE_SELF)
                    ww_cpu.append(after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime)
                if r < args.rounds:
                    for key, binary in binaries.items():
                        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
                        t = time.perf_counter()
                        out = subprocess.run([binary, "stats", path, "--spectral", "--json", "--no-compress", "--no-spectral",
                                              "--threads", str(args.threads)], check=True, capture_output=True, text=True)
                        timings[key]["wall"].append(time.perf_counter() - t)
                        after = resource.getrusage(resource.RUSAGE_CHILDREN)
                        timings[key]["cpu"].append(after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime)
                        outputs[key] = json.loads(out.stdout)["heavy_tail"]
                        timings[key]["inner"].append(outputs[key]["seconds"])
            load_after = os.getloadavg()
            ours = outputs["ptscope"]
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
            med = statistics.median
            res = {"model": name, "ww_layers": int(len(ww_details)), "ptscope_layers": len(ours["layers"]),
                   "matched": matched, "ww_s": med(ww_times), "ww_cpu_s": med(ww_cpu),
                   "load_avg_before": load_before[0], "load_avg_after": load_after[0]}
            for key, t in timings.items():
                res[key + "_wall_s"] = med(t["wall"])
                res[key + "_cpu_s"] = med(t["cpu"])
                res[key + "_heavy_tail_s"] = med(t["inner"])
                res[key + "_speedup_wall"] = med(ww_times) / med(t["wall"])
            res["max_rel_diff"] = worst
            if "baseline" in outputs:  # the two binaries' metrics against each other
                base = {l["name"]: l for l in outputs["baseline"]["layers"]}
                res["max_rel_diff_vs_baseline"] = max(
                    (abs(l[k] - base[l["name"]][k]) / max(abs(base[l["name"]][k]), 1e-300)
                     for l in ours["layers"] for k in ["alpha", "D", "xmin", "log_norm", "log_spectral_norm", "stable_rank"]
                     if not isinstance(l[k], str)), default=0.0)
            results.append(res)
            print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
