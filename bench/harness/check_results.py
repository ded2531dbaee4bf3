#!/usr/bin/env python3
"""bench/harness/check_results.py RESULTS.json [--min-measurements N]: checks that the harness's
results.json is well-formed: it parses, has every top-level field, and every measurement and job
has its fields with sane types and values (median within [min, max], positive times, known
statuses). Prints one line and exits 0 if so; lists the problems and exits 1 if not."""
import argparse
import json
import math
import sys

TOP = {"schema": str, "started": str, "finished": str, "wall_seconds": (int, float),
       "profile": str, "command": str, "machine": dict, "git": dict, "networks": dict,
       "sections": dict, "jobs": list, "measurements": list, "anchors": dict, "derived": dict}
MEASUREMENT = {"section": str, "name": str, "backend": str, "network": str, "parties": int,
               "job": str, "status": str}
JOB = {"id": str, "section": str, "network": str, "status": str, "seconds": (int, float)}
JOB_STATUS = {"ok", "failed", "timeout", "interrupted", "skipped"}
SECTION_STATUS = {"ok", "partial", "failed", "not built yet", "missing", "not run (--only)",
                  "not run (--networks)"}


def number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def check(r, min_measurements):
    errs = []
    for k, t in TOP.items():
        if k not in r:
            errs.append(f"missing top-level field '{k}'")
        elif not isinstance(r[k], t):
            errs.append(f"'{k}' has type {type(r[k]).__name__}")
    if errs:
        return errs
    if r["schema"] != "sotto-bench/1":
        errs.append(f"unknown schema {r['schema']!r}")
    for k in ("commit", "dirty"):
        if k not in r["git"]:
            errs.append(f"git.{k} missing")
    for k in ("cores", "kernel"):
        if k not in r["machine"]:
            errs.append(f"machine.{k} missing")
    for name, s in r["sections"].items():
        if s.get("status") not in SECTION_STATUS:
            errs.append(f"section {name}: status {s.get('status')!r}")
    for name, n in r["networks"].items():
        if not isinstance(n.get("available"), bool):
            errs.append(f"network {name}: 'available' is not a bool")
    job_ids = set()
    for i, j in enumerate(r["jobs"]):
        for k, t in JOB.items():
            if not isinstance(j.get(k), t):
                errs.append(f"jobs[{i}]: field '{k}' missing or of the wrong type")
        if j.get("status") not in JOB_STATUS:
            errs.append(f"jobs[{i}]: status {j.get('status')!r}")
        if j.get("status") not in ("ok", None) and not j.get("error"):
            errs.append(f"jobs[{i}] ({j.get('id')}): {j.get('status')} without an error")
        job_ids.add(j.get("id"))
    for i, m in enumerate(r["measurements"]):
        where = f"measurements[{i}] ({m.get('name')}, {m.get('backend')}, {m.get('network')})"
        for k, t in MEASUREMENT.items():
            if not isinstance(m.get(k), t):
                errs.append(f"{where}: field '{k}' missing or of the wrong type")
        if m.get("job") not in job_ids:
            errs.append(f"{where}: job {m.get('job')!r} is not in jobs")
        if m.get("network") not in r["networks"]:
            errs.append(f"{where}: network {m.get('network')!r} is not in networks")
        if m.get("status") == "ok":
            med, lo, hi = m.get("median_s"), m.get("min_s"), m.get("max_s")
            if not number(med) or med <= 0:
                errs.append(f"{where}: median_s {med!r} is not a positive number")
                continue
            if lo is not None and hi is not None:
                if not (number(lo) and number(hi) and lo <= med * (1 + 1e-9) and
                        med <= hi * (1 + 1e-9)):
                    errs.append(f"{where}: not min <= median <= max ({lo}, {med}, {hi})")
            for k in ("rounds", "bytes_per_party"):
                if m.get(k) is not None and (not number(m[k]) or m[k] < 0):
                    errs.append(f"{where}: {k} = {m[k]!r}")
            if m["section"] == "comm":
                if not isinstance(m.get("size_bytes"), int) or m["size_bytes"] <= 0:
                    errs.append(f"{where}: size_bytes {m.get('size_bytes')!r}")
        elif m.get("status") == "failed":
            if not m.get("error"):
                errs.append(f"{where}: failed without an error")
        else:
            errs.append(f"{where}: status {m.get('status')!r}")
    ok = [m for m in r["measurements"] if m.get("status") == "ok"]
    if len(ok) < min_measurements:
        errs.append(f"only {len(ok)} measurements, expected at least {min_measurements}")
    return errs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--min-measurements", type=int, default=1)
    a = ap.parse_args()
    try:
        with open(a.results) as f:
            r = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"{a.results}: cannot be read as JSON: {e}")
        return 1
    errs = check(r, a.min_measurements)
    if errs:
        print(f"{a.results}: MALFORMED, {len(errs)} problem(s):")
        for e in errs[:50]:
            print("  " + e)
        return 1
    print(f"{a.results}: well-formed ({len(r['measurements'])} measurements, {len(r['jobs'])} "
          f"jobs, sections: " + ", ".join(f"{k} {v['status']}" for k, v in r["sections"].items())
          + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
