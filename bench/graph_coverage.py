#!/usr/bin/env python3
"""Coverage matrix of `ptscope graph` over torchvision's classification families.

For every model in TORCHVISION_MODELS, both `torch.jit.script` and `torch.jit.trace`,
written by torch 1.13 (/usr/bin/python3) and by torch 2.x (.venv-torch2), this script

  1. builds the model with zero-stride one-element weights (fixtures/make_graph_fixtures.py's
     `shrink`), records every module's output shapes with forward hooks on the eager model and
     saves the archive (work dir, default /tmp/ptscope-coverage);
  2. counts FLOPs with torch 2.x FlopCounterMode running torch.jit.load(archive);
  3. runs `ptscope graph --json --input ...` on the archive and compares the final shape, every
     module's output shapes (all calls, in order) and the FLOP/MAC totals.

Run from the repository root after building ptscope:

    /usr/bin/python3 bench/graph_coverage.py --ptscope build/ptscope [--only resnet18 ...]
                                             [--markdown matrix.md]

The steps run in the right interpreter by themselves (`--generate` and `--flops` are the
internal entry points); .venv-torch2 needs torchvision (`pip install --no-deps torchvision`,
plus numpy and pillow). Archives already in the work dir are reused. Exit status 1 when any
cell fails. The last result is the table in docs/graph.md ("Coverage").
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "fixtures"))
TORCH1 = "/usr/bin/python3"
TORCH2 = os.path.join(ROOT, ".venv-torch2", "bin", "python")

# family, torchvision constructor, input height/width
TORCHVISION_MODELS = [
    ("resnet", "resnet18", 224), ("resnet", "resnet50", 224), ("resnet", "resnext50_32x4d", 224),
    ("resnet", "wide_resnet50_2", 224),
    ("vgg", "vgg11_bn", 224), ("vgg", "vgg16", 224),
    ("mobilenet", "mobilenet_v2", 224), ("mobilenet", "mobilenet_v3_small", 224),
    ("mobilenet", "mobilenet_v3_large", 224),
    ("efficientnet", "efficientnet_b0", 224), ("efficientnet", "efficientnet_v2_s", 224),
    ("densenet", "densenet121", 224),
    ("squeezenet", "squeezenet1_0", 224), ("squeezenet", "squeezenet1_1", 224),
    ("shufflenet", "shufflenet_v2_x1_0", 224),
    ("convnext", "convnext_tiny", 224),
    ("regnet", "regnet_x_400mf", 224), ("regnet", "regnet_y_400mf", 224),
    ("vit", "vit_b_16", 224),
    ("swin", "swin_t", 224),
    ("inception", "inception_v3", 299),
    ("googlenet", "googlenet", 224),
    ("alexnet", "alexnet", 224),
    ("mnasnet", "mnasnet0_5", 224), ("mnasnet", "mnasnet1_0", 224),
]
KINDS = ("script", "trace")


def construct(name):
    """The model with uninitialised weights: `shrink` replaces them anyway, and random
    initialisation of 100M+ parameters is most of the generation time."""
    import torch
    import torchvision
    ctor = getattr(torchvision.models, name)
    kwargs = {}
    if name in ("inception_v3", "googlenet"):
        kwargs = {"init_weights": False, "aux_logits": True}
    skipped = {}
    for fn in ("uniform_", "normal_", "trunc_normal_", "kaiming_uniform_", "kaiming_normal_",
               "xavier_uniform_", "xavier_normal_", "constant_", "zeros_", "ones_", "orthogonal_"):
        if hasattr(torch.nn.init, fn):
            skipped[fn] = getattr(torch.nn.init, fn)
            setattr(torch.nn.init, fn, lambda t, *a, **k: t)
    try:
        return ctor(**kwargs)
    finally:
        for fn, f in skipped.items():
            setattr(torch.nn.init, fn, f)


def generate(work, tag, only):
    """Archives + hook goldens with the running torch (tag t1 or t2)."""
    import warnings
    warnings.filterwarnings("ignore")
    import torch
    from make_graph_fixtures import shrink, module_shapes
    os.makedirs(work, exist_ok=True)
    for family, name, hw in TORCHVISION_MODELS:
        if only and name not in only and family not in only:
            continue
        stems = {kind: f"{name}_{kind}_{tag}" for kind in KINDS}
        if all(os.path.exists(os.path.join(work, s + ".golden.json")) for s in stems.values()):
            continue  # already generated (delete the work dir to start over)
        start = time.perf_counter()
        base = {"family": family, "model": name, "tag": tag, "torch_version": torch.__version__,
                "inputs": [{"shape": [1, 3, hw, hw], "dtype": "float32"}]}
        try:
            torch.manual_seed(0)
            model = shrink(construct(name)).eval()
            x = torch.randn(1, 3, hw, hw)
            with torch.no_grad():
                base["modules"], base["output_shape"] = module_shapes(model, [x])
        except Exception as e:
            model, base["torch_error"] = None, f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
        for kind, stem in stems.items():
            golden = dict(base, kind=kind)
            if model is not None:
                try:
                    if kind == "script":
                        archive = torch.jit.script(model)
                    else:
                        archive = torch.jit.trace(model, (x,), check_trace=False)
                    torch.jit.save(archive, os.path.join(work, stem + ".pt"))
                except Exception as e:  # a torch-side failure is a cell of its own
                    golden["torch_error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
            with open(os.path.join(work, stem + ".golden.json"), "w") as f:
                json.dump(golden, f)
            print(f"{stem}: {'error' if 'torch_error' in golden else 'ok'} "
                  f"({time.perf_counter() - start:.1f} s)", flush=True)


def count_flops(work, reverse=False):
    """torch 2.x FlopCounterMode over every archive of the work dir, on fake tensors (shapes only,
    no arithmetic; parameters are converted as the ops meet them)."""
    import warnings
    warnings.filterwarnings("ignore")
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    from torch._subclasses.fake_tensor import FakeTensorMode
    for file in sorted(os.listdir(work), reverse=reverse):
        if not file.endswith(".golden.json"):
            continue
        gpath = os.path.join(work, file)
        with open(gpath) as f:
            golden = json.load(f)
        archive = gpath[: -len(".golden.json")] + ".pt"
        if "torch_error" in golden or "flop_counter" in golden:
            continue
        torch.manual_seed(0)
        model = torch.jit.load(archive)
        x = torch.randn(*golden["inputs"][0]["shape"])
        try:
            with FakeTensorMode(allow_non_fake_inputs=True) as fake:
                with FlopCounterMode(display=False) as counter:
                    model(fake.from_tensor(x))
        except Exception:  # an op that needs values (aten::equal in shufflenet's trace): real tensors
            with FlopCounterMode(display=False) as counter:
                model(x)
        total = int(counter.get_total_flops())
        with open(gpath) as f:  # another --flops process may have counted it meanwhile
            golden = json.load(f)
        golden["flop_counter"] = {"flops": total, "macs": total // 2}
        with open(gpath, "w") as f:
            json.dump(golden, f)
        print(f"{file}: {total}", flush=True)


def compare(golden, report):
    """Failures (strings) of ptscope's JSON report against a golden."""
    problems = []
    final = report["outputs"][0]["shape"] if report.get("outputs") else None
    if final != golden["output_shape"]:
        problems.append(f"final shape {final} != {golden['output_shape']}")
    ours = {m["path"]: m["output_shapes"] for m in report["modules"]}
    checked = 0
    for path, shapes in golden["modules"].items():
        mine = ours.get(path, [])
        # Tracing turns identity modules (empty Sequential, Identity) into a forward() that
        # returns None: the traced archive computes nothing there.
        if golden["kind"] == "trace" and not mine:
            continue
        checked += 1
        if mine != shapes:
            problems.append(f"module '{path}': {mine[:3]} != {shapes[:3]}")
    if checked < 3:
        problems.append(f"only {checked} modules compared")
    fc = golden.get("flop_counter")
    if fc is None:
        problems.append("no FlopCounterMode count")
    elif int(report["totals"]["flops"]) != fc["flops"] or int(report["totals"]["macs"]) != fc["macs"]:
        problems.append(f"flops {int(report['totals']['flops'])} != {fc['flops']}")
    return problems, checked


def run_ptscope(ptscope, work, only):
    rows = []
    for file in sorted(os.listdir(work)):
        if not file.endswith(".golden.json"):
            continue
        with open(os.path.join(work, file)) as f:
            golden = json.load(f)
        if only and golden["model"] not in only and golden["family"] not in only:
            continue
        row = {"family": golden["family"], "model": golden["model"], "kind": golden["kind"],
               "tag": golden["tag"], "torch": golden["torch_version"]}
        if "torch_error" in golden:
            row.update(status="torch-fails", detail=golden["torch_error"])
            rows.append(row)
            continue
        archive = os.path.join(work, file[: -len(".golden.json")] + ".pt")
        shape = "x".join(str(d) for d in golden["inputs"][0]["shape"])
        start = time.perf_counter()
        proc = subprocess.run([ptscope, "graph", archive, "--json", "--input", shape],
                              capture_output=True, text=True)
        row["seconds"] = round(time.perf_counter() - start, 3)
        if proc.returncode != 0:
            row.update(status="FAIL", detail=proc.stderr.strip().splitlines()[-1][:300] if proc.stderr else "")
        else:
            report = json.loads(proc.stdout)
            problems, checked = compare(golden, report)
            row.update(modules=checked, nodes=report["totals"]["nodes"], macs=int(report["totals"]["macs"]),
                       status="ok" if not problems else "FAIL", detail="; ".join(problems)[:400])
        rows.append(row)
    return rows


def markdown(rows):
    """One line per model: a cell per (torch, kind), ok or the failure, and the MACs."""
    cells = {}
    for r in rows:
        cells.setdefault((r["family"], r["model"]), {})[(r["tag"], r["kind"])] = r
    lines = ["| family | model | torch 1.13 script | torch 1.13 trace | torch 2.x script | torch 2.x trace "
             "| modules checked | MACs (ptscope = FlopCounterMode) |",
             "|---|---|---|---|---|---|---|---|"]
    for (family, model), by in sorted(cells.items()):
        row = [family, model]
        for key in (("t1", "script"), ("t1", "trace"), ("t2", "script"), ("t2", "trace")):
            r = by.get(key)
            row.append("—" if r is None else "ok" if r["status"] == "ok" else f"**{r['status']}**: {r.get('detail', '')}")
        checked = sorted({r["modules"] for r in by.values() if "modules" in r})
        row.append("/".join(str(c) for c in checked))
        macs = sorted({r["macs"] for r in by.values() if "macs" in r})
        row.append(" / ".join(f"{m:,}" for m in macs))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/ptscope-coverage")
    parser.add_argument("--ptscope", default=os.path.join(ROOT, "build", "ptscope"))
    parser.add_argument("--only", nargs="*", help="model or family names")
    parser.add_argument("--generate", metavar="TAG", help="internal: write archives with this torch")
    parser.add_argument("--flops", action="store_true", help="internal: count FLOPs (torch 2.x)")
    parser.add_argument("--reverse", action="store_true", help="internal: --flops in reverse file order")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the archives of the work dir")
    parser.add_argument("--markdown", help="write the matrix as a markdown table here")
    args = parser.parse_args()
    only = set(args.only or [])
    if args.generate:
        generate(args.work, args.generate, only)
        return 0
    if args.flops:
        count_flops(args.work, args.reverse)
        return 0
    if not args.skip_generate:
        me = os.path.abspath(__file__)
        extra = ["--only", *only] if only else []
        for python, tag in ((TORCH1, "t1"), (TORCH2, "t2")):
            subprocess.run([python, me, "--work", args.work, "--generate", tag, *extra], check=True)
        subprocess.run([TORCH2, me, "--work", args.work, "--flops"], check=True)
    rows = run_ptscope(args.ptscope, args.work, only)
    table = markdown(rows)
    print(table)
    failed = [r for r in rows if r["status"] != "ok"]
    print(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
