#!/usr/bin/env python3
"""`.pt2` reader benchmark (issue 17): ptscope against torch.export.load.

Run with the venv's torch 2.15: /work/venv/bin/python bench/pt2_bench.py [--build build] [--repeat N]
Exports a GPT-style decoder (dynamic sequence dim) and torchvision resnet50 (random init) with
torch.export.save under /tmp/ptscope-bench-pt2, then times, in interleaved rounds (warm page
cache, medians):
  - in-process: torch.export.load inside Python against ptscope's load_model + info JSON inside
    C++ (bench/reader_bench.cpp, which reads any file kind);
  - whole process: `python -c "import torch; torch.export.load(f)"` against
    `ptscope info --json f` (process start included for both).
torch.export.load also deserializes the graph into an fx GraphModule and rebuilds fake tensors;
ptscope's info reads the program JSON, validates it and maps the weights without copying.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OUT = "/tmp/ptscope-bench-pt2"


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.h, c // self.h).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, c)
        x = x + self.proj(y)
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, vocab=8192, d=512, layers=8, heads=8, ctx=512):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for b in self.blocks:
            x = b(x)
        return self.lm_head(self.ln_f(x))


def make_models():
    os.makedirs(OUT, exist_ok=True)
    paths = {}
    gpt = os.path.join(OUT, "gpt_8x512.pt2")
    if not os.path.exists(gpt):
        seq = torch.export.Dim("seq", min=2, max=512)
        ep = torch.export.export(GPT().eval(), (torch.randint(0, 8192, (1, 64)),), dynamic_shapes={"idx": {1: seq}})
        torch.export.save(ep, gpt)
    paths["gpt_8x512"] = gpt
    rn = os.path.join(OUT, "resnet50.pt2")
    if not os.path.exists(rn):
        ep = torch.export.export(torchvision.models.resnet50().eval(), (torch.randn(1, 3, 224, 224),))
        torch.export.save(ep, rn)
    paths["resnet50"] = rn
    return paths


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    subprocess.run(["cmake", "--build", args.build, "--target", "ptscope", "ptscope_reader_bench"], check=True,
                   stdout=subprocess.DEVNULL)
    ptscope = os.path.join(args.build, "ptscope")
    bench = os.path.join(args.build, "ptscope_reader_bench")
    paths = make_models()
    print(f"torch {torch.__version__}, {os.cpu_count()} CPUs")
    print(f"{'model':12} {'MiB':>7} {'torch.export.load':>18} {'ptscope load+info':>18} {'ratio':>7}"
          f" {'python proc':>12} {'ptscope proc':>13} {'ratio':>7}")
    for name, path in paths.items():
        mib = os.path.getsize(path) / 2**20
        torch_in, ours_in, torch_proc, ours_proc = [], [], [], []
        torch.export.load(path)  # warm the page cache and torch's lazy imports
        for _ in range(args.repeat):  # interleaved rounds
            torch_in.append(timed(lambda: torch.export.load(path)))
            out = subprocess.run([bench, "3", path], check=True, capture_output=True, text=True).stdout
            ours_in.append(float(out.split()[1]) / 1e3)
            torch_proc.append(timed(lambda: subprocess.run(
                [sys.executable, "-c", f"import torch; torch.export.load({path!r})"], check=True,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
            ours_proc.append(timed(lambda: subprocess.run([ptscope, "info", "--json", path], check=True,
                                                          stdout=subprocess.DEVNULL)))
        ti, oi = statistics.median(torch_in), statistics.median(ours_in)
        tp, op = statistics.median(torch_proc), statistics.median(ours_proc)
        print(f"{name:12} {mib:7.1f} {ti * 1e3:15.1f} ms {oi * 1e3:15.2f} ms {ti / oi:6.0f}x"
              f" {tp * 1e3:9.0f} ms {op * 1e3:10.1f} ms {tp / op:6.0f}x")


if __name__ == "__main__":
    main()
