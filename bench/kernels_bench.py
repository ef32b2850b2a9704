#!/usr/bin/env python3
"""CPU kernel benchmark: ptscope's kernels against torch at the same thread count.

Run with either torch (the one running the script is the reference):
  .venv-torch2/bin/python bench/kernels_bench.py [--threads 1,2] [--rounds 5] [--reps 10]
One ISA path on both sides (here AVX2 on an AVX-512 machine; ours is chosen at run time):
  PTSCOPE_ISA=avx2 ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 \
    python bench/kernels_bench.py --binary build/ptscope_kernels_bench
  /usr/bin/python3 bench/kernels_bench.py ...
Builds bench/kernels_bench.cpp with g++ against the kernel sources (or takes --binary, e.g. the
CMake target ptscope_kernels_bench), then for each thread count alternates rounds of the C++ driver
and of torch (torch.set_num_threads) on the same shapes; each side keeps its best time over all
rounds, each round at least --min-ms per benchmark (the machine is shared, so minima over long enough
windows are the stable statistic). Prints ms, GFLOP/s and the
ratio ptscope / torch (below 1 = faster than torch); --markdown FILE writes the table.
--clock cpu (the default for 1 thread) times each single-threaded run in the calling thread's CPU
time on both sides (torch at 1 thread computes on the calling thread), so that time a loaded machine
spends running other processes does not count; runs with more threads use wall-clock time.
"""
import argparse
import math
import os
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = "/tmp/ptscope-bench"

# name, kind, numbers (see kernels_bench.cpp), FLOPs
SPECS = [
    ("gemm_peak_1024", "sgemm", [1024, 1024, 1024]),
    ("bert_qkv_128x768x768", "linear", [128, 768, 768]),
    ("bert_ffn1_128x3072x768", "linear", [128, 3072, 768]),
    ("bert_ffn2_128x768x3072", "linear", [128, 768, 3072]),
    ("classifier_1x1000x2048", "linear", [1, 1000, 2048]),
    ("resnet_stem_7x7s2", "conv", [1, 3, 224, 224, 64, 7, 7, 2, 3, 1]),
    ("resnet_l1_3x3", "conv", [1, 64, 56, 56, 64, 3, 3, 1, 1, 1]),
    ("resnet_l1_1x1_64to256", "conv", [1, 64, 56, 56, 256, 1, 1, 1, 0, 1]),
    ("resnet_l1_1x1_256to64", "conv", [1, 256, 56, 56, 64, 1, 1, 1, 0, 1]),
    ("resnet_l2_3x3s2", "conv", [1, 128, 56, 56, 128, 3, 3, 2, 1, 1]),
    ("resnet_l3_3x3", "conv", [1, 256, 14, 14, 256, 3, 3, 1, 1, 1]),
    ("resnet_l4_3x3", "conv", [1, 512, 7, 7, 512, 3, 3, 1, 1, 1]),
    ("resnet_batch8_l3_3x3", "conv", [8, 256, 14, 14, 256, 3, 3, 1, 1, 1]),
    ("mbv2_dw3x3_144x56", "conv", [1, 144, 56, 56, 144, 3, 3, 1, 1, 144]),
    ("mbv2_dw3x3s2_96x112", "conv", [1, 96, 112, 112, 96, 3, 3, 2, 1, 96]),
    ("effnet_dw5x5_240x28", "conv", [1, 240, 28, 28, 240, 5, 5, 1, 2, 240]),
    ("convnext_dw7x7_96x56", "conv", [1, 96, 56, 56, 96, 7, 7, 1, 3, 96]),
    ("regnet_group3x3_g8", "conv", [1, 224, 28, 28, 224, 3, 3, 1, 1, 28]),
    ("sdpa_bert_1x12x128x64", "sdpa", [1, 12, 128, 64]),
    ("layer_norm_128x768", "layer_norm", [128, 768]),
    ("softmax_1536x128", "softmax", [1536, 128]),
    ("gelu_393216", "gelu", [128 * 3072]),
    ("add_802816", "add", [64 * 112 * 112]),
]


def flops(kind, v):
    if kind in ("sgemm", "linear"):
        return 2.0 * v[0] * v[1] * v[2]
    if kind == "conv":
        n, c, h, w, o, kh, kw, s, p, g = v
        oh, ow = (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1
        return 2.0 * n * o * oh * ow * (c // g) * kh * kw
    if kind == "sdpa":
        b, hh, l, e = v
        return 4.0 * b * hh * l * l * e
    return 0.0


def torch_fn(kind, v):
    g = torch.Generator().manual_seed(0)

    def r(*s):
        return torch.rand(*s, generator=g) - 0.5
    if kind == "sgemm":
        a, b = r(v[0], v[2]), r(v[2], v[1])
        return lambda: torch.mm(a, b)
    if kind == "linear":
        x, w, b = r(v[0], v[2]), r(v[1], v[2]), r(v[1])
        return lambda: F.linear(x, w, b)
    if kind == "conv":
        n, c, h, w_, o, kh, kw, s, p, grp = v
        x, w, b = r(n, c, h, w_), r(o, c // grp, kh, kw), r(o)
        return lambda: F.conv2d(x, w, b, s, p, 1, grp)
    if kind == "sdpa":
        q, k, vv = r(*v), r(*v), r(*v)
        if hasattr(F, "scaled_dot_product_attention"):
            return lambda: F.scaled_dot_product_attention(q, k, vv)
        scale = 1.0 / math.sqrt(v[3])  # torch 1.13: the math path by hand
        return lambda: torch.softmax(q @ k.transpose(-2, -1) * scale, -1) @ vv
    if kind == "layer_norm":
        x, w, b = r(v[0], v[1]), r(v[1]), r(v[1])
        return lambda: F.layer_norm(x, [v[1]], w, b)
    if kind == "softmax":
        x = r(v[0], v[1])
        return lambda: torch.softmax(x, -1)
    if kind == "gelu":
        x = r(v[0])
        return lambda: F.gelu(x)
    if kind == "add":
        a, b = r(v[0]), r(v[0])
        return lambda: torch.add(a, b)
    raise ValueError(kind)


def build(binary, march="native"):
    if binary:
        return binary
    build_dir = os.path.join(BUILD, march)
    os.makedirs(build_dir, exist_ok=True)
    out = os.path.join(build_dir, "kernels_bench")
    srcs = sorted(os.path.join("kernels/cpu", f) for f in os.listdir(os.path.join(ROOT, "kernels/cpu"))
                  if f.endswith(".cpp") and f != "cpu_executor.cpp")  # the executor needs the graph library
    # Headers and the per-ISA kernel bodies (*.inc) a source may include.
    deps = [os.path.join("kernels/cpu", h) for h in os.listdir(os.path.join(ROOT, "kernels/cpu"))
            if h.endswith((".h", ".inc"))] + ["core/isa.h"]
    objs = []
    lib = ["kernels/kernel_call.cpp", "core/error.cpp", "core/dtype.cpp", "core/format.cpp", "core/shape.cpp",
           "core/isa.cpp"]  # what the kernels call outside kernels/cpu
    for s in srcs + lib + ["bench/kernels_bench.cpp"]:
        o = os.path.join(build_dir, s.replace("/", "_") + ".o")
        if not os.path.exists(o) or os.path.getmtime(o) < max(os.path.getmtime(os.path.join(ROOT, p))
                                                               for p in [s] + deps):
            print("compiling", s, "for -march=" + march, file=sys.stderr)
            subprocess.run(["g++", "-std=c++20", "-O3", "-march=" + march, "-DNDEBUG", "-I", ROOT, "-isystem",
                            "/usr/include/eigen3", "-c", os.path.join(ROOT, s), "-o", o], check=True)
        objs.append(o)
    subprocess.run(["g++"] + objs + ["-pthread", "-o", out], check=True)
    return out


def isa_line():
    """The ISA paths: ours from PTSCOPE_ISA (unset: the best the CPU runs), torch's from
    ATEN_CPU_CAPABILITY / ONEDNN_MAX_CPU_ISA / MKL_ENABLE_INSTRUCTIONS."""
    env = os.environ
    return (f"PTSCOPE_ISA={env.get('PTSCOPE_ISA', '(unset)')}, torch CPU capability "
            f"{torch.backends.cpu.get_cpu_capability()}, ONEDNN_MAX_CPU_ISA={env.get('ONEDNN_MAX_CPU_ISA', '(unset)')}, "
            f"MKL_ENABLE_INSTRUCTIONS={env.get('MKL_ENABLE_INSTRUCTIONS', '(unset)')}")


def run_ours(binary, threads, reps, min_ms, specs, cpu_clock=False):
    lines = "".join(f"{n} {k} {' '.join(map(str, v))}\n" for n, k, v in specs)
    cmd = [binary, str(threads), str(reps), str(min_ms)] + (["cpu"] if cpu_clock else [])
    p = subprocess.run(cmd, input=lines, capture_output=True, text=True, check=True)
    return {ln.split()[0]: float(ln.split()[1]) for ln in p.stdout.splitlines()}


def run_torch(fn, reps, min_ms, cpu_clock=False):
    clock = time.thread_time if cpu_clock else time.perf_counter
    fn()
    best = math.inf
    start = time.perf_counter()
    r = 0
    while r < reps or (time.perf_counter() - start) * 1e3 < min_ms:
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
        r += 1
    return best * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--min-ms", type=float, default=300, help="time each benchmark at least this long per round")
    ap.add_argument("--binary")
    ap.add_argument("--march", default="native",
                    help="-march of the driver this script builds (x86-64-v2: the portable default build)")
    ap.add_argument("--only", help="comma-separated benchmark names")
    ap.add_argument("--markdown")
    ap.add_argument("--clock", choices=["auto", "cpu", "wall"], default="auto",
                    help="auto: thread CPU time at 1 thread, wall-clock otherwise")
    args = ap.parse_args()
    specs = [s for s in SPECS if not args.only or s[0] in args.only.split(",")]
    binary = build(args.binary, args.march)
    fns = {n: torch_fn(k, v) for n, k, v in specs}
    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        cpu_clock = threads == 1 and args.clock != "wall"
        if args.clock == "cpu" and threads > 1:
            print(f"--clock cpu needs one thread; {threads} threads use wall-clock time", file=sys.stderr)
        ours = {n: math.inf for n, _, _ in specs}
        ref = dict(ours)
        for _ in range(args.rounds):
            for n, t in run_ours(binary, threads, args.reps, args.min_ms, specs, cpu_clock).items():
                ours[n] = min(ours[n], t)
            for n, _, _ in specs:
                ref[n] = min(ref[n], run_torch(fns[n], args.reps, args.min_ms, cpu_clock))
        for n, k, v in specs:
            fl = flops(k, v)
            rows.append((threads, n, ours[n], ref[n], fl))
    head = (f"{isa_line()}; torch {torch.__version__}, {os.cpu_count()} CPUs; best of {args.rounds} rounds x "
            f"max({args.reps} reps, {args.min_ms:g} ms); clock {args.clock} (1 thread: "
            f"{'wall' if args.clock == 'wall' else 'thread CPU time'}); load average {os.getloadavg()[0]:.1f}")
    print(head)
    print(f"{'threads':>7} {'benchmark':<26} {'ptscope ms':>10} {'torch ms':>9} {'GFLOP/s':>8} {'torch GF':>8} {'ratio':>6}")
    md = [head, "", "| threads | benchmark | ptscope ms | torch ms | ptscope GFLOP/s | torch GFLOP/s | ratio |",
          "|---:|---|---:|---:|---:|---:|---:|"]
    ratios = {}
    for threads, n, a, b, fl in rows:
        ga = fl / a / 1e6 if fl else 0
        gb = fl / b / 1e6 if fl else 0
        ratios.setdefault(threads, []).append(a / b)
        print(f"{threads:>7} {n:<26} {a:>10.3f} {b:>9.3f} {ga:>8.1f} {gb:>8.1f} {a / b:>6.2f}")
        md.append(f"| {threads} | {n} | {a:.3f} | {b:.3f} | {ga:.1f} | {gb:.1f} | {a / b:.2f} |")
    for threads, rs in ratios.items():
        gm = math.exp(sum(math.log(r) for r in rs) / len(rs))
        print(f"threads {threads}: geometric mean ratio {gm:.2f}, worst {max(rs):.2f}")
        md.append(f"\nthreads {threads}: geometric mean ratio {gm:.2f}, worst {max(rs):.2f}")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
