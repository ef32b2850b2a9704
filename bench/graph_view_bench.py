#!/usr/bin/env python3
"""Time the HTML graph view in headless Chromium: layout + drawing of every op of a model.

    python3 bench/graph_view_bench.py [build/ptscope] [fixtures/arch/gpt_explicit_deep.pt] [rounds]

Writes the model's report, loads it with #selftest at 1400x1000 `rounds` times and prints the
median of the page's own timings (checks.graph_expand_all_ms: build the visible graph, lay out
and draw all ops; checks.graph_render_ms: the last render, the default collapsed view).
Standard library only.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile


def main():
    ptscope = sys.argv[1] if len(sys.argv) > 1 else "build/ptscope"
    model = sys.argv[2] if len(sys.argv) > 2 else "fixtures/arch/gpt_explicit_deep.pt"
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    work = tempfile.mkdtemp(prefix="ptscope_graph_bench_")
    page = os.path.join(work, "report.html")
    subprocess.run([ptscope, "analyze", model, "--format", "html", "--no-save", "-o", page], check=True,
                   stderr=subprocess.DEVNULL)
    expand, render, nodes = [], [], None
    for _ in range(rounds):
        dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                              "--no-first-run", "--user-data-dir=" + os.path.join(work, "profile"),
                              "--window-size=1400,1000", "--dump-dom", "file://" + page + "#selftest"],
                             capture_output=True, text=True, timeout=120).stdout
        m = re.search(r'<pre id="selftest-verdict">(.*?)</pre>', dom, re.S)
        v = json.loads(m.group(1).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&"))
        expand.append(v["checks"]["graph_expand_all_ms"])
        render.append(v["checks"]["graph_render_ms"])
        nodes = v["checks"]["graph_nodes_drawn"]
    print(f"{model}: {nodes} ops; expand-all layout+draw median {statistics.median(expand)} ms "
          f"(all {expand}); collapsed render median {statistics.median(render)} ms (all {render})")


if __name__ == "__main__":
    main()
