#!/usr/bin/env python3
"""bench/harness/compare.py A/results.json B/results.json [--tolerance 0.20]: how reproducible two
runs of scripts/bench are. Pairs the measurements of both runs (same section, network, benchmark
and backend) and prints, per section and network, how many medians are within the tolerance of
each other (max / min <= 1 + tolerance), the same share per backend and for the gloo/mpi and
hybrid/best ratios of each point, then the pairs furthest apart. Exit status 0; 1 when nothing
pairs up."""
import argparse
import json
import sys
from collections import defaultdict


def load(path):
    with open(path) as f:
        r = json.load(f)
    out = {}
    for m in r["measurements"]:
        if m.get("status") == "ok" and m.get("median_s"):
            out[(m["section"], m["network"], m["name"], m["backend"])] = m["median_s"]
    return r, out


def apart(x, y):
    """How far apart two positive figures are: the larger over the smaller (>= 1)."""
    return max(x, y) / min(x, y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tolerance", type=float, default=0.20)
    ap.add_argument("--worst", type=int, default=15)
    args = ap.parse_args()
    ra, a = load(args.a)
    rb, b = load(args.b)
    keys = sorted(set(a) & set(b))
    if not keys:
        print("no measurement appears in both runs")
        return 1
    def steal(r):
        s = r.get("steal_share")
        bw = [j["memcpy_gbps"] for j in r.get("jobs", []) if j.get("memcpy_gbps")]
        return ("steal ?" if s is None else f"steal {100 * s:.1f} %") + \
            (f", memcpy {min(bw):.1f}-{max(bw):.1f} GB/s" if bw else "")
    print(f"A: {ra['started']} ({ra['profile']}, load {ra.get('load_average_start')}, {steal(ra)}), "
          f"B: {rb['started']} ({rb['profile']}, load {rb.get('load_average_start')}, {steal(rb)})")
    groups = defaultdict(list)
    for k in keys:
        ratio = apart(a[k], b[k])
        groups[(k[0], k[1])].append((ratio, k))
    lim = 1 + args.tolerance
    total_in = 0
    print(f"{'section':10} {'network':8} {'pairs':>6} {'within':>7} {'share':>6} {'median ratio':>12}")
    for (sec, net), rs in sorted(groups.items()):
        n_in = sum(1 for r, _ in rs if r <= lim)
        total_in += n_in
        med = sorted(r for r, _ in rs)[len(rs) // 2]
        print(f"{sec:10} {net:8} {len(rs):6d} {n_in:7d} {100 * n_in / len(rs):5.0f}% {med:12.3f}")
    print(f"all: {total_in} of {len(keys)} medians within {100 * args.tolerance:.0f} % "
          f"({100 * total_in / len(keys):.0f} %)")
    by_backend = defaultdict(list)  # which backends' times move between runs
    for k in keys:
        by_backend[k[3]].append(apart(a[k], b[k]) <= lim)
    print("per backend: " + ", ".join(
        f"{be} {sum(v)}/{len(v)} ({100 * sum(v) / len(v):.0f} %)"
        for be, v in sorted(by_backend.items())))
    # The report's readings rest on ratios measured within one run (gloo/mpi, hybrid/best), which
    # a host that is faster or slower as a whole in one run does not move.
    def ratios(times):
        points = defaultdict(dict)  # (section, network, point) -> backend -> median
        for (sec, net, name, be), t in times.items():
            if be in ("mpi", "gloo", "hybrid"):
                points[(sec, net, name.replace(f"/{be}/", "/"))][be] = t
        return {k: {"gloo/mpi": v["gloo"] / v["mpi"],
                    "hybrid/best": v["hybrid"] / min(v["mpi"], v["gloo"])}
                for k, v in points.items() if len(v) == 3}
    rab, rbb = ratios(a), ratios(b)
    both = sorted(set(rab) & set(rbb))
    for which in ("gloo/mpi", "hybrid/best"):
        ok = sum(1 for k in both if apart(rab[k][which], rbb[k][which]) <= lim)
        if both:
            print(f"ratio {which}: {ok} of {len(both)} points within {100 * args.tolerance:.0f} % "
                  f"of the other run's ({100 * ok / len(both):.0f} %)")
    worst = sorted(((apart(a[k], b[k]), k) for k in keys), reverse=True)
    print(f"furthest apart (B / A):")
    for r, k in worst[:args.worst]:
        print(f"  {b[k] / a[k]:6.2f}  {k[0]} {k[1]} {k[2]} {k[3]}: {a[k]:.3g} s vs {b[k]:.3g} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
