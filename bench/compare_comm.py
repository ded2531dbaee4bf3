#!/usr/bin/env python3
"""compare_comm.py RESULT.json [MORE.json ...]: reads comm_bench's Google Benchmark JSON and prints,
per pattern and size, the median time of every backend and the ratios the foundation issue asks
about: mpi / raw_mpi, gloo / raw_gloo, and hybrid / min(mpi, gloo). With several files (runs of
the same benchmark), each figure is the median over the runs of each run's median: one noisy run
on a shared 2-core machine then cannot decide a ratio."""
import json
import statistics
import sys
from collections import defaultdict


def medians(path):
    with open(path) as f:
        data = json.load(f)
    out = defaultdict(dict)  # (pattern, bytes) -> backend -> microseconds
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        _, pattern, backend, rest = b["run_name"].split("/", 3)
        size = int(rest.split("/")[0])
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b["time_unit"]]
        out[(pattern, size)][backend] = b["real_time"] * scale
    return data.get("context", {}), out


def main():
    runs = [medians(path) for path in sys.argv[1:]]
    context = runs[0][0]
    samples = defaultdict(lambda: defaultdict(list))
    for _, table_of_run in runs:
        for key, by_backend in table_of_run.items():
            for backend, t in by_backend.items():
                samples[key][backend].append(t)
    table = {k: {b: statistics.median(v) for b, v in bb.items()} for k, bb in samples.items()}
    print(f"{len(runs)} run(s)")
    print(f"hybrid threshold: {context.get('hybrid_threshold_bytes', '?')}")
    print(f"{'pattern':10} {'bytes':>9} {'raw_mpi':>9} {'mpi':>9} {'raw_gloo':>9} {'gloo':>9} "
          f"{'hybrid':>9} | {'mpi/raw':>7} {'gloo/raw':>8} {'hyb/best':>8}")
    worst = defaultdict(float)
    for (pattern, size) in sorted(table, key=lambda k: (k[0], k[1])):
        t = table[(pattern, size)]
        if not all(k in t for k in ("raw_mpi", "mpi", "raw_gloo", "gloo", "hybrid")):
            continue
        r_mpi = t["mpi"] / t["raw_mpi"]
        r_gloo = t["gloo"] / t["raw_gloo"]
        r_hyb = t["hybrid"] / min(t["mpi"], t["gloo"])
        for name, r in (("mpi/raw", r_mpi), ("gloo/raw", r_gloo), ("hyb/best", r_hyb)):
            worst[(pattern, name)] = max(worst[(pattern, name)], r)
        print(f"{pattern:10} {size:9d} {t['raw_mpi']:9.2f} {t['mpi']:9.2f} {t['raw_gloo']:9.2f} "
              f"{t['gloo']:9.2f} {t['hybrid']:9.2f} | {r_mpi:7.2f} {r_gloo:8.2f} {r_hyb:8.2f}")
    print("worst ratios (times in microseconds; per run the median of 7 repetitions):")
    for (pattern, name), r in sorted(worst.items()):
        print(f"  {pattern:10} {name:9} {r:5.2f}")


if __name__ == "__main__":
    main()
