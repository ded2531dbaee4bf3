#!/usr/bin/env python3
"""Per-layer medians and per-model sums of bench/he_matmul_bench's he/ring/ rows.

Usage: he_matmul_bench --benchmark_filter=he/ring/ --benchmark_out=ring.json \
           --benchmark_out_format=json
       scripts/he_ring_table.py ring.json [more runs.json ...]
Prints, per (ℓ, b) and layer, the bytes each way and each party's CPU time and the wall time
(medians of the 3 repetitions; with several files, the median over the files of those), then
the sum per model (LeNet5, AlexNet-CIFAR) as Markdown.
"""
import json
import statistics
import sys
from collections import defaultdict

COLUMNS = ("p1_sent_bytes", "p0_sent_bytes", "p0_cpu_ms", "p1_cpu_ms", "real_time")


def medians(path):
    rows = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name") != "median" or not b["run_name"].startswith("he/ring/"):
            continue
        config, layer = b["run_name"].split("/")[2:4]
        rows[(config, layer)] = {c: b[c] for c in COLUMNS}
    return rows


def main():
    runs = [medians(path) for path in sys.argv[1:]]
    rows = {key: {c: statistics.median(run[key][c] for run in runs) for c in COLUMNS}
            for key in runs[0]}
    head = "| config | layer | up (B, 1→0) | down (B, 0→1) | p0 cpu ms | p1 cpu ms | wall ms |"
    print(head)
    print("|---|---|---:|---:|---:|---:|---:|")
    sums = defaultdict(lambda: defaultdict(float))
    for (config, layer), r in sorted(rows.items()):
        print(f"| {config} | {layer} | {r['p1_sent_bytes']:.0f} | {r['p0_sent_bytes']:.0f} | "
              f"{r['p0_cpu_ms']:.1f} | {r['p1_cpu_ms']:.1f} | {r['real_time']:.1f} |")
        model = "LeNet5" if layer.startswith("lenet5") else "AlexNet-CIFAR"
        for c in COLUMNS:
            sums[(model, config)][c] += r[c]
    print()
    print("| model | config | up (MB) | down (MB) | p0 cpu ms | p1 cpu ms | wall ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (model, config), r in sorted(sums.items()):
        print(f"| {model} | {config} | {r['p1_sent_bytes'] / 1e6:.3f} | "
              f"{r['p0_sent_bytes'] / 1e6:.3f} | {r['p0_cpu_ms']:.1f} | {r['p1_cpu_ms']:.1f} | "
              f"{r['real_time']:.1f} |")


if __name__ == "__main__":
    main()
