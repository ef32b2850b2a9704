#!/usr/bin/env python3
"""Checkpoint-folder benchmark (issue 17 part 2): `ptscope info` on a Hugging
Face folder against loading its shards with torch / safetensors.

    /work/venv/bin/python bench/folder_bench.py [--build build] [--repeat 7]

Writes a GPT-2-shaped model (transformers GPT2LMHeadModel, n_embd 512, 8 layers,
vocabulary 32000: 41 M parameters, 165 MB float32) under /tmp/ptscope-folder-bench
as two folders: safetensors shards from save_pretrained(max_shard_size="50MB") and
the same shards as pytorch_model-0000N-of-0000M.bin (torch.save per shard, with
pytorch_model.bin.index.json). Then times, warm page cache, interleaved rounds,
medians, whole processes (interpreter/program start included on both sides):
  - `ptscope info --json DIR`
  - python: torch.load of every .bin shard (map_location="cpu"), or
    safetensors.torch.load_file of every safetensors shard, as transformers does;
  - the same python with mmap=True for torch.load (lazy, closest to what ptscope does);
  - and the same loads inside one Python process with torch already imported
    (start-up excluded for Python, not for ptscope: the ratio is a lower bound).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

OUT = "/tmp/ptscope-folder-bench"


def make_folders():
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    st_dir, bin_dir = f"{OUT}/hf_safetensors", f"{OUT}/hf_bin"
    if os.path.exists(f"{bin_dir}/pytorch_model.bin.index.json"):
        return st_dir, bin_dir
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=32000, n_positions=1024, n_embd=512, n_layer=8, n_head=8)
    model = GPT2LMHeadModel(cfg)
    model.save_pretrained(st_dir, max_shard_size="50MB")
    os.makedirs(bin_dir, exist_ok=True)
    with open(f"{st_dir}/model.safetensors.index.json") as f:
        index = json.load(f)
    import safetensors.torch
    shards = sorted(set(index["weight_map"].values()))
    weight_map = {}
    for i, s in enumerate(shards, 1):
        name = f"pytorch_model-{i:05d}-of-{len(shards):05d}.bin"
        sd = safetensors.torch.load_file(f"{st_dir}/{s}")
        torch.save(sd, f"{bin_dir}/{name}")
        weight_map.update({k: name for k in sd})
    with open(f"{bin_dir}/pytorch_model.bin.index.json", "w") as f:
        json.dump({"metadata": index["metadata"], "weight_map": weight_map}, f)
    return st_dir, bin_dir


PY_LOAD = {
    "torch.load": "import torch,glob,sys; [torch.load(p, map_location='cpu') for p in sorted(glob.glob(sys.argv[1]+'/*.bin'))]",
    "torch.load(mmap=True)": "import torch,glob,sys; [torch.load(p, map_location='cpu', mmap=True) for p in sorted(glob.glob(sys.argv[1]+'/*.bin'))]",
    "safetensors load_file": "import safetensors.torch,glob,sys; [safetensors.torch.load_file(p) for p in sorted(glob.glob(sys.argv[1]+'/*.safetensors'))]",
}


def timed(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def in_process(st_dir, bin_dir, repeat):
    """Load times inside one Python process, torch already imported (no start-up cost)."""
    import glob
    import safetensors.torch
    import torch
    bins = sorted(glob.glob(bin_dir + "/*.bin"))
    sts = sorted(glob.glob(st_dir + "/*.safetensors"))
    cases = {
        "in-process torch.load (bin)": lambda: [torch.load(p, map_location="cpu") for p in bins],
        "in-process torch.load mmap (bin)": lambda: [torch.load(p, map_location="cpu", mmap=True) for p in bins],
        "in-process load_file (safetensors)": lambda: [safetensors.torch.load_file(p) for p in sts],
    }
    times = {k: [] for k in cases}
    for fn in cases.values():
        fn()
    for _ in range(repeat):
        for k, fn in cases.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    st_dir, bin_dir = make_folders()
    ptscope = os.path.join(args.build, "ptscope")
    cases = {
        "bin: ptscope info": [ptscope, "info", "--json", bin_dir],
        "bin: torch.load": [sys.executable, "-c", PY_LOAD["torch.load"], bin_dir],
        "bin: torch.load(mmap=True)": [sys.executable, "-c", PY_LOAD["torch.load(mmap=True)"], bin_dir],
        "safetensors: ptscope info": [ptscope, "info", "--json", st_dir],
        "safetensors: load_file": [sys.executable, "-c", PY_LOAD["safetensors load_file"], st_dir],
        "python start (import torch)": [sys.executable, "-c", "import torch"],
    }
    for cmd in cases.values():
        timed(cmd)  # warm page cache and binaries
    times = {k: [] for k in cases}
    for _ in range(args.repeat):  # interleaved rounds
        for k, cmd in cases.items():
            times[k].append(timed(cmd))
    med = {k: statistics.median(v) for k, v in times.items()}
    med.update(in_process(st_dir, bin_dir, args.repeat))
    # ptscope in process (load_model + info JSON, bench/reader_bench.cpp), when built:
    # cmake --build build --target ptscope_reader_bench
    rb = os.path.join(args.build, "ptscope_reader_bench")
    if os.path.exists(rb):
        out = subprocess.run([rb, "21", bin_dir, st_dir], check=True, capture_output=True, text=True).stdout.split()
        med["in-process ptscope (bin)"] = float(out[1]) / 1e3
        med["in-process ptscope (safetensors)"] = float(out[4]) / 1e3
    for k, v in med.items():
        print(f"{k:32s} {v * 1e3:9.1f} ms")
    print(f"ratio torch.load / ptscope (bin)            {med['bin: torch.load'] / med['bin: ptscope info']:.1f}x")
    print(f"ratio torch.load(mmap) / ptscope (bin)      {med['bin: torch.load(mmap=True)'] / med['bin: ptscope info']:.1f}x")
    print(f"ratio load_file / ptscope (safetensors)     {med['safetensors: load_file'] / med['safetensors: ptscope info']:.1f}x")
    print(f"ratio in-process torch.load / ptscope process (bin)          "
          f"{med['in-process torch.load (bin)'] / med['bin: ptscope info']:.1f}x")
    print(f"ratio in-process torch.load mmap / ptscope process (bin)     "
          f"{med['in-process torch.load mmap (bin)'] / med['bin: ptscope info']:.1f}x")
    if "in-process ptscope (bin)" in med:
        print(f"ratio in-process torch.load / in-process ptscope (bin)       "
              f"{med['in-process torch.load (bin)'] / med['in-process ptscope (bin)']:.1f}x")
        print(f"ratio in-process torch.load mmap / in-process ptscope (bin)  "
              f"{med['in-process torch.load mmap (bin)'] / med['in-process ptscope (bin)']:.1f}x")
        print(f"ratio in-process load_file / in-process ptscope (safetensors) "
              f"{med['in-process load_file (safetensors)'] / med['in-process ptscope (safetensors)']:.1f}x")
    print(f"ratio in-process load_file / ptscope process (safetensors)   "
          f"{med['in-process load_file (safetensors)'] / med['safetensors: ptscope info']:.1f}x")


if __name__ == "__main__":
    main()
