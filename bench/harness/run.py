#!/usr/bin/env python3
"""bench/harness/run.py: the driver behind scripts/bench (run that instead; it builds first and
cleans up after a kill). Plans the benchmark jobs of each section on each network, runs them one
at a time with a time limit each, and writes DIR/results.json, DIR/report.md and DIR/plots/*.png.

Sections plug in through SECTIONS below: a section whose benchmark program is not in the build
yet is recorded as "not built yet" and the rest runs. Networks: shm and tcp (two ranks on this
host, MPI over shared memory or forced TCP over loopback), lan / wan / edge (two network
namespaces joined by a veth pair, bandwidth limited by tc tbf, latency added by Sotto's
DelayCommunicator: "emulated"), and inproc (threads in one process; ops only).

A job that fails or runs out of time is recorded with its error and the harness goes on. Only
stdlib Python; plots need gnuplot (scripts/setup installs gnuplot-nox)."""
import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import report  # noqa: E402  (same directory)

SCHEMA = "sotto-bench/1"

# ---- networks ---------------------------------------------------------------------------------

NETWORKS = {
    "inproc": {"kind": "threads", "label": "2 parties as threads in one process (no network)"},
    "shm": {"kind": "local", "label": "one host, 2 ranks, MPI over shared memory (vader)",
            "mpirun": []},
    "tcp": {"kind": "local", "label": "one host, 2 ranks, MPI forced to TCP over loopback",
            "mpirun": ["--mca", "btl", "tcp,self"]},
    "lan": {"kind": "netns", "rate_mbit": None, "delay_ms": 0.0,
            "label": "2 network namespaces over a veth pair, no shaping"},
    "wan": {"kind": "netns", "rate_mbit": 100, "delay_ms": 5.0,
            "label": "2 namespaces, 100 Mbit/s (tc tbf), 10 ms RTT (emulated: 5 ms one-way "
                     "DelayCommunicator)"},
    "edge": {"kind": "netns", "rate_mbit": 20, "delay_ms": 20.0,
             "label": "2 namespaces, 20 Mbit/s (tc tbf), 40 ms RTT (emulated: 20 ms one-way "
                      "DelayCommunicator)"},
}
NETWORK_ORDER = ["inproc", "shm", "tcp", "lan", "wan", "edge"]

# ---- what runs where: the default set and --quick --------------------------------------------
# comm: comm_bench settings per network. sizes/patterns/backends become a --benchmark_filter.
ALL_SIZES = [8, 64, 512, 4096, 32768, 262144, 2097152, 16777216, 67108864]
COMM = {
    "default": {
        "shm": dict(sizes=ALL_SIZES, patterns="all", backends="all", reps=9, rep_ms=15,
                    min_iters=3, max_iters=100000, timeout=420),
        "tcp": dict(sizes=ALL_SIZES, patterns="all", backends="all", reps=7, rep_ms=15,
                    min_iters=3, max_iters=100000, timeout=480),
        "lan": dict(sizes=ALL_SIZES[:8], patterns="all", backends="all", reps=7, rep_ms=15,
                    min_iters=3, max_iters=100000, timeout=300),
        "wan": dict(sizes=[8, 512, 4096, 32768, 262144, 2097152], patterns=["exchange",
                    "allReduce"], backends=["mpi", "gloo", "hybrid"], reps=4, rep_ms=60,
                    min_iters=2, max_iters=100, timeout=300),
        "edge": dict(sizes=[8, 4096, 32768, 262144], patterns=["exchange", "allReduce"],
                     backends=["mpi", "gloo", "hybrid"], reps=4, rep_ms=100, min_iters=2,
                     max_iters=100, timeout=360),
    },
    "quick": {
        "shm": dict(sizes=[8, 4096, 32768, 262144, 2097152], patterns=["exchange", "allReduce"],
                    backends="all", reps=3, rep_ms=5, min_iters=3, max_iters=100000,
                    timeout=120),
        "tcp": dict(sizes=[8, 4096, 32768, 262144, 2097152], patterns=["exchange", "allReduce"],
                    backends="all", reps=3, rep_ms=5, min_iters=3, max_iters=100000,
                    timeout=120),
        "lan": dict(sizes=[8, 32768, 262144], patterns=["exchange"],
                    backends=["mpi", "gloo", "hybrid"], reps=3, rep_ms=5, min_iters=3,
                    max_iters=100000, timeout=120),
        "wan": dict(sizes=[8, 32768, 262144], patterns=["exchange"],
                    backends=["mpi", "gloo", "hybrid"], reps=2, rep_ms=20, min_iters=2,
                    max_iters=5, timeout=120, hybrid_threshold=262144),
        "edge": dict(sizes=[8, 32768], patterns=["exchange"], backends=["mpi", "gloo", "hybrid"],
                     reps=2, rep_ms=40, min_iters=2, max_iters=3, timeout=120,
                     hybrid_threshold=262144),
    },
}
COMM_PATTERNS = ["exchange", "allReduce", "broadcast"]
COMM_BACKENDS = ["mpi", "gloo", "hybrid", "raw_mpi", "raw_gloo"]

# MPC-style sections (ops now; math the same way once bench/math_bench exists): which backends on
# which network, which benchmarks (a regex on the names, None = all) and how many timed runs.
OPS_SMALL = r"^ops/(mul/exact|matmul_fixed/local|conv2d_fixed/exact|relu/fast|lt/fast|" \
            r"maxpool2x2/fast)/"
OPS_TINY = r"^ops/(mul/exact|relu/fast)/"
# The inference section runs every model and batch on the fast networks; on the slow ones (and in
# --quick) batch 1 only, as the paper's figures are per image. The dealer-free rows
# (<variant>_none) run in jobs of their own (DEALER_FREE); the TTP rows (<variant>_ttp) on inproc
# only (inference_bench skips them under mpirun).
INFERENCE_FILTER = {
    "default": {**{n: "-_none/" for n in ("inproc", "shm", "tcp", "lan")},
                "wan": r"^inference/[^/]+/[a-z0-9]+/1/",
                "edge": r"^inference/(lenet5/relu|alexnet/random)/1/"},
    "quick": {n: r"^inference/lenet5/[a-z0-9]+(_ttp)?/1/" for n in ("inproc", "shm", "tcp", "lan",
                                                                     "wan", "edge")},
}
# The protocol families side by side, beside the seeded rows of the same section: per profile
# and family, the networks, inference_bench's rows (<variant>_none: two parties on the OT kernels,
# no dealer; <variant>_ttp: the TTP dealer, mpirun -np 3 with the dealer the last rank, in party
# 0's namespace on lan / wan / edge), the timed runs and the time limit. One backend (mpi,
# encrypted channel): the family's bytes and rounds, not the backend, are the question. On inproc
# the TTP rows run in the section's own job. The dealer-free rows use Ferret (`args`), as
# scripts/demo does: IKNP moves 2-4x the bytes.
FAMILY_JOBS = {
    "default": {
        "none": dict(networks=("inproc", "shm", "lan", "wan", "edge"),
                     filter=r"^inference/(lenet5/relu|alexnet/random)_none/1/", runs=3,
                     timeout=420, args=("--ot", "ferret")),
        "ttp": dict(networks=("shm", "lan", "wan", "edge"),
                    filter=r"^inference/(lenet5/relu|alexnet/random)_ttp/1/", runs=3, timeout=240),
    },
    "quick": {
        "none": dict(networks=("lan",), filter=r"^inference/lenet5/relu_none/1/", runs=1,
                     timeout=60, args=("--ot", "ferret")),
        "ttp": dict(networks=("lan",), filter=r"^inference/lenet5/relu_ttp/1/", runs=1,
                    timeout=60),
    },
}
# The math section: everything on inproc and shm; on tcp the table versions, on lan and wan those
# and one iterative baseline, on edge two table functions (the iterative ones move 26-145 MB and
# take up to 98 rounds each: minutes at 100 Mbit/s).
MATH_FILTER = {
    "default": {"tcp": r"^math/[a-z]+/lut/", "lan": r"^math/([a-z]+/lut|exp/iterative)/",
                "wan": r"^math/([a-z]+/lut|exp/iterative)/", "edge": r"^math/(exp|sigmoid)/lut/"},
    "quick": {**{n: r"^math/exp/" for n in ("inproc", "shm", "tcp", "lan")},
              "wan": r"^math/exp/lut/", "edge": r"^math/exp/lut/"},
}
MPC_PLAN = {
    "default": {
        "inproc": dict(backends=["inproc"], filter=None, runs=15, timeout=180),
        "shm": dict(backends=["mpi", "gloo", "hybrid"], filter=None, runs=15, timeout=240),
        "tcp": dict(backends=["mpi"], filter=None, runs=15, timeout=240),
        "lan": dict(backends=["mpi", "gloo", "hybrid"], filter=None, runs=9, timeout=240),
        "wan": dict(backends=["mpi", "gloo", "hybrid"], filter=OPS_SMALL, runs=3, timeout=240),
        "edge": dict(backends=["mpi", "gloo", "hybrid"], filter=OPS_TINY, runs=2, timeout=300),
    },
    "quick": {
        "inproc": dict(backends=["inproc"], filter=OPS_SMALL, runs=3, timeout=120),
        "shm": dict(backends=["mpi", "gloo", "hybrid"], filter=OPS_TINY, runs=3, timeout=120),
        "tcp": dict(backends=["mpi"], filter=OPS_TINY, runs=3, timeout=120),
        "lan": dict(backends=["mpi", "gloo", "hybrid"], filter=OPS_TINY, runs=2, timeout=120),
        "wan": dict(backends=["mpi", "gloo", "hybrid"], filter=r"^ops/relu/fast/", runs=1,
                    timeout=120),
        "edge": dict(backends=["mpi", "gloo"], filter=r"^ops/relu/fast/", runs=1, timeout=120),
    },
}

# The encrypted channel's cost: on these networks, a section's job also runs the mpi backend in
# the clear ("mpi+plain", its timed runs interleaved with the encrypted default's), and the report
# gives the paired ratio aead / plain beside each row.
PLAIN_PAIR = {"default": {"inference": ("shm", "lan", "wan"), "ops": ("shm", "lan")},
              "quick": {"inference": ("shm", "lan")}}

# The OT engine (bench/ot_bench under mpirun -np 2, mpi backend, encrypted channel): per profile,
# the networks and a --benchmark_filter (None: everything, Ferret's 2^24 COTs included). The
# default leaves out ot/ferret_b13_bg/ by a negative filter (the background refill: same bytes
# as ferret_b13, and its 2 x 2^24 COTs would crowd the section's timeout on lan); run it by hand.
OT_PLAN = {
    "default": dict(networks=("shm", "lan"), filter="-ferret_b13_bg", timeout=400),
    "quick": dict(networks=("shm",), filter=r"^ot/(base/co|iknp/random_cot)/", timeout=120),
}

# What a user runs (examples/lenet5, examples/alexnet under mpirun), beside inference_bench: per
# profile, the (model, batch, images) rows, run with both dealers, `reps` times each, on the
# networks where one host starts 3 ranks (TTP: -np 3, the dealer the last rank; insecure-seeded:
# -np 2). The examples print one JSON line per run (--quiet --json).
EXAMPLES = {
    "default": dict(rows=[("lenet5", 1, 100), ("lenet5", 64, 256), ("alexnet", 1, 12),
                          ("alexnet", 8, 32)], networks=("shm", "tcp"), reps=3, timeout=300),
    "quick": dict(rows=[("lenet5", 1, 24)], networks=("shm",), reps=1, timeout=120),
}
EXAMPLE_DEALERS = ("ttp", "insecure-seeded")

# The sections, in order. "program" is the benchmark executable under the build directory; a
# section whose program is missing is "not built yet" (its issue has not landed).
SECTIONS = [
    {"name": "comm", "kind": "comm", "program": "bench/comm_bench",
     "what": "communicator sweep: exchange, allReduce, broadcast, 8 B to 64 MiB"},
    {"name": "ops", "kind": "mpc", "program": "bench/ops_bench",
     "what": "MPC operations at CrypTen's sizes (bench/ops_bench)"},
    {"name": "math", "kind": "mpc", "program": "bench/math_bench",
     "what": "lookup-table math: exp, sigmoid, tanh, reciprocal, rsqrt, log, softmax",
     "pending": "the math issue has not landed: no bench/math_bench in this build (it plugs in "
                "with ops_bench's interface: --backend, --runs, names math/<fn>/<variant>/<n>)"},
    {"name": "inference", "kind": "mpc", "program": "bench/inference_bench",
     "what": "LeNet5/MNIST and AlexNet/CIFAR-10 forward passes, time per image",
     "pending": "the inference issue has not landed: no bench/inference_bench in this build (it "
                "plugs in with ops_bench's interface; names inference/<model>/<variant>/<batch>)"},
    {"name": "ot", "kind": "ot", "program": "bench/ot_bench",
     "what": "the OT engine: 128 base OTs, IKNP and Ferret random COTs, 1-of-16 and additive "
             "OTs, two ranks under mpirun"},
    {"name": "examples", "kind": "example", "program": "examples/lenet5",
     "what": "the user's path: examples/lenet5 and examples/alexnet under mpirun, TTP and "
             "insecure-seeded dealers, beside inference_bench"},
]

# ---- small helpers ----------------------------------------------------------------------------

T0 = time.monotonic()


def progress(msg):
    el = int(time.monotonic() - T0)
    print(f"[bench {el // 60:2d}:{el % 60:02d}] {msg}", file=sys.stderr, flush=True)


def sh(cmd, timeout=20):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def tail(text, n=15):
    lines = [ln for ln in (text or "").splitlines() if ln.strip()]
    return "\n".join(lines[-n:])


def machine_info(build_dir):
    info = {"hostname": platform.node(), "kernel": platform.release(),
            "machine": platform.machine(), "cores": os.cpu_count(), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
            info["cpu"] = m.group(1) if m else ""
        with open("/proc/meminfo") as f:
            m = re.search(r"MemTotal:\s*(\d+)", f.read())
            info["memory_gib"] = round(int(m.group(1)) / 2**20, 1) if m else None
        with open("/etc/os-release") as f:
            m = re.search(r'^PRETTY_NAME="?([^"\n]+)', f.read(), re.M)
            info["os"] = m.group(1) if m else ""
    except OSError:
        pass
    cache = os.path.join(build_dir, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            text = f.read()
        m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", text, re.M)
        info["build_type"] = m.group(1) if m else ""
        m = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", text, re.M)
        if m:
            info["compiler"] = sh([m.group(1), "--version"]).splitlines()[0:1]
            info["compiler"] = info["compiler"][0] if info["compiler"] else m.group(1)
    info["open_mpi"] = (re.findall(r"[\d.]+", sh(["mpirun", "--version"]).split("\n")[0]) or [""])[0]
    info["gloo_package"] = sh(["dpkg-query", "-W", "-f=${Version}", "libgloo-dev"])
    return info


def git_info():
    commit = sh(["git", "-C", ROOT, "rev-parse", "HEAD"])
    dirty = sh(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])
    return {"commit": commit, "dirty": bool(dirty),
            "describe": sh(["git", "-C", ROOT, "log", "-1", "--format=%h %s"])}


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return None


def cpu_busy(seconds=2.0):
    """Share of all cores busy over the next `seconds` (from /proc/stat): how quiet it is."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return sum(v), idle
    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
        return round(1 - (i1 - i0) / max(1, t1 - t0), 3)
    except (OSError, ValueError, IndexError):
        return None


def cpu_times():
    """(all CPU time, time stolen by the hypervisor) so far, in clock ticks (/proc/stat)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v[:8]), v[7] if len(v) > 7 else 0
    except (OSError, ValueError, IndexError):
        return None


def steal_share(t0, t1):
    """Share of the CPU time between two cpu_times() that the hypervisor gave to other guests:
    on a shared virtual machine, the one sign of a busy host that the guest can see."""
    if not t0 or not t1 or t1[0] <= t0[0]:
        return None
    return round((t1[1] - t0[1]) / (t1[0] - t0[0]), 4)


def memcpy_gbps(mib=64, copies=9):
    """Median speed of copying `mib` MiB between two warm buffers, GB/s: a probe taken before each
    job. Other guests of a shared host take memory bandwidth without showing as steal; when this
    moves between jobs (quiet here: 8.2-8.9 GB/s), so do the times of memory-bound benchmarks."""
    src, dst = bytearray(mib << 20), bytearray(mib << 20)
    dst[:] = src
    times = []
    for _ in range(copies):
        t0 = time.perf_counter()
        dst[:] = src
        times.append(time.perf_counter() - t0)
    return round((mib << 20) / statistics.median(times) / 1e9, 2)


# ---- running one job --------------------------------------------------------------------------

STOP = {"requested": False}
CURRENT = {"proc": None}


def kill_session(proc):
    """Ends every process of the job's session (the job leads its own session), gently first."""
    if proc is None:
        return
    sid = proc.pid

    def members():
        out = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid:  # field 6 of stat: session id
                    out.append(int(d))
            except (OSError, IndexError, ValueError):
                continue
        return out

    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 2.0)):
        pids = members()
        if not pids:
            break
        for p in pids:
            try:
                os.kill(p, sig)
            except OSError:
                pass
        end = time.monotonic() + wait
        while time.monotonic() < end and members():
            time.sleep(0.1)
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass


def run_job(job, logdir):
    """Runs job["argv"]; returns (status, error, seconds). Output goes to logdir/<id>.log; the
    share of CPU time stolen by the hypervisor meanwhile goes to job["steal_share"]."""
    log_path = os.path.join(logdir, job["id"] + ".log")
    env = dict(os.environ)
    env.update(job.get("env", {}))
    job["memcpy_gbps"] = memcpy_gbps()
    t0 = time.monotonic()
    cpu0 = cpu_times()
    with open(log_path, "w") as log:
        log.write("$ " + " ".join(shlex.quote(a) for a in job["argv"]) + "\n")
        log.write("env: " + " ".join(f"{k}={v}" for k, v in sorted(job.get("env", {}).items())) +
                  "\n\n")
        log.flush()
        try:
            proc = subprocess.Popen(job["argv"], stdout=log, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True, cwd=ROOT)
        except OSError as e:
            return "failed", f"cannot start: {e}", 0.0
        CURRENT["proc"] = proc
        status, error = "ok", ""
        try:
            rc = proc.wait(timeout=job["timeout"])
            if rc != 0:
                status, error = "failed", f"exit status {rc}"
        except subprocess.TimeoutExpired:
            status, error = "timeout", f"no result within the {job['timeout']} s limit (killed)"
        except KeyboardInterrupt:
            STOP["requested"] = True
            status, error = "interrupted", "interrupted (Ctrl-C / TERM)"
        finally:
            kill_session(proc)  # the job's leftovers (e.g. ranks that outlived mpirun)
            CURRENT["proc"] = None
    seconds = time.monotonic() - t0
    job["steal_share"] = steal_share(cpu0, cpu_times())
    if status != "ok":
        with open(log_path) as f:
            text = f.read().split("\n\n", 1)[-1]  # without the command and env header
        error = f"{error}: {telling_line(text)}\n{tail(text, 15)}"
    return status, error, seconds


TELLING = re.compile(r"error|exception|what\(\)|failed|abort|cannot|timeout|timed out|"
                     r"terminated|killed|not a number|unknown|refused|no such", re.I)


def telling_line(text):
    """The line of a job's output that most likely says what went wrong."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("-----")]
    for ln in lines:
        if TELLING.search(ln) and not ln.startswith(("comm/", "ops/", "math/", "inference/")):
            return ln[:300]
    return lines[-1][:300] if lines else "(no output)"


def load_gbench_json(path):
    """Google Benchmark's JSON; a run cut short leaves it unterminated: salvage what is there."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None, False
    with open(path) as f:
        text = f.read()
    try:
        return json.loads(text), True
    except json.JSONDecodeError:
        pass
    cut = text.rfind("}")
    while cut > 0:
        try:
            return json.loads(text[:cut + 1] + "]}"), False
        except json.JSONDecodeError:
            cut = text.rfind("}", 0, cut)
    return None, False


# ---- parsing ----------------------------------------------------------------------------------

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def parse_comm(data, job):
    """comm_bench reports every repetition on its own (interleaved across backends; see
    bench/comm_bench.cc), each with p50_us, its median time per call over blocks of calls. Per
    benchmark name: median_s is the median over the repetitions of p50, min_s / max_s their
    extremes, repetitions_s every repetition's p50 in run order (repetition k of each backend ran
    in the same round: report.py pairs them), mean_call_s the median over repetitions of the mean
    time per call (which every pause of the shared machine pulls up)."""
    by_run = {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        entry = by_run.setdefault(name, {"times": []})
        if b.get("error_occurred"):
            entry["error"] = b.get("error_message", "error")
            continue
        if b.get("aggregate_name"):  # an older comm_bench's aggregates: not used
            continue
        mean = b["real_time"] * UNIT[b.get("time_unit", "ns")]
        entry.setdefault("means", []).append(mean)
        entry["times"].append(b["p50_us"] * 1e-6 if "p50_us" in b else mean)
        entry["rounds"] = b.get("rounds")
        entry["bytes"] = b.get("bytes")
        entry["iterations"] = b.get("calls", b.get("iterations"))
    for e in by_run.values():
        t = sorted(e["times"])
        if t and "error" not in e:
            e.update(median=statistics.median(t), min=t[0], max=t[-1],
                     mean=statistics.median(e["means"]), repetitions=len(t))
    out = []
    for name, e in by_run.items():
        parts = name.split("/")
        if len(parts) < 4 or parts[0] != "comm":
            continue
        m = {"section": "comm", "name": "/".join(parts[:4]), "pattern": parts[1],
             "backend": parts[2], "size_bytes": int(parts[3]), "network": job["network"],
             "parties": 2, "job": job["id"], "status": "ok" if "median" in e else "failed",
             "median_s": e.get("median"), "min_s": e.get("min"), "max_s": e.get("max"),
             "mean_call_s": e.get("mean"), "repetitions": e.get("repetitions"),
             "repetitions_s": e["times"] if "median" in e else None,
             "calls_per_repetition": e.get("iterations"), "rounds": e.get("rounds"),
             "bytes_per_party": e.get("bytes"), "error": e.get("error"),
             "delay_ms": job.get("delay_ms", 0.0), "rate_mbit": job.get("rate_mbit"),
             "emulated_latency": job.get("delay_ms", 0.0) > 0}
        out.append(m)
    return out


def protocol_of(variant):
    """The protocol family of an MPC row from its variant: <v>_ttp, <v>_none, else the seeded
    dealer (the benchmark programs' default)."""
    for family in ("ttp", "none"):
        if variant.endswith("_" + family):
            return family
    return "insecure-seeded"


def parse_mpc(data, job, section):
    out = []
    for b in data.get("benchmarks", []):
        if b.get("aggregate_name"):
            continue
        parts = b.get("run_name", b["name"]).split("/")
        if len(parts) < 4 or parts[0] != section:
            continue
        # A job over several backends names its results <name>/<backend>.
        backend = parts[4] if len(parts) > 4 and parts[4] in job["backend"].split(",") else \
            job["backend"]
        scale = UNIT[b.get("time_unit", "ns")]
        med = b["real_time"] * scale
        m = {"section": section, "name": "/".join(parts[:4]), "op": parts[1],
             "variant": parts[2], "elements": int(parts[3]) if parts[3].isdigit() else parts[3],
             "backend": backend, "network": job["network"], "parties": 2,
             "job": job["id"], "status": "ok", "median_s": med,
             "min_s": b["min_ms"] * 1e-3 if "min_ms" in b else None,
             "max_s": b["max_ms"] * 1e-3 if "max_ms" in b else None,
             "online_s": b["online_ms"] * 1e-3 if "online_ms" in b else None,
             "runs": int(b["runs"]) if "runs" in b else job.get("runs"), "rounds": b.get("rounds"),
             "bytes_per_party": b.get("bytes_per_party"), "dealer_bytes": b.get("dealer_bytes"),
             "max_abs_err": b.get("max_abs_err"), "protocol": protocol_of(parts[2]),
             "delay_ms": job.get("delay_ms", 0.0),
             "rate_mbit": job.get("rate_mbit"), "emulated_latency": job.get("delay_ms", 0.0) > 0,
             "error": None}
        ratios = {k[len("ratio_vs_"):]: v for k, v in b.items() if k.startswith("ratio_vs_")}
        if ratios:  # paired with the other backends of the job, run by run (bench/mpc_bench.h)
            m["ratio_vs"] = ratios
            m["ratio_q1_vs"] = {k[len("ratio_q1_vs_"):]: v for k, v in b.items()
                                if k.startswith("ratio_q1_vs_")}
        for k in ("ots_per_s", "bits_per_ot", "bits_per_ot_steady", "setup_bytes", "call_bytes"):
            if k in b:  # the OT engine's counters (bench/ot_bench)
                m[k] = b[k]
        if b.get("error_occurred"):
            m["status"], m["error"], m["median_s"] = "failed", b.get("error_message"), None
        if section == "inference" and isinstance(m["elements"], int) and m["median_s"]:
            m["batch"] = m["elements"]
            m["seconds_per_image"] = m["median_s"] / m["elements"]
        out.append(m)
    return out


def parse_example(log_path, job):
    """The example's JSON lines (one per run) in the job's log -> one measurement: medians over
    the runs of the time per image, the online time per image; rounds and bytes of the last."""
    runs = []
    try:
        with open(log_path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{") and '"seconds_per_image"' in line:
                    try:
                        runs.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass
    except OSError:
        return []
    if not runs:
        return []
    last, b = runs[-1], job["batch"]
    per_image = [r["seconds_per_image"] for r in runs]
    online = [r["online_seconds_per_image"] for r in runs if r.get("online_seconds_per_image")]
    return [{"section": "examples", "name": f"examples/{job['model']}/{job['dealer']}/{b}",
             "op": job["model"], "variant": job["dealer"], "elements": b, "batch": b,
             "backend": job["backend"], "network": job["network"], "parties": 2,
             "job": job["id"], "status": "ok", "median_s": statistics.median(per_image) * b,
             "min_s": min(per_image) * b, "max_s": max(per_image) * b,
             "seconds_per_image": statistics.median(per_image),
             "online_s": statistics.median(online) * b if online else None,
             "repetitions_s": [x * b for x in per_image], "runs": len(runs),
             "rounds": last.get("rounds_per_batch"),
             "bytes_per_party": last.get("online_bytes_per_party", 0) * b,
             "dealer_bytes": last.get("dealer_bytes", 0) * b, "dealer": job["dealer"],
             "secure": last.get("secure"), "channel": last.get("backend"),
             "accuracy": last.get("accuracy"), "images": last.get("images"),
             "delay_ms": job.get("delay_ms", 0.0), "rate_mbit": job.get("rate_mbit"),
             "emulated_latency": False, "error": None}]


# ---- planning ---------------------------------------------------------------------------------

def comm_filter(cfg):
    pats = COMM_PATTERNS if cfg["patterns"] == "all" else cfg["patterns"]
    backs = COMM_BACKENDS if cfg["backends"] == "all" else cfg["backends"]
    sizes = "|".join(str(s) for s in cfg["sizes"])
    return f"^comm/({'|'.join(pats)})/({'|'.join(backs)})/({sizes})/"


class Planner:
    def __init__(self, args, build_dir, outdir, netns_id):
        self.args = args
        self.build = build_dir
        self.outdir = outdir
        self.netns_id = netns_id
        self.agent = os.path.join(HERE, "netns-agent")
        self.wrap = os.path.join(HERE, "party-run")  # each rank on a core of its own

    def mpirun(self, network, program_argv, env, ranks=2):
        net = NETWORKS[network]
        exports = []
        for k in sorted(env):
            exports += ["-x", k]
        if net["kind"] == "local":
            return [os.path.join(ROOT, "scripts", "mpirun-local"), "-np", str(ranks)] + \
                net["mpirun"] + exports + [self.wrap] + program_argv
        # One party per namespace; a third rank (the TTP dealer, the last rank) in party 0's, by
        # mapping the ranks round-robin over the two hosts.
        assert ranks in (2, 3), "the namespaces hold one party each"
        ns_a = f"sotto-bench-{self.netns_id}-a"
        hosts = ["--host", "10.77.0.1:1,10.77.0.2:1"] if ranks == 2 else \
            ["--host", "10.77.0.1:2,10.77.0.2:1", "--map-by", "node"]
        return ["ip", "netns", "exec", ns_a, "mpirun", "-np", str(ranks)] + hosts + [
                "--bind-to", "none",
                "--mca", "plm_rsh_agent", self.agent,
                "--mca", "oob_tcp_if_include", "10.77.0.0/24",
                "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", "10.77.0.0/24"] + \
            exports + [self.wrap] + program_argv

    def job_env(self, network):
        net = NETWORKS[network]
        env = {"SOTTO_TIMEOUT_MS": "120000"}
        if net.get("delay_ms"):
            env["SOTTO_DELAY_MS"] = str(net["delay_ms"])
        if net["kind"] == "netns":
            env["SOTTO_BENCH_NETNS_ID"] = str(self.netns_id)
            if os.geteuid() == 0:
                env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
                env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        return env

    def base(self, network):
        net = NETWORKS[network]
        return {"network": network, "delay_ms": net.get("delay_ms", 0.0) or 0.0,
                "rate_mbit": net.get("rate_mbit")}

    def comm_job(self, section, network, profile):
        cfg = COMM[profile][network]
        out = os.path.join(self.outdir, "raw", f"{section['name']}-{network}.json")
        env = self.job_env(network)
        if cfg.get("hybrid_threshold"):
            env["SOTTO_HYBRID_THRESHOLD"] = str(cfg["hybrid_threshold"])
        else:
            env["SOTTO_HYBRID_VERBOSE"] = "1"  # the calibration's measurements go to the job's log
        prog = [os.path.join(self.build, section["program"]), "--benchmark_color=false",
                "--reps", str(cfg["reps"]),
                "--rep_ms", str(cfg["rep_ms"]), "--min_iters", str(cfg["min_iters"]),
                "--max_iters", str(cfg["max_iters"]), f"--benchmark_filter={comm_filter(cfg)}",
                f"--benchmark_out={out}", "--benchmark_out_format=json"]
        j = self.base(network)
        j.update({"id": f"{section['name']}-{network}", "section": section["name"],
                  "kind": "comm", "backend": "mpi,gloo,hybrid" + (
                      ",raw" if cfg["backends"] == "all" else ""),
                  "argv": self.mpirun(network, prog, {k: v for k, v in env.items()
                                                      if k.startswith("SOTTO_")}),
                  "env": env, "out": out, "timeout": cfg["timeout"]})
        return j

    def mpc_jobs(self, section, network, profile):
        """One job per network: with several backends, one mpirun job that measures them all
        with their timed runs interleaved (bench/mpc_bench.h), so that the hybrid / mpi / gloo
        ratios compare the same moments of a drifting shared machine."""
        cfg = MPC_PLAN[profile][network]
        backends = list(cfg["backends"])
        if network in PLAIN_PAIR[profile].get(section["name"], ()) and "mpi" in backends:
            backends.append("mpi+plain")
        backend = ",".join(backends)
        tag = "all" if len(backends) > 1 else backend
        out = os.path.join(self.outdir, "raw", f"{section['name']}-{network}-{tag}.json")
        prog = [os.path.join(self.build, section["program"]), "--benchmark_color=false",
                "--runs", str(cfg["runs"]),
                f"--benchmark_out={out}", "--benchmark_out_format=json"]
        if cfg["filter"] and section["name"] == "ops":  # other sections: their own set
            prog.append(f"--benchmark_filter={cfg['filter']}")
        for name, filters in (("inference", INFERENCE_FILTER), ("math", MATH_FILTER)):
            f = filters[profile].get(network)
            if f and section["name"] == name:
                prog.append(f"--benchmark_filter={f}")
        jobs = [self.mpc_job(section, network, backend, tag, cfg["runs"], prog,
                             cfg["timeout"] * len(backends))]
        for family, fam in FAMILY_JOBS[profile].items():
            if section["name"] != "inference" or network not in fam["networks"]:
                continue
            out = os.path.join(self.outdir, "raw", f"inference-{network}-{family}.json")
            prog = [os.path.join(self.build, section["program"]), "--benchmark_color=false",
                    "--runs", str(fam["runs"]), f"--benchmark_filter={fam['filter']}",
                    f"--benchmark_out={out}", "--benchmark_out_format=json",
                    *fam.get("args", ())]
            backend = "inproc" if network == "inproc" else "mpi"
            jobs.append(self.mpc_job(section, network, backend, family, fam["runs"], prog,
                                     fam["timeout"], ranks=3 if family == "ttp" else 2))
        return jobs

    def mpc_job(self, section, network, backend, tag, runs, prog, timeout, ranks=2):
        """One run of an MPC benchmark program (prog: its argv, writing to its --benchmark_out)
        on `network` over `backend` (a comma list under mpirun, or inproc), on `ranks` ranks."""
        out = next(a.split("=", 1)[1] for a in prog if a.startswith("--benchmark_out="))
        env = self.job_env(network) if network != "inproc" else {}
        # 3 busy-polling ranks on 2 cores: pinned (party-run), the dealer and party 0 would share
        # one core's scheduler slices; unpinned, the kernel moves them as they wait.
        if ranks == 3:
            env["SOTTO_BENCH_PIN"] = "0"
        j = self.base(network)
        j.update({"id": f"{section['name']}-{network}-{tag}", "section": section["name"],
                  "kind": "mpc", "backend": backend, "runs": runs, "env": env,
                  "out": out, "timeout": timeout, "ranks": ranks})
        if backend == "inproc":
            j["argv"] = prog
        else:
            j["argv_program"] = prog + ["--backend", backend]  # argv made at run time
        return j

    def ot_jobs(self, section, network, profile):
        cfg = OT_PLAN[profile]
        if network not in cfg["networks"]:
            return []
        out = os.path.join(self.outdir, "raw", f"ot-{network}.json")
        prog = [os.path.join(self.build, section["program"]), "--backend", "mpi",
                "--benchmark_color=false", f"--benchmark_out={out}",
                "--benchmark_out_format=json"]
        if cfg["filter"]:
            prog.append(f"--benchmark_filter={cfg['filter']}")
        env = self.job_env(network)
        j = self.base(network)
        j.update({"id": f"ot-{network}", "section": section["name"], "kind": "ot",
                  "backend": "mpi", "env": env, "out": out, "timeout": cfg["timeout"],
                  "argv": self.mpirun(network, prog, {k: v for k, v in env.items()
                                                      if k.startswith("SOTTO_")})})
        return [j]

    def example_jobs(self, section, network, profile):
        """One job per (model, batch, dealer): a shell loop that runs the example `reps` times
        under mpirun; each run prints one JSON line, which parse_example reads from the log."""
        cfg = EXAMPLES[profile]
        if network not in cfg["networks"]:
            return []
        jobs = []
        for model, batch, images in cfg["rows"]:
            for dealer in EXAMPLE_DEALERS:
                prog = [os.path.join(self.build, "examples", model), "--backend", "mpi",
                        "--images", str(images), "--batch", str(batch), "--dealer", dealer,
                        "--quiet", "--json"]
                env = self.job_env(network)
                run = self.mpirun(network, prog, {k: v for k, v in env.items()
                                                  if k.startswith("SOTTO_")},
                                  ranks=3 if dealer == "ttp" else 2)
                loop = f"for i in $(seq {cfg['reps']}); do " + \
                    " ".join(shlex.quote(a) for a in run) + " || exit $?; done"
                j = self.base(network)
                j.update({"id": f"examples-{network}-{model}-{dealer}-{batch}",
                          "section": section["name"], "kind": "example", "backend": "mpi",
                          "model": model, "dealer": dealer, "batch": batch, "images": images,
                          "runs": cfg["reps"], "env": env, "argv": ["sh", "-c", loop],
                          "timeout": cfg["timeout"]})
                jobs.append(j)
        return jobs

    def finalize_argv(self, job, thresholds):
        """mpirun argv for an MPC job; the hybrid reuses the thresholds its network's comm job
        calibrated (calibration takes up to ~5 s on a slow link)."""
        if "argv_program" not in job:
            return
        env = dict(job["env"])
        net = job["network"]
        if "hybrid" in job["backend"].split(",") and net in thresholds:
            env["SOTTO_HYBRID_THRESHOLD"] = str(thresholds[net])
            job["hybrid_threshold_from"] = f"comm-{net} calibration"
        job["env"] = env
        job["argv"] = self.mpirun(net, job["argv_program"],
                                  {k: v for k, v in env.items() if k.startswith("SOTTO_")},
                                  ranks=job.get("ranks", 2))


# ---- the run ----------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=[s["name"] for s in SECTIONS], action="append")
    ap.add_argument("--networks", default=",".join(NETWORK_ORDER),
                    help="comma list of " + ",".join(NETWORK_ORDER))
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--netns-id", type=int, default=os.getpid())
    ap.add_argument("--timeout-scale", type=float, default=1.0,
                    help="multiply every job's time limit (slow machines; tests)")
    ap.add_argument("--check", action="store_true",
                    help="validate results.json afterwards (check_results.py); non-zero if bad")
    args = ap.parse_args()

    def on_term(signum, frame):
        # The first INT/TERM stops the run (Ctrl-C reaches this process and scripts/bench's TERM
        # follows): later ones must not break the clean-up.
        if STOP["requested"]:
            return
        STOP["requested"] = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    profile = "quick" if args.quick else "default"
    networks = [n.strip() for n in args.networks.split(",") if n.strip()]
    for n in networks:
        if n not in NETWORKS:
            ap.error(f"unknown network '{n}' (known: {', '.join(NETWORK_ORDER)})")
    networks = [n for n in NETWORK_ORDER if n in networks]
    sections = [s for s in SECTIONS if not args.only or s["name"] in args.only]
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    outdir = os.path.abspath(args.out or os.path.join(ROOT, "bench", "results", stamp))
    os.makedirs(os.path.join(outdir, "raw"), exist_ok=True)
    os.makedirs(os.path.join(outdir, "logs"), exist_ok=True)
    build = os.path.abspath(args.build_dir)

    results = {
        "schema": SCHEMA, "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "profile": profile, "command": " ".join(["scripts/bench"] + sys.argv[1:]),
        "machine": machine_info(build), "git": git_info(), "load_average_start": loadavg(),
        "cpu_busy_before": cpu_busy(), "cpu_times_start": cpu_times(),
        "networks": {}, "sections": {}, "jobs": [], "measurements": [],
    }
    with open(os.path.join(HERE, "anchors.json")) as f:
        results["anchors"] = json.load(f)
    progress(f"{profile} run, sections {','.join(s['name'] for s in sections)}, networks "
             f"{','.join(networks)} -> {os.path.relpath(outdir, ROOT)}")

    # Networks: namespaces where allowed.
    netns_ok, netns_why = True, ""
    if any(NETWORKS[n]["kind"] == "netns" for n in networks):
        r = subprocess.run([os.path.join(HERE, "netns"), "check"], capture_output=True, text=True)
        netns_ok, netns_why = r.returncode == 0, r.stderr.strip()
        if not netns_ok:
            skipped = [n for n in networks if NETWORKS[n]["kind"] == "netns"]
            progress(f"network namespaces unavailable ({netns_why}): {', '.join(skipped)} "
                     "skipped")
    for n in networks:
        net = NETWORKS[n]
        rec = {"label": net["label"], "kind": net["kind"], "rate_mbit": net.get("rate_mbit"),
               "delay_ms": net.get("delay_ms", 0.0), "emulated_latency": bool(net.get("delay_ms")),
               "available": True, "note": ""}
        if net["kind"] == "netns" and not netns_ok:
            rec["available"], rec["note"] = False, "network namespaces not allowed here: " + netns_why
        results["networks"][n] = rec

    planner = Planner(args, build, outdir, args.netns_id)
    plan = []
    for s in SECTIONS:
        if s not in sections:
            results["sections"][s["name"]] = {"status": "not run (--only)", "what": s["what"]}
            continue
        if not os.path.exists(os.path.join(build, s["program"])):
            status = "not built yet" if s.get("pending") else "missing"
            note = s.get("pending") or f"{s['program']} is not in {build} (build failed?)"
            results["sections"][s["name"]] = {"status": status, "what": s["what"], "note": note}
            progress(f"section {s['name']}: {status}")
            continue
        results["sections"][s["name"]] = {"status": "planned", "what": s["what"], "note": ""}
        for n in networks:
            if not results["networks"][n]["available"]:
                continue
            if s["kind"] == "comm" and n != "inproc":
                plan.append(planner.comm_job(s, n, profile))
            elif s["kind"] == "mpc":
                plan.extend(planner.mpc_jobs(s, n, profile))
            elif s["kind"] == "example":
                plan.extend(planner.example_jobs(s, n, profile))
            elif s["kind"] == "ot":
                plan.extend(planner.ot_jobs(s, n, profile))
    for j in plan:
        j["timeout"] = max(1, round(j["timeout"] * args.timeout_scale))
    # Order: network by network (namespaces reshaped once per network), comm before the rest.
    plan.sort(key=lambda j: (NETWORK_ORDER.index(j["network"]), j["kind"] != "comm"))

    netns_up = False
    thresholds = {}
    interrupted = False
    shaped = None
    try:
        for i, job in enumerate(plan, 1):
            net = NETWORKS[job["network"]]
            if net["kind"] == "netns":
                if not netns_up:
                    subprocess.run([os.path.join(HERE, "netns"), "sweep"], check=False)
                    r = subprocess.run([os.path.join(HERE, "netns"), "up", str(args.netns_id)],
                                       capture_output=True, text=True)
                    if r.returncode != 0:
                        why = tail(r.stderr, 3)
                        progress(f"could not create the namespaces: {why}")
                        for n in results["networks"]:
                            if NETWORKS[n]["kind"] == "netns":
                                results["networks"][n].update(available=False,
                                                              note="namespace set-up failed: " + why)
                        netns_ok = False
                    netns_up = True
                if not netns_ok:
                    job["skipped"] = "namespaces unavailable"
                    continue
                rate = net.get("rate_mbit") or "none"
                if shaped != rate:
                    subprocess.run([os.path.join(HERE, "netns"), "shape", str(args.netns_id),
                                    str(rate)], check=False)
                    shaped = rate
            planner.finalize_argv(job, thresholds)
            progress(f"({i}/{len(plan)}) {job['section']} on {job['network']}, "
                     f"{job['backend']} ...")
            status, error, seconds = run_job(job, os.path.join(outdir, "logs"))
            if job["kind"] == "example":
                data, complete = None, status == "ok"
                ms = parse_example(os.path.join(outdir, "logs", job["id"] + ".log"), job)
            else:
                data, complete = load_gbench_json(job["out"])
                ms = []
            if data is not None:
                ms = parse_comm(data, job) if job["kind"] == "comm" else \
                    parse_mpc(data, job, job["section"])
                ctx = data.get("context", {})
                job["context"] = {k: v for k, v in ctx.items() if k not in ("caches",)}
                thr = ctx.get("hybrid_thresholds")  # e.g. p2p=never,broadcast=2097152,...
                if job["kind"] == "comm" and thr:
                    thresholds[job["network"]] = thr
            if status == "ok" and not ms:
                status, error = "failed", "no measurements in the output"
            results["jobs"].append({
                "id": job["id"], "section": job["section"], "network": job["network"],
                "backend": job["backend"], "status": status, "error": error,
                "seconds": round(seconds, 2), "timeout_s": job["timeout"],
                "steal_share": job.get("steal_share"), "memcpy_gbps": job.get("memcpy_gbps"),
                "command": " ".join(shlex.quote(a) for a in job["argv"]),
                "env": job.get("env", {}), "context": job.get("context", {}),
                "hybrid_threshold_from": job.get("hybrid_threshold_from"),
                "measurements": len(ms), "output_complete": complete,
                "log": os.path.relpath(os.path.join(outdir, "logs", job["id"] + ".log"), outdir)})
            results["measurements"].extend(ms)
            word = {"ok": "ok"}.get(status, status.upper())
            progress(f"({i}/{len(plan)}) {job['id']}: {word}, {len(ms)} measurements, "
                     f"{seconds:.1f} s" + ("" if status == "ok" else
                                            " - " + error.splitlines()[0]))
            if STOP["requested"]:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        interrupted = True
        progress("interrupted: cleaning up and writing what was measured")
        kill_session(CURRENT["proc"])
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if netns_up:
            subprocess.run([os.path.join(HERE, "netns"), "down", str(args.netns_id)], check=False)

    recorded = {j["id"] for j in results["jobs"]}
    for j in plan:
        if j["id"] in recorded:
            continue
        if j.get("skipped"):
            status, error = "skipped", j["skipped"]
        elif interrupted:
            status, error = "interrupted", "not run: the harness was interrupted (Ctrl-C / TERM)"
        else:
            continue
        results["jobs"].append({"id": j["id"], "section": j["section"], "network": j["network"],
                                "backend": j["backend"], "status": status, "error": error,
                                "seconds": 0, "measurements": 0})
    for s in sections:
        rec = results["sections"][s["name"]]
        if rec["status"] != "planned":
            continue
        jobs = [j for j in results["jobs"] if j["section"] == s["name"]]
        bad = [j for j in jobs if j["status"] not in ("ok", "skipped")]
        if not any(j["status"] == "ok" for j in jobs) and not bad:
            rec["status"], rec["note"] = "not run (--networks)", \
                "no selected network runs this section"
        else:
            rec["status"] = "failed" if jobs and len(bad) == len(jobs) else \
                "partial" if bad or interrupted else "ok"
    results["interrupted"] = interrupted
    results["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    results["wall_seconds"] = round(time.monotonic() - T0, 1)
    results["load_average_end"] = loadavg()
    results["cpu_busy_after"] = cpu_busy(1.0)
    results["steal_share"] = steal_share(results.pop("cpu_times_start"), cpu_times())
    try:
        results["derived"] = report.derive(results)
    except Exception as e:  # never lose the measurements to a bug in the summary
        results["derived"] = {"error": f"{type(e).__name__}: {e}"}
    path = os.path.join(outdir, "results.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=1, sort_keys=False)
        f.write("\n")
    progress(f"wrote {os.path.relpath(path, ROOT)} ({len(results['measurements'])} measurements)")
    try:
        made = report.write(results, outdir)
        progress(f"wrote {os.path.relpath(os.path.join(outdir, 'report.md'), ROOT)}"
                 f" and {made} plot(s)")
    except Exception as e:  # the JSON is written; a report bug must not lose it
        progress(f"report failed: {type(e).__name__}: {e}")
        if args.check:
            raise
    if args.out is None:  # bench/results/latest -> this run
        latest = os.path.join(ROOT, "bench", "results", "latest")
        try:
            if os.path.islink(latest):
                os.remove(latest)
            if not os.path.exists(latest):
                os.symlink(os.path.basename(outdir), latest)
        except OSError:
            pass
    rc = 130 if interrupted else 0
    if args.check:
        r = subprocess.run([sys.executable, os.path.join(HERE, "check_results.py"), path])
        rc = rc or r.returncode
    return rc


if __name__ == "__main__":
    sys.exit(main())
