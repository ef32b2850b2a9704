#!/usr/bin/env python3
"""The statistics element passes (pass 1 + pass 2, every metric but spectral
norms and compression) on each ISA path, from `ptscope stats --bench`, in
interleaved rounds; then the whole `ptscope stats` command per path.

    bench/stats_isa_bench.py MODEL [--ptscope build/ptscope] [--rounds 5] [--threads 1,2]
    bench/stats_isa_bench.py --make-bert /tmp/bert_base.pth   (random-init BERT-base state_dict;
                                                              needs torch + transformers)

Prints, per path and thread count, the medians over the rounds of the best
of --reps repetitions inside each process (wall and process CPU seconds),
and the ratio of each path's CPU time to the avx512 path's.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

PATHS = ["avx512", "avx2", "generic"]


def make_bert(path):
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    torch.save(BertModel(BertConfig()).state_dict(), path)


def run(cmd, isa):
    env = dict(os.environ, PTSCOPE_ISA=isa)
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)


def whole_command(ptscope, model, isa, threads):
    """Wall and CPU seconds (children's rusage) of one `ptscope stats` run."""
    before = os.times()
    t0 = time.perf_counter()
    run([ptscope, "stats", model, "--json", "--threads", str(threads)], isa)
    wall = time.perf_counter() - t0
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?")
    ap.add_argument("--ptscope", default="build/ptscope")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--paths", default=",".join(PATHS))
    ap.add_argument("--make-bert")
    a = ap.parse_args()
    if a.make_bert:
        make_bert(a.make_bert)
        return
    if not a.model:
        ap.error("MODEL is required")
    paths = a.paths.split(",")
    threads = [int(t) for t in a.threads.split(",")]
    passes = {}  # (isa, threads) -> list of (wall, cpu)
    whole = {}
    for r in range(a.rounds):
        for t in threads:
            for isa in paths:
                out = run([a.ptscope, "stats", a.model, "--bench", str(a.reps), "--no-spectral", "--no-compress",
                           "--threads", str(t)], isa).stdout
                j = json.loads(out)
                passes.setdefault((isa, t), []).append((j["passes_s"], j["passes_cpu_s"]))
                whole.setdefault((isa, t), []).append(whole_command(a.ptscope, a.model, isa, t))
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)

    gb = json.loads(run([a.ptscope, "stats", a.model, "--bench", "1", "--no-spectral", "--no-compress",
                         "--threads", "1"], paths[0]).stdout)["stats_bytes"] / 1e9
    print(f"model {a.model}: {gb:.3f} GB of statistics input; medians of {a.rounds} interleaved rounds")
    print("| path | threads | passes wall s | passes CPU s | GB/s per core (CPU) | CPU vs avx512 "
          "| whole command wall s | whole command CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for t in threads:
        base = statistics.median(c for _, c in passes.get(("avx512", t), [(0, float("nan"))]))
        for isa in paths:
            w = statistics.median(x for x, _ in passes[(isa, t)])
            c = statistics.median(y for _, y in passes[(isa, t)])
            ww = statistics.median(x for x, _ in whole[(isa, t)])
            wc = statistics.median(y for _, y in whole[(isa, t)])
            print(f"| {isa} | {t} | {w:.3f} | {c:.3f} | {gb / c:.2f} | {c / base:.2f}x | {ww:.2f} | {wc:.2f} |")


if __name__ == "__main__":
    main()
