#!/usr/bin/python3
"""Runs the fan-out benchmark (docs/performance.md): Hearth against the epoll relay
(the loopback limit), a Node `ws` relay and a socket.io relay, on workloads W0-W7.

Each measurement starts a fresh server pinned to one core, runs hearth-loadgen pinned
to another, and stops the server. Contestants are interleaved and repeated. Results go
to <out>/results.jsonl (one line per measurement) and <out>/summary.md."""
import argparse
import datetime
import json
import math
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from contestants import CONTESTANTS, REFERENCE, RELEASE, ROOT
from criteria import ALL_WORKLOADS, HEARTH_VARIANTS, passes
from machine import log, machine_info, pauses, raise_fd_limit, wait_until_idle
from measure import Runner, utc_now
from summary import write_summary

LOADGEN = RELEASE / "bench" / "loadgen" / "hearth-loadgen"
MAX_SEARCH_STEPS = 30
REFINE_STEPS = 2  # x1.118, then x1.057


@dataclass(frozen=True)
class Spec:
    """One measurement's shape, passed to the server and the load generator."""
    workload: str
    point: str
    rooms: int
    members: int
    rate: float                # total messages/s; 0 = idle
    payload: int = 64
    warmup: float = 3
    duration: float = 10
    churn: float = 0
    slow_permille: int = 0
    tls: bool = False
    coedit: bool = False       # W8: the rate is of edits to one session sheet per room

    @property
    def connections(self):
        return self.rooms * self.members

    @property
    def offered_deliveries(self):
        return self.rate * (self.members - 1)


# ---- workloads ----

@dataclass(frozen=True)
class Plan:
    """Sizes for a full or a short run."""
    rooms: int
    members: int
    warmup: float
    duration: float
    w0_connections: int
    w0_tls: bool               # W0 also over wss (full runs: short mode stays under 2 min)
    w1_fractions: tuple
    w1_fixed_rate: float       # short mode: W1 at this rate instead of fractions
    w2_start: float
    w2_search: bool
    w3_sizes: tuple
    w3_connections: int
    w3_fraction: float
    w4_payloads: tuple
    w4_rate: float
    w5_churn: float
    w6_permille: int
    w8_rooms: int
    w8_members: int
    w8_rates: tuple            # edits/s over all members
    pause_probe_s: float       # the machine's pauses, measured before and after the run


FULL = Plan(rooms=1000, members=10, warmup=3, duration=10, w0_connections=18_000, w0_tls=True,
            w1_fractions=(0.10, 0.25, 0.50, 0.75), w1_fixed_rate=0, w2_start=4000,
            w2_search=True, w3_sizes=(2, 6, 10, 15, 50), w3_connections=10_000, w3_fraction=0.25,
            w4_payloads=(40, 256, 1024, 4096, 16384, 65536), w4_rate=500, w5_churn=200,
            w6_permille=10, w8_rooms=100, w8_members=10, w8_rates=(500, 1000, 2000, 4000, 8000),
            pause_probe_s=5)
SHORT = Plan(rooms=50, members=10, warmup=2, duration=3, w0_connections=600, w0_tls=False,
             w1_fractions=(), w1_fixed_rate=1000, w2_start=2000, w2_search=False,
             w3_sizes=(2, 50), w3_connections=500, w3_fraction=0.25, w4_payloads=(40, 65536),
             w4_rate=200, w5_churn=20, w6_permille=100, w8_rooms=20, w8_members=5,
             w8_rates=(200,), pause_probe_s=1)
SHORT_WORKLOADS = ("W0", "W1", "W2", "W8")
NEEDS_CAPACITY = {"W1", "W3", "W5", "W6", "W7"}


def base_spec(plan, workload, point, rate):
    return Spec(workload, point, plan.rooms, plan.members, rate,
                warmup=plan.warmup, duration=plan.duration)


def w1_points(plan, capacity, workload="W1"):
    if not plan.w1_fractions:
        return [base_spec(plan, workload, f"{plan.w1_fixed_rate:g}/s", plan.w1_fixed_rate)]
    return [base_spec(plan, workload, f"{f:.0%}", capacity * f) for f in plan.w1_fractions]


def half_load(plan, capacity, workload):
    """W5-W7 run at 50% of the reference capacity (the fixed W1 rate in short mode)."""
    rate = plan.w1_fixed_rate if not plan.w1_fractions else capacity * 0.5
    label = f"{rate:g}/s" if not plan.w1_fractions else "50%"
    return base_spec(plan, workload, label, rate)


def workload_points(workload, plan, capacity, w0_connections):
    """The measurement shapes of a workload; W2 is a search and handled apart."""
    if workload == "W0":
        rooms = w0_connections // 12
        idle = replace(base_spec(plan, "W0", f"{rooms * 12} conns", 0), rooms=rooms, members=12,
                       warmup=1, duration=min(plan.duration, 5))
        # The same held over wss: a TLS session keeps its own buffers, reported apart.
        return [idle] + ([replace(idle, point=f"{rooms * 12} conns TLS", tls=True)]
                         if plan.w0_tls else [])
    if workload == "W1":
        return w1_points(plan, capacity)
    if workload == "W3":
        deliveries = (plan.w1_fixed_rate * (plan.members - 1) if not plan.w1_fractions
                      else capacity * (plan.members - 1) * plan.w3_fraction)
        return [replace(base_spec(plan, "W3", f"{m} members", deliveries / (m - 1)),
                        rooms=max(1, plan.w3_connections // m), members=m) for m in plan.w3_sizes]
    if workload == "W4":
        return [replace(base_spec(plan, "W4", f"{p} B", plan.w4_rate), payload=p)
                for p in plan.w4_payloads]
    if workload == "W5":
        return [replace(half_load(plan, capacity, "W5"), churn=plan.w5_churn)]
    if workload == "W6":
        return [replace(half_load(plan, capacity, "W6"), slow_permille=plan.w6_permille)]
    if workload == "W7":
        return [replace(half_load(plan, capacity, "W7"), tls=True)]
    if workload == "W8":
        return [replace(base_spec(plan, "W8", f"{rate:g} edits/s", rate), rooms=plan.w8_rooms,
                        members=plan.w8_members, payload=40, coedit=True)
                for rate in plan.w8_rates]
    raise ValueError(workload)


def w0_connection_count(plan, nofile):
    """Rooms of 12 that fit below the descriptor limit, with room for other files."""
    fit = max(12, (nofile - 500) // 12 * 12)
    return min(plan.w0_connections, fit)


# ---- W2: capacity search ----

def capacity_search(runner, contestant, plan, repeat):
    """Raises the rate x1.25 from the start until a step fails, or lowers it until one
    passes if the start already fails; then halves the last step between the highest
    pass and the lowest failure (geometrically) REFINE_STEPS times, so the capacity is
    known within 6%, not 25%. Returns the highest passing rate or None. Stops the x1.25
    search early when a step gives no usable numbers (failure, or the generator lagging).
    A step over the p99 budget is measured once more and fails only if that fails too:
    one pause of the machine (several ms) puts a single window's p99 over 10 ms, and
    every contestant gets the same second chance."""
    def measure(rate, index, phase, retry):
        spec = base_spec(plan, "W2", f"{rate:.0f}/s", rate)
        extra = {"search_step": index, "search_phase": phase}
        if retry:
            extra["search_retry"] = True
        record = runner.measure(contestant, spec, repeat, extra)
        return passes(record), record["ok"] and not record["generator_bound"]

    def step(rate, index, phase):
        passed, usable = measure(rate, index, phase, retry=False)
        if usable and not passed and plan.w2_search:
            passed, usable = measure(rate, index, phase, retry=True)
        return passed, usable

    rate = plan.w2_start
    passed, usable = step(rate, 0, "scale")
    if not plan.w2_search or not usable:
        return rate if passed else None
    factor = 1.25 if passed else 1 / 1.25
    best, failed = (rate, None) if passed else (None, rate)
    index = 0
    for index in range(1, MAX_SEARCH_STEPS):
        rate *= factor
        passed, usable = step(rate, index, "scale")
        if passed:
            best = rate
        else:
            failed = rate
        if not usable or passed != (factor > 1):
            break
    if best is None or failed is None or failed < best:
        return best
    for index in range(index + 1, index + 1 + REFINE_STEPS):
        rate = math.sqrt(best * failed)
        passed, _ = step(rate, index, "refine")
        if passed:
            best = rate
        else:
            failed = rate
    return best


# ---- the run ----

def run_w2(runner, plan, names, repeats):
    """Returns the reference (epoll) capacity: the median over repeats."""
    found = []
    for repeat in range(1, repeats + 1):
        for name in names:
            capacity = capacity_search(runner, CONTESTANTS[name], plan, repeat)
            if name == REFERENCE and capacity is not None:
                found.append(capacity)
    return statistics.median(found) if found else None


def run_workload(runner, workload, plan, names, repeats, capacity, w0_connections):
    points = workload_points(workload, plan, capacity, w0_connections)
    if workload == "W7":
        names = [n for n in names if CONTESTANTS[n].tls]
    if workload == "W8":  # worksheets are Hearth's own: the relays have nothing to run
        names = [n for n in names if n in HEARTH_VARIANTS]
    for repeat in range(1, repeats + 1):
        for spec in points:
            for name in names:
                if spec.tls and not CONTESTANTS[name].tls:
                    continue  # the epoll relay speaks plain WebSocket only
                runner.measure(CONTESTANTS[name], spec, repeat)


def build(names):
    targets = sorted({"hearth-loadgen"} | {CONTESTANTS[n].build_target for n in names} - {""})
    log(f"building: {' '.join(targets)}")
    subprocess.run([str(ROOT / "scripts" / "build.sh"), "release", "--target", *targets],
                   check=True, cwd=ROOT)
    subprocess.run([str(ROOT / "scripts" / "bench-deps.sh")], check=True, cwd=ROOT)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--short", action="store_true",
                   help="small and quick (under two minutes): proves the harness works")
    p.add_argument("--workloads", help="comma-separated, e.g. W1,W2 (default: all; "
                   f"with --short: {','.join(SHORT_WORKLOADS)})")
    p.add_argument("--repeats", type=int, help="default 3 (1 with --short)")
    p.add_argument("--contestants", default="hearth,epoll,node-ws,socketio,hearth-mt")
    p.add_argument("--out", type=Path, help="default bench/results/<UTC timestamp>/")
    p.add_argument("--capacity", type=float,
                   help="reference capacity in messages/s; skips the epoll W2 search when "
                   "W2 itself is not selected")
    p.add_argument("--idle-wait", type=float,
                   help="longest wait for an idle machine, seconds (default 30; 10 with --short, "
                   "which asserts no numbers and must finish in two minutes)")
    p.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    p.add_argument("--loadgen", type=Path, default=LOADGEN, help="the load generator binary")
    p.add_argument("--summarize", type=Path, metavar="DIR",
                   help="only rewrite DIR/summary.md from DIR/results.jsonl")
    args = p.parse_args(argv)
    args.workloads = (args.workloads.split(",") if args.workloads
                      else list(SHORT_WORKLOADS if args.short else ALL_WORKLOADS))
    args.contestants = args.contestants.split(",")
    for w in args.workloads:
        if w not in ALL_WORKLOADS:
            p.error(f"unknown workload {w}")
    for c in args.contestants:
        if c not in CONTESTANTS:
            p.error(f"unknown contestant {c} (known: {', '.join(CONTESTANTS)})")
    if args.repeats is None:
        args.repeats = 1 if args.short else 3
    if args.idle_wait is None:
        args.idle_wait = 10 if args.short else 30
    return args


def run(args):
    plan = SHORT if args.short else FULL
    needs_reference = (bool(NEEDS_CAPACITY & set(args.workloads)) and args.capacity is None
                       and plan.w1_fractions)
    names = args.contestants
    if not args.no_build:
        build(set(names) | ({REFERENCE} if needs_reference else set()))
    out = args.out or ROOT / "bench" / "results" / datetime.datetime.now(
        datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True, exist_ok=True)
    nofile = raise_fd_limit()
    w0_connections = w0_connection_count(plan, nofile)
    meta = {"command": " ".join(["bench/run.py"] + sys.argv[1:]), "started": utc_now(),
            "short": args.short, "repeats": args.repeats, "contestants": names,
            "workloads": args.workloads, "plan": asdict(plan), "w0_connections": w0_connections,
            "machine": machine_info(nofile), "idle_check": wait_until_idle(args.idle_wait)}
    meta["pauses_before"] = pauses(plan.pause_probe_s)
    if w0_connections < plan.w0_connections:
        log(f"W0: {w0_connections} connections fit the descriptor limit ({nofile})")
    write_meta(out, meta)
    runner = Runner(out, args.loadgen)

    # W2 runs first, the reference first: its capacity sets the other workloads' rates.
    w2_names = [n for n in names if n != REFERENCE] if "W2" in args.workloads else []
    if REFERENCE in names and "W2" in args.workloads or needs_reference:
        w2_names = [REFERENCE] + w2_names
    found = run_w2(runner, plan, w2_names, args.repeats) if w2_names else None
    capacity = args.capacity if args.capacity is not None else found
    meta["reference_capacity"] = capacity if plan.w2_search else None
    meta["reference_source"] = "--capacity" if args.capacity is not None else "epoll W2"
    for workload in [w for w in ALL_WORKLOADS if w in args.workloads and w != "W2"]:
        if workload in NEEDS_CAPACITY and plan.w1_fractions and not capacity:
            runner.failures.append(f"{workload}: skipped, no reference capacity (epoll W2)")
            continue
        run_workload(runner, workload, plan, names, args.repeats, capacity, w0_connections)

    meta.update(finished=utc_now(), failures=runner.failures,
                pauses_after=pauses(plan.pause_probe_s))
    write_meta(out, meta)
    write_summary(out)
    log(f"results: {out / 'results.jsonl'}\nsummary: {out / 'summary.md'}")
    for failure in runner.failures:
        log(f"failed: {failure}")
    return 1 if runner.failures else 0


def write_meta(out, meta):
    (out / "run.json").write_text(json.dumps(meta, indent=2) + "\n")


def main(argv):
    args = parse_args(argv)
    if args.summarize:
        write_summary(args.summarize)
        return 0
    try:
        return run(args)
    except subprocess.CalledProcessError as e:
        log(f"failed: {' '.join(map(str, e.cmd))} (status {e.returncode})")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
