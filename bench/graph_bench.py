#!/usr/bin/env python3
"""Graph construction time: `ptscope graph` against torch.jit.load + inlined_graph.

    /usr/bin/python3 bench/graph_bench.py [--ptscope build/ptscope] [--repeat 5] [--keep DIR]

Writes two full-size models with random weights into a temporary directory (or --keep DIR):
  resnet50.pt   torchvision ResNet-50, scripted (~100 MB)
  bert_base.pt  BERT-base-size encoder: token + position embeddings, 12-layer nn.TransformerEncoder
                (d=768, 12 heads, 3072 hidden, GELU), pooler; scripted (~440 MB)
then times, on the same machine:
  ptscope  `ptscope graph FILE --json` as a process: open the file, run forward on shapes
           (input inferred), emit the graph with per-node shapes and FLOPs
  torch    torch.jit.load(FILE) followed by reading module.inlined_graph, in a warm
           Python process (import time excluded)
Each is run --repeat times; the median is reported with the ratio torch / ptscope.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch

from bert_like import BertLike


def make_models(directory):
    import torchvision
    torch.manual_seed(0)
    paths = {}
    for name, ctor in [("resnet50", torchvision.models.resnet50), ("bert_base", lambda: BertLike(dropout=0.1, enable_nested_tensor=True))]:
        path = os.path.join(directory, name + ".pt")
        if not os.path.exists(path):
            torch.jit.save(torch.jit.script(ctor().eval()), path)
        paths[name] = path
    return paths


def time_ptscope(binary, path, repeat):
    times, nodes, macs = [], None, 0.0
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = subprocess.run([binary, "graph", path, "--json"], check=True, capture_output=True, text=True).stdout
        times.append(time.perf_counter() - t0)
        doc = json.loads(out)
        nodes = len(doc["nodes"])
        macs = doc["totals"]["macs"]
    return statistics.median(times), nodes, macs


def time_torch(path, repeat):
    times, nodes = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        module = torch.jit.load(path)
        graph = module.inlined_graph
        times.append(time.perf_counter() - t0)
        nodes = sum(1 for _ in graph.nodes())
    return statistics.median(times), nodes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--ptscope", default=os.path.join(root, "build", "ptscope"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="directory for the generated models (kept between runs)")
    args = parser.parse_args()
    if not os.path.exists(args.ptscope):
        sys.exit(f"no ptscope binary at {args.ptscope} (build first, or pass --ptscope)")

    directory = args.keep or tempfile.mkdtemp(prefix="ptscope_graph_bench_")
    os.makedirs(directory, exist_ok=True)
    paths = make_models(directory)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {os.cpu_count()} CPUs, median of {args.repeat}")
    print(f"{'model':<10} {'size':>9} {'ptscope':>10} {'torch':>10} {'ratio':>7}  notes")
    for name, path in paths.items():
        ours, n_nodes, macs = time_ptscope(args.ptscope, path, args.repeat)
        theirs, t_nodes = time_torch(path, args.repeat)
        size = os.path.getsize(path) / 2**20
        print(f"{name:<10} {size:>7.0f}MB {ours * 1e3:>8.1f}ms {theirs * 1e3:>8.1f}ms {theirs / ours:>6.1f}x  "
              f"ptscope {n_nodes} ops with shapes ({macs / 1e9:.2f} GMACs); torch {t_nodes} top-level nodes, no shapes")
    if not args.keep:
        for p in paths.values():
            os.remove(p)
        os.rmdir(directory)


if __name__ == "__main__":
    main()
