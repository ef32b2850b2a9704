#!/usr/bin/env python3
"""Runs ptscope audit, picklescan, fickling and modelscan over the malicious
samples (and optionally a benign corpus) and prints a Markdown table of what
each one says. Nothing is ever unpickled here: every tool only scans.

    .venv-torch2/bin/pip install picklescan fickling modelscan
    .venv-torch2/bin/python bench/compare_scanners.py build/ptscope \
        [--benign ../shared/corpus] > /tmp/table.md

Each tool runs in its own process with a timeout per file, so that a hang or
a crash on one sample is recorded as such. Cells: "dangerous"/"suspicious"
(or the tool's own grade), "clean" (a miss on a malicious sample), "error"
(the tool gave up: fails closed only if the CI treats errors as failures),
"timeout".
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TIMEOUT = 120

PICKLESCAN = r"""
import sys
from picklescan.scanner import scan_file_path
r = scan_file_path(sys.argv[1])
if r.scan_err: print("error")
elif r.infected_files or r.issues_count: print("dangerous")
elif getattr(r, "suspicious_count", 0): print("suspicious")
else: print("clean")
"""

FICKLING = r"""
import sys, fickling
r = fickling.scan_file(sys.argv[1], graceful=True)
name = r.severity.name.lower()
if r.is_safe: print("error" if r.errors else "clean")
else: print(name + (" (+errors)" if r.errors else ""))
"""


def run(cmd, cwd=None):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd)
    except subprocess.TimeoutExpired:
        return None, "", ""
    return p.returncode, p.stdout, p.stderr


def ptscope(binary, path):
    rc, out, _ = run([binary, "audit", path, "--format", "json"])
    if rc is None:
        return "timeout"
    try:
        files = json.loads(out)["files"]
        return files[0]["verdict"]
    except (ValueError, KeyError, IndexError):
        return f"error (exit {rc})"


def python_tool(script, path):
    rc, out, err = run([sys.executable, "-c", script, path])
    if rc is None:
        return "timeout"
    if rc != 0:
        return "crash"
    return out.strip().splitlines()[-1] if out.strip() else "error"


def modelscan(path):
    exe = os.path.join(os.path.dirname(sys.executable), "modelscan")
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "r.json")
        rc, _, _ = run([exe, "scan", "-p", path, "-r", "json", "-o", report], cwd=tmp)
        if rc is None:
            return "timeout"
        try:
            with open(report) as f:
                r = json.load(f)
        except (OSError, ValueError):
            return f"error (exit {rc})"
    by = r["summary"]["total_issues_by_severity"]
    for level in ("CRITICAL", "HIGH", "MEDIUM", "LOW"):
        if by.get(level):
            return level.lower()
    if r.get("errors"):
        return "error"
    if not r["summary"].get("scanned", {}).get("total_scanned"):
        return "skipped"
    return "clean"


# Cells that call a file an attack (each tool's top grades).
DANGEROUS_CELLS = {"dangerous", "critical", "high", "likely_overtly_malicious", "overtly_malicious"}


def outcome(cell):
    """flagged, error (the tool gave up, or crashed) or missed."""
    if cell in ("clean", "skipped"):
        return "missed"
    if cell.startswith("error") or cell in ("crash", "timeout"):
        return "error"
    return "flagged"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ptscope")
    ap.add_argument("--benign", help="a directory of benign model files (false-positive count)")
    ap.add_argument("--set", default="malicious", choices=["malicious", "adversarial"],
                    help="fixtures/malicious (bypass classes) or fixtures/adversarial (issue 15)")
    args = ap.parse_args()
    mal_dir = os.path.join(ROOT, "fixtures", args.set)
    with open(os.path.join(mal_dir, "MANIFEST.json")) as f:
        manifest = json.load(f)
    tools = [("ptscope", lambda p: ptscope(args.ptscope, p)), ("picklescan", lambda p: python_tool(PICKLESCAN, p)),
             ("fickling", lambda p: python_tool(FICKLING, p)), ("modelscan", modelscan)]
    print("| sample | bypass | " + " | ".join(t for t, _ in tools) + " |")
    print("|---|---|" + "---|" * len(tools))
    totals = {t: {"flagged": 0, "error": 0, "missed": 0, "benign_dangerous": 0} for t, _ in tools}
    malicious = [n for n in manifest if manifest[n].get("expect", "dangerous") in ("dangerous", "error")]
    benign = [n for n in manifest if n not in malicious]
    for name in sorted(manifest):
        cells = [fn(os.path.join(mal_dir, name)) for _, fn in tools]
        for (t, _), c in zip(tools, cells):
            if name in malicious:
                totals[t][outcome(c)] += 1
            elif c in DANGEROUS_CELLS:  # a look-alike graded as an attack
                totals[t]["benign_dangerous"] += 1
        m = manifest[name]
        what = m.get("bypass") or f"{m['class']}: {m['note']} (expected {m['expect']})"
        print(f"| `{name}` | {what} | " + " | ".join(cells) + " |")
    for what in ("flagged", "error", "missed"):
        print(f"| **{what}** | | " + " | ".join(f"**{totals[t][what]}/{len(malicious)}**" for t, _ in tools) + " |")
    if benign:
        print("| **benign graded as an attack** | | " +
              " | ".join(f"**{totals[t]['benign_dangerous']}/{len(benign)}**" for t, _ in tools) + " |")
    if args.benign:
        files = sorted(os.path.join(args.benign, n) for n in os.listdir(args.benign)
                       if os.path.isfile(os.path.join(args.benign, n)) and not n.endswith((".tsv", ".md", ".json")))
        flagged = {t: [] for t, _ in tools}
        for path in files:
            for t, fn in tools:
                c = fn(path)
                if c not in ("clean", "skipped"):
                    flagged[t].append(f"{os.path.basename(path)}: {c}")
        print(f"\nBenign files ({len(files)}) not reported clean:\n")
        for t, _ in tools:
            print(f"- {t}: {len(flagged[t])}" + ("" if not flagged[t] else " — " + "; ".join(flagged[t][:8]) +
                                                  (" …" if len(flagged[t]) > 8 else "")))


if __name__ == "__main__":
    main()
