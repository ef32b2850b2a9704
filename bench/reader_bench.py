#!/usr/bin/python3
"""Reader benchmark (issue 2): `ptscope info` against torch.load / torch.jit.load.

Run with Debian's torch: /usr/bin/python3 bench/reader_bench.py [--ptscope build/ptscope]
Writes torchvision vgg16, resnet50 and vit_b_16 (random init) as state_dicts and
TorchScript archives under /tmp/ptscope-bench, then times, side by side in one run,
the median of N loads by torch (in-process, warm page cache) and N runs of
`ptscope info --json` (a whole process each, output discarded). Also checks that
ptscope's cost does not grow with tensor bytes: the same MLP structure at 1x and
256x the tensor size must parse in about the same time.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import torch
import torchvision

OUT = "/tmp/ptscope-bench"


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ptscope_time(binary, path, repeat):
    def run():
        subprocess.run([binary, "info", "--json", path], check=True, stdout=subprocess.DEVNULL)
    run()  # warm the page cache and the binary
    return median_time(run, repeat)


def make_models():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    files = []
    for name in ["vgg16", "resnet50", "vit_b_16"]:
        sd_path = f"{OUT}/{name}_state_dict.pth"
        ts_path = f"{OUT}/{name}_scripted.pt"
        if not (os.path.exists(sd_path) and os.path.exists(ts_path)):
            model = getattr(torchvision.models, name)(weights=None).eval()
            torch.save(model.state_dict(), sd_path)
            torch.jit.save(torch.jit.script(model), ts_path)
        files.append((name, "state_dict", sd_path, lambda p=sd_path: torch.load(p, map_location="cpu")))
        files.append((name, "torchscript", ts_path, lambda p=ts_path: torch.jit.load(p, map_location="cpu")))
    # Same structure, tensor bytes scaled 256x: parse cost must stay flat.
    for scale in (1, 256):
        path = f"{OUT}/mlp_x{scale}.pth"
        if not os.path.exists(path):
            width = 64 * 16 * (1 if scale == 1 else 16)
            mlp = torch.nn.Sequential(*[torch.nn.Linear(width, width) for _ in range(8)])
            torch.save(mlp.state_dict(), path)
        files.append(("mlp", f"x{scale}", path, lambda p=path: torch.load(p, map_location="cpu")))
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ptscope", default=os.path.join(os.path.dirname(__file__), "..", "build", "ptscope"))
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    torch.set_num_threads(1)
    files = make_models()
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, repeat {args.repeat} (median)")
    print(f"{'model':<10} {'format':<12} {'size MiB':>9} {'torch ms':>10} {'ptscope ms':>11} {'speedup':>8}")
    worst = None
    for name, fmt, path, load in files:
        load()  # warm
        t_torch = median_time(load, args.repeat)
        t_ours = ptscope_time(args.ptscope, path, args.repeat)
        ratio = t_torch / t_ours
        size = os.path.getsize(path) / 2**20
        print(f"{name:<10} {fmt:<12} {size:>9.1f} {t_torch*1e3:>10.1f} {t_ours*1e3:>11.2f} {ratio:>7.1f}x")
        if name != "mlp":
            worst = ratio if worst is None else min(worst, ratio)
    print(f"slowest speedup over torch: {worst:.1f}x (target >= 20x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
