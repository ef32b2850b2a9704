#!/usr/bin/env python3
"""GPU latency: `ptscope profile --device cuda` against PyTorch eager CUDA on the same GPU.

    python3 bench/cuda_bench.py [--ptscope build-cuda/ptscope] [--batches 1 32] [--repeat 20]
                                [--models resnet50 vit_b_16 bert_base] [--keep DIR] [--markdown FILE]

Needs a CUDA GPU, torch with CUDA and torchvision (the venv's torch 2.x, for example), and a
ptscope built with the CUDA executor (docs/cuda.md). For each model and batch size it

  1. writes the model scripted with random weights (torchvision ResNet-50 and ViT-B/16, and a
     BERT-base-size encoder: 12 layers, d=768, 12 heads, GELU, sequence 128) and a random input (.npy);
  2. runs `ptscope profile FILE --device cuda --input-file IN --output-file OUT --json` and reads
     the end-to-end median latency (ptscope's CUDA-event timing of a whole forward pass);
  3. runs the same model and input in PyTorch eager on the GPU (fp32, TF32 off for both cuBLAS
     and cuDNN, cudnn.benchmark on, like ptscope's measured algorithm choice), median of
     --repeat forward passes timed with CUDA events after warm-up; and a CUDA-graph replay of
     the same forward as a second reference;
  4. compares ptscope's output with torch's (relative L2; the issue's bar is 1e-4 for fp32).

Prints a table (ratio = ptscope / torch eager; < 1 means ptscope is faster) and the ops that
ptscope ran on host copies instead of the GPU (from the profile's notes). Nothing here runs
without a GPU.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import torch

from bert_like import BertLike


def make_model(name):
    import torchvision

    torch.manual_seed(0)
    if name == "resnet50":
        return torchvision.models.resnet50(weights=None).eval(), "image"
    if name == "vit_b_16":
        return torchvision.models.vit_b_16(weights=None).eval(), "image"
    if name == "bert_base":
        return BertLike().eval(), "tokens"
    raise SystemExit(f"unknown model {name}")


def make_input(kind, batch, seed):
    g = torch.Generator().manual_seed(seed)
    if kind == "image":
        return torch.randn(batch, 3, 224, 224, generator=g)
    return torch.randint(0, 30522, (batch, 128), generator=g)


def torch_times(model, x, repeat, warmup=5):
    """Median ms of eager forward passes and of CUDA-graph replays (CUDA events)."""
    with torch.no_grad():
        for _ in range(warmup):
            model(x)
        torch.cuda.synchronize()
        eager = []
        for _ in range(repeat):
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            model(x)
            e.record()
            e.synchronize()
            eager.append(s.elapsed_time(e))
        graph_ms = None
        try:
            stream = torch.cuda.Stream()
            stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(stream):
                for _ in range(3):
                    model(x)
            torch.cuda.current_stream().wait_stream(stream)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                model(x)
            replays = []
            for _ in range(repeat):
                s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                s.record()
                graph.replay()
                e.record()
                e.synchronize()
                replays.append(s.elapsed_time(e))
            graph_ms = statistics.median(replays)
        except Exception as err:  # some models do not capture (host syncs): report eager only
            print(f"  (CUDA graph capture failed: {err})", file=sys.stderr)
        return statistics.median(eager), graph_ms


def rel_l2(a, b):
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ptscope", default="build-cuda/ptscope")
    ap.add_argument("--models", nargs="+", default=["resnet50", "vit_b_16", "bert_base"])
    ap.add_argument("--batches", nargs="+", type=int, default=[1, 32])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--keep", help="write models and inputs here instead of a temporary directory")
    ap.add_argument("--markdown", help="append the result table to this file")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device: this benchmark needs a GPU")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    device_name = torch.cuda.get_device_name(0)

    work = args.keep or tempfile.mkdtemp(prefix="ptscope_cuda_bench_")
    os.makedirs(work, exist_ok=True)
    rows, off_device = [], {}
    for name in args.models:
        model, kind = make_model(name)
        path = os.path.join(work, f"{name}.pt")
        if not os.path.exists(path):
            torch.jit.script(model).save(path)
        gpu_model = model.cuda()
        for batch in args.batches:
            x = make_input(kind, batch, seed=batch)
            in_path = os.path.join(work, f"{name}_b{batch}.in.npy")
            out_path = os.path.join(work, f"{name}_b{batch}.out.bin")
            np.save(in_path, x.numpy())
            spec = f"{batch}x3x224x224" if kind == "image" else f"{batch}x128:int64"
            cmd = [args.ptscope, "profile", path, "--device", "cuda", "--input", spec, "--input-file", in_path,
                   "--output-file", out_path, "--warmup", "3", "--repeat", str(args.repeat), "--json"]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{name} b{batch}: ptscope failed: {proc.stderr.strip()}", file=sys.stderr)
                continue
            prof = json.loads(proc.stdout)
            ours = prof["totals"]["latency_ms_median"]
            for note in prof.get("notes", []):
                if note.startswith("ran the CPU kernel on host copies"):
                    off_device[f"{name} b{batch}"] = note
            eager, graph = torch_times(gpu_model, x.cuda(), args.repeat)
            with torch.no_grad():
                want = gpu_model(x.cuda()).float().cpu().numpy()
            got = np.fromfile(out_path, dtype=np.float32)
            rows.append((name, batch, ours, eager, graph, rel_l2(got, want), prof.get("device_description", "")))

    lines = [f"GPU: {device_name} (fp32, TF32 off)", "",
             "| model | batch | ptscope eager (ms) | torch eager (ms) | ratio | torch CUDA graph (ms) | rel L2 vs torch |",
             "|---|---|---|---|---|---|---|"]
    for name, batch, ours, eager, graph, err, _ in rows:
        g = f"{graph:.3f}" if graph is not None else "n/a"
        lines.append(f"| {name} | {batch} | {ours:.3f} | {eager:.3f} | {ours / eager:.2f} | {g} | {err:.2e} |")
    if off_device:
        lines += ["", "Ops run on host copies (not on the GPU):"] + [f"- {k}: {v}" for k, v in off_device.items()]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
