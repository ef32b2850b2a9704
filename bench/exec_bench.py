#!/usr/bin/env python3
"""End-to-end CPU latency: `ptscope profile` against torch on the same models and inputs (issue 5).

  .venv-torch2/bin/python bench/exec_bench.py --ptscope build/ptscope [--threads 1,2] [--rounds 3]
One ISA path on both sides, e.g. AVX2 on an AVX-512 machine (ours is chosen at run time):
  PTSCOPE_ISA=avx2 ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 \
    python bench/exec_bench.py --ptscope build/ptscope --kernels-binary build/ptscope_kernels_bench

Writes resnet18, resnet50, mobilenet_v2, vit_b_16 (torchvision, random weights from a fixed seed) and a
hand-written BERT-base encoder (12 layers, d 768, 12 heads, FFN 3072, sequence 128) as TorchScript
under --workdir (default /tmp/ptscope-exec-bench; nothing is written into the repository), with one
input each saved as .npy. Then, for each thread count and round, alternating which side goes first:
  - torch: torch.set_num_threads(N), inference mode, --warmup runs, then the median of --repeat runs,
    for the eager module and the loaded TorchScript module (the faster one is the baseline);
  - ptscope: `ptscope profile FILE --device cpu --threads N --json --input-file INPUT.npy` with the same
    warm-up and repeat counts, reading totals.latency_ms_median.
Each side keeps its best per-round median (the machine is shared; the load average is printed with
every row). At one thread the run also reports CPU-time latencies, which a loaded machine does not
inflate: torch's median in its thread's CPU time (torch at one thread computes on the calling thread),
and ptscope's from the CPU time of two profile processes that differ only in --repeat (each repeat is
two graph runs: one timed per node, one end to end), so loading and graph building cancel out. The same run measures the peak GEMM rate: our sgemm (bench/kernels_bench.cpp, built as in
kernels_bench.py or taken from --kernels-binary) and torch.mm on 1024^3 and 2048^3.
Prints a table with ratio = ptscope / torch (below 1 = faster) and the geometric mean; --markdown FILE
writes it; --slowest K lists each model's K slowest ptscope nodes (from the last profile run).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernels_bench  # noqa: E402  (builds the sgemm driver)

MODELS = ["resnet18", "resnet50", "mobilenet_v2", "vit_b_16", "bert_base"]


class BertLayer(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d)
        self.ffn1 = nn.Linear(d, ffn)
        self.ffn2 = nn.Linear(ffn, d)
        self.ln2 = nn.LayerNorm(d)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(x).view(b, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4).unbind(0)
        a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, s, d)
        x = self.ln1(x + self.out(a))
        return self.ln2(x + self.ffn2(F.gelu(self.ffn1(x))))


class BertEncoder(nn.Module):
    """BERT-base shape: token + position embeddings, 12 post-norm encoder layers."""

    def __init__(self, vocab=30522, d=768, heads=12, ffn=3072, layers=12, max_len=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        self.ln = nn.LayerNorm(d)
        self.layers = nn.ModuleList([BertLayer(d, heads, ffn) for _ in range(layers)])

    def forward(self, ids):
        pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        x = self.ln(self.tok(ids) + self.pos(pos))
        for layer in self.layers:
            x = layer(x)
        return x


def make_model(name):
    torch.manual_seed(0)
    if name == "bert_base":
        return BertEncoder().eval(), torch.randint(0, 30522, (1, 128), generator=torch.Generator().manual_seed(1))
    import torchvision
    model = getattr(torchvision.models, name)(weights=None).eval()
    return model, torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))


def prepare(workdir, names):
    """TorchScript file, input .npy and the eager module for each model (files reused when present)."""
    os.makedirs(workdir, exist_ok=True)
    out = {}
    for name in names:
        model, x = make_model(name)
        path, inp = os.path.join(workdir, f"{name}.pt"), os.path.join(workdir, f"{name}_input.npy")
        if not os.path.exists(path):
            with torch.no_grad():
                try:
                    scripted = torch.jit.script(model)
                except Exception as e:  # noqa: BLE001  (fall back to tracing)
                    print(f"{name}: script failed ({type(e).__name__}), tracing", file=sys.stderr)
                    scripted = torch.jit.trace(model, (x,))
            scripted.save(path)
        np.save(inp, x.numpy())
        out[name] = (model, torch.jit.load(path), x, path, inp)
    return out


def torch_median(fn, warmup, repeat, clock=time.perf_counter):
    """Median milliseconds of `repeat` calls after `warmup` untimed ones, on `clock` (wall by default)."""
    with torch.inference_mode():
        for _ in range(warmup):
            fn()
        times = []
        for _ in range(repeat):
            t0 = clock()
            fn()
            times.append((clock() - t0) * 1e3)
    return statistics.median(times)


def children_cpu_s():
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def ptscope_run(binary, path, inp, threads, warmup, repeat):
    """The profile JSON and the CPU seconds the process used."""
    cmd = [binary, "profile", path, "--device", "cpu", "--threads", str(threads), "--json", "--warmup", str(warmup),
           "--repeat", str(repeat), "--input-file", inp]
    c0 = children_cpu_s()
    p = subprocess.run(cmd, capture_output=True, text=True)
    cpu = children_cpu_s() - c0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()[-2000:]}")
    return json.loads(p.stdout), cpu


def peak_gemm(kbinary, threads, min_ms=300):
    """GFLOP/s of our sgemm and of torch.mm on 1024^3 and 2048^3 at `threads` threads."""
    res = {}
    specs = [(f"sgemm_{n}", "sgemm", [n, n, n]) for n in (1024, 2048)]
    cpu = threads == 1  # thread CPU time at one thread, like the latencies
    ours = kernels_bench.run_ours(kbinary, threads, 3, min_ms, specs, cpu)
    torch.set_num_threads(threads)
    for name, _, (n, _, _) in specs:
        a, b = torch.randn(n, n), torch.randn(n, n)
        t = kernels_bench.run_torch(lambda: torch.mm(a, b), 3, min_ms, cpu)
        res[n] = (2 * n ** 3 / ours[name] / 1e6, 2 * n ** 3 / t / 1e6)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ptscope", default=os.path.join(kernels_bench.ROOT, "build", "ptscope"))
    ap.add_argument("--kernels-binary", help="a built bench/kernels_bench.cpp (default: build it like kernels_bench.py)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--workdir", default="/tmp/ptscope-exec-bench")
    ap.add_argument("--markdown")
    ap.add_argument("--slowest", type=int, default=0, help="list each model's K slowest ptscope nodes")
    args = ap.parse_args()
    names = args.models.split(",")
    models = prepare(args.workdir, names)
    kbinary = kernels_bench.build(args.kernels_binary)
    rows, peaks, slow = [], {}, {}
    for threads in [int(t) for t in args.threads.split(",")]:
        best = {n: [math.inf, math.inf, math.inf] for n in names}  # torch eager, torch script, ptscope
        cpu_best = {n: [math.inf, math.inf] for n in names}  # torch, ptscope (one thread only)
        loads = {n: [] for n in names}
        for rnd in range(args.rounds):
            for name in names:
                model, scripted, x, path, inp = models[name]
                loads[name].append(os.getloadavg()[0])
                torch.set_num_threads(threads)
                sides = ["torch", "ptscope"] if rnd % 2 == 0 else ["ptscope", "torch"]
                for side in sides:
                    if side == "torch":
                        best[name][0] = min(best[name][0], torch_median(lambda: model(x), args.warmup, args.repeat))
                        best[name][1] = min(best[name][1], torch_median(lambda: scripted(x), args.warmup, args.repeat))
                        if threads == 1:
                            fn = model if best[name][0] <= best[name][1] else scripted
                            cpu_best[name][0] = min(cpu_best[name][0], torch_median(lambda: fn(x), 1, args.repeat, clock=time.thread_time))
                    else:
                        r, cpu = ptscope_run(args.ptscope, path, inp, threads, args.warmup, args.repeat)
                        best[name][2] = min(best[name][2], r["totals"]["latency_ms_median"])
                        slow[(threads, name)] = r
                        if threads == 1:
                            _, cpu1 = ptscope_run(args.ptscope, path, inp, threads, args.warmup, 1)
                            per_run = (cpu - cpu1) * 1e3 / (2 * (args.repeat - 1))
                            cpu_best[name][1] = min(cpu_best[name][1], per_run)
                print(f"threads {threads} round {rnd + 1} {name}: torch {min(best[name][:2]):.2f} ms, "
                      f"ptscope {best[name][2]:.2f} ms", file=sys.stderr)
        for name in names:
            rows.append((threads, name, best[name][0], best[name][1], best[name][2],
                         min(loads[name]), max(loads[name]), cpu_best[name] if threads == 1 else None))
        peaks[threads] = peak_gemm(kbinary, threads)
    head = (f"{kernels_bench.isa_line()}; torch {torch.__version__} ({sys.executable}), {os.cpu_count()} CPUs; "
            f"best of {args.rounds} "
            f"alternating rounds of median-of-{args.repeat} after {args.warmup} warm-up runs")
    lines = [head, "", "| threads | model | torch eager ms | torch script ms | ptscope ms | ratio (wall) "
             "| torch CPU ms | ptscope CPU ms | ratio (CPU time) | load avg |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    ratios, cpu_ratios = {}, []
    for threads, name, te, ts, pt, l0, l1, cpu in rows:
        r = pt / min(te, ts)
        ratios.setdefault(threads, []).append(r)
        cpu_cols = "| | |"
        if cpu:
            cpu_ratios.append(cpu[1] / cpu[0])
            cpu_cols = f"{cpu[0]:.2f} | {cpu[1]:.2f} | {cpu[1] / cpu[0]:.2f} |"
        lines.append(f"| {threads} | {name} | {te:.2f} | {ts:.2f} | {pt:.2f} | {r:.2f} | {cpu_cols} {l0:.1f}-{l1:.1f} |")
    lines.append("")

    def summary(rs):
        return f"geometric mean {math.exp(sum(map(math.log, rs)) / len(rs)):.2f}, worst {max(rs):.2f}"
    for threads, rs in ratios.items():
        lines.append(f"threads {threads} (wall clock): {summary(rs)}")
    if cpu_ratios:
        lines.append(f"threads 1 (CPU time): {summary(cpu_ratios)}")
    for threads, p in peaks.items():
        lines.append(f"peak GEMM, {threads} thread(s): " + ", ".join(
            f"{n}^3 ptscope {a:.1f} / torch {b:.1f} GFLOP/s" for n, (a, b) in p.items()))
    if args.slowest:
        for (threads, name), r in sorted(slow.items()):
            lines.append(f"\nslowest ptscope nodes, {name}, {threads} thread(s) "
                         f"(latency {r['totals']['latency_ms_median']:.2f} ms, node sum {r['totals']['node_sum_ms']:.2f} ms):")
            for n in sorted(r["nodes"], key=lambda n: -n["time_us_median"])[:args.slowest]:
                lines.append(f"  {n['time_us_median']:9.1f} us {n['gflops_achieved']:6.1f} GFLOP/s  {n['op']:<32} "
                             f"{n['output_shapes']}  {n['scope']}")
    print("\n".join(lines))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
