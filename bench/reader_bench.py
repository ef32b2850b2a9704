#!/usr/bin/python3
"""Reader benchmark (issue 2): ptscope against torch.load / torch.jit.load.

Run with Debian's torch: /usr/bin/python3 bench/reader_bench.py [--build build]
Writes torchvision vgg16, resnet50 and vit_b_16 (random init) as state_dicts and
TorchScript archives under /tmp/ptscope-bench, then times, side by side in one run
(warm page cache, medians of N):
  - in-process: torch.load / torch.jit.load inside Python against ptscope's
    load_model + info JSON inside C++ (bench/reader_bench.cpp);
  - whole process: `python3 -c "import torch; torch.load(f)"` against
    `ptscope info --json f` (process start included for both).
Also checks that ptscope's cost does not grow with tensor bytes: the same MLP
structure at 1x and 256x the tensor size must parse in about the same time.
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


def process_time(cmd, repeat):
    def run():
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    run()  # warm the page cache and the binary
    return median_time(run, repeat)


def ptscope_in_process(bench_binary, paths, repeat):
    out = subprocess.run([bench_binary, str(repeat)] + paths, check=True, capture_output=True, text=True).stdout
    return {line.split()[0]: float(line.split()[1]) / 1e3 for line in out.splitlines()}


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
    ap.add_argument("--build", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build"))
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    subprocess.run(["cmake", "--build", args.build, "--target", "ptscope", "ptscope_reader_bench"], check=True,
                   stdout=subprocess.DEVNULL)
    cli = os.path.join(args.build, "ptscope")
    torch.set_num_threads(1)
    files = make_models()
    ours_in_process = ptscope_in_process(os.path.join(args.build, "ptscope_reader_bench"),
                                         [f[2] for f in files], args.repeat)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, repeat {args.repeat} (median)")
    print(f"{'':<24} {'':>9} {'in-process (ms)':^28} {'whole process (ms)':^28}")
    print(f"{'model':<10} {'format':<13} {'MiB':>9} {'torch':>9} {'ptscope':>9} {'ratio':>8} "
          f"{'torch':>9} {'ptscope':>9} {'ratio':>8}")
    worst_in, worst_proc = None, None
    for name, fmt, path, load in files:
        load()  # warm
        t_torch = median_time(load, args.repeat)
        t_ours = ours_in_process[path]
        loader = "torch.jit.load" if fmt == "torchscript" else "torch.load"
        p_torch = process_time([sys.executable, "-c", f"import torch; {loader}({path!r}, map_location='cpu')"],
                               max(3, args.repeat // 2))
        p_ours = process_time([cli, "info", "--json", path], args.repeat)
        size = os.path.getsize(path) / 2**20
        print(f"{name:<10} {fmt:<13} {size:>9.1f} {t_torch*1e3:>9.1f} {t_ours*1e3:>9.2f} {t_torch/t_ours:>7.1f}x "
              f"{p_torch*1e3:>9.1f} {p_ours*1e3:>9.2f} {p_torch/p_ours:>7.1f}x")
        if name != "mlp":
            worst_in = t_torch / t_ours if worst_in is None else min(worst_in, t_torch / t_ours)
            worst_proc = p_torch / p_ours if worst_proc is None else min(worst_proc, p_torch / p_ours)
    print(f"slowest speedup over torch: in-process {worst_in:.1f}x, whole process {worst_proc:.1f}x (target >= 20x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
