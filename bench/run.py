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
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from criteria import (ALL_WORKLOADS, HEARTH_VARIANTS, LOADGEN_CPU, SERVER_CPU, generator_bound,
                      metric, ms, num, passes)
from machine import log, machine_info, pauses, raise_fd_limit, wait_until_idle
from summary import write_summary

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "build" / "release"
HEARTHD = RELEASE / "server" / "app" / "hearthd"
LOADGEN = RELEASE / "bench" / "loadgen" / "hearth-loadgen"
EPOLL_RELAY = RELEASE / "bench" / "peers" / "hearth-epoll-relay"
NODE_PEERS = ROOT / "bench" / "peers" / "node"

START_TIMEOUT_S, STOP_TIMEOUT_S = 15, 15
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


# ---- contestants ----

def hearth_argv(threads, extra=()):
    def argv(tmp, port_file, spec):
        args = [str(HEARTHD), "--listen", "127.0.0.1:0", "--data-dir", str(tmp),
                "--port-file", str(port_file), "--threads", str(threads), "--log-level", "warn",
                "--max-members", "64", "--rate-per-second", "1000", "--rate-burst", "2000",
                "--history-events", "256", *extra]
        args += tls_args(tmp) if spec.tls else ["--insecure-plaintext"]
        if spec.payload > 4000:  # W4: chat text above Hearth's default limit
            args += ["--max-chat-bytes", str(spec.payload),
                     "--max-message-bytes", str(spec.payload + 4096)]
        return args
    return argv


def epoll_argv(tmp, port_file, spec):
    return [str(EPOLL_RELAY), "--port", "0", "--port-file", str(port_file)]


def node_argv(script):
    def argv(tmp, port_file, spec):
        args = ["node", str(NODE_PEERS / script), "--port", "0", "--port-file", str(port_file)]
        return args + (tls_args(tmp) if spec.tls else [])
    return argv


def tls_args(tmp):
    return ["--tls-cert", str(tmp / "cert.pem"), "--tls-key", str(tmp / "key.pem")]


@dataclass(frozen=True)
class Contestant:
    name: str
    mode: str            # hearth-loadgen --mode
    argv: object         # (tmp, port_file, spec) -> server command line
    tls: bool
    build_target: str


CONTESTANTS = {
    "hearth": Contestant("hearth", "hearth", hearth_argv(1), True, "hearthd"),
    "epoll": Contestant("epoll", "raw", epoll_argv, False, "hearth-epoll-relay"),
    "node-ws": Contestant("node-ws", "raw", node_argv("ws_relay.js"), True, ""),
    "socketio": Contestant("socketio", "socketio", node_argv("socketio_relay.js"), True, ""),
    "hearth-mt": Contestant("hearth-mt", "hearth", hearth_argv(2), True, "hearthd"),
    # Hearth sending one system call per recipient, as before send batching.
    "hearth-unbatched": Contestant("hearth-unbatched", "hearth",
                                   hearth_argv(1, ["--batch-sends=false"]), True, "hearthd"),
}
REFERENCE = "epoll"


def server_cpus(name):
    """hearth-mt gets every core but the generator's; on a 2-core machine that is one
    core, so there it shows the cost of its threads rather than their scaling."""
    if name != "hearth-mt" or os.cpu_count() <= 2:
        return str(SERVER_CPU)
    return ",".join(str(c) for c in range(os.cpu_count()) if c != LOADGEN_CPU)


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


# ---- one measurement ----

class StartError(Exception):
    pass


def taskset(cpus):
    return ["taskset", "-c", cpus]


def make_cert(tmp):
    done = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-keyout", str(tmp / "key.pem"),
                           "-out", str(tmp / "cert.pem")], capture_output=True, text=True)
    if done.returncode != 0:
        raise StartError(f"openssl could not make a certificate: {done.stderr.strip()}")


def start_server(contestant, spec, tmp, log_file):
    """Starts the server and waits for its port file; returns (process, port)."""
    port_file = tmp / "port"
    if spec.tls:
        make_cert(tmp)
    argv = taskset(server_cpus(contestant.name)) + contestant.argv(tmp, port_file, spec)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log_file,
                            stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StartError(f"{contestant.name} exited with status {proc.returncode}")
        if port_file.exists():
            text = port_file.read_text()
            if text.endswith("\n"):
                return proc, int(text)
        time.sleep(0.02)
    stop_server(proc)
    raise StartError(f"{contestant.name} wrote no port file within {START_TIMEOUT_S} s")


def stop_server(proc):
    """SIGTERM, then SIGKILL if it hangs; returns the exit status (None if killed)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None
    return proc.returncode


def loadgen_argv(loadgen, contestant, spec, port, pid, tmp):
    args = taskset(str(LOADGEN_CPU)) + [
        str(loadgen), "--mode", contestant.mode, "--host", "127.0.0.1", "--port", str(port),
        "--rooms", str(spec.rooms), "--members", str(spec.members), "--rate", f"{spec.rate:.6g}",
        "--payload", str(spec.payload), "--warmup", f"{spec.warmup:g}",
        "--duration", f"{spec.duration:g}", "--server-pid", str(pid),
        "--label", f"{contestant.name} {spec.workload} {spec.point}"]
    if contestant.mode == "hearth":
        args += ["--data-dir", str(tmp)]
    if spec.churn:
        args += ["--churn", f"{spec.churn:g}"]
    if spec.slow_permille:
        args += ["--slow-rooms-permille", str(spec.slow_permille)]
    if spec.tls:
        args += ["--tls"]
    if spec.coedit:
        args += ["--coedit"]
    return args


def run_loadgen(argv, spec, log_file):
    """Returns (exit status, the JSON object or None, problem text or None)."""
    timeout = spec.warmup + spec.duration + 60 + spec.connections / 200
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=log_file, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None, f"loadgen did not finish within {timeout:.0f} s"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    try:
        result = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        result = None
    if not isinstance(result, dict):
        return done.returncode, None, (f"loadgen exited with status {done.returncode} and "
                                       "printed no JSON object")
    if done.returncode != 0:
        return done.returncode, result, f"loadgen exited with status {done.returncode}"
    return 0, result, None


class Runner:
    """Runs measurements and appends each one to results.jsonl as it finishes."""

    def __init__(self, out, loadgen):
        self.out = out
        self.loadgen = loadgen
        self.count = 0
        self.failures = []
        (out / "logs").mkdir(parents=True, exist_ok=True)
        self.results = open(out / "results.jsonl", "w")

    def measure(self, contestant, spec, repeat, extra=None):
        self.count += 1
        stem = f"{self.count:04d}-{spec.workload}-{contestant.name}"
        record = {"contestant": contestant.name, "workload": spec.workload, "point": spec.point,
                  "repeat": repeat, "spec": asdict(spec), "server_cpus":
                  server_cpus(contestant.name), "started": utc_now(), **(extra or {}),
                  "ok": False, "result": None, "generator_bound": False}
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp_name:
            self._run(contestant, spec, Path(tmp_name), stem, record)
        record["wall_seconds"] = round(time.monotonic() - t0, 1)
        self.results.write(json.dumps(record) + "\n")
        self.results.flush()
        log(f"[{self.count}] {describe(record)}")
        return record

    def _run(self, contestant, spec, tmp, stem, record):
        with open(self.out / "logs" / f"{stem}.server.log", "w") as server_log, \
                open(self.out / "logs" / f"{stem}.loadgen.log", "w") as loadgen_log:
            try:
                proc, port = start_server(contestant, spec, tmp, server_log)
            except StartError as e:
                self._fail(record, f"server did not start: {e}")
                return
            try:
                argv = loadgen_argv(self.loadgen, contestant, spec, port, proc.pid, tmp)
                status, result, problem = run_loadgen(argv, spec, loadgen_log)
            finally:
                record["server_exit"] = stop_server(proc)
        record.update(loadgen_exit=status, result=result, ok=problem is None)
        if problem:
            self._fail(record, problem)
        record["generator_bound"] = generator_bound(result)

    def _fail(self, record, problem):
        record.update(ok=False, problem=problem)
        self.failures.append(f"{record['contestant']} {record['workload']} "
                             f"{record['point']}: {problem}")


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(record):
    head = f"{record['workload']} {record['point']} {record['contestant']} r{record['repeat']}"
    r = record.get("result")
    if not r:
        return f"{head}: FAILED ({record.get('problem')})"
    text = (f"{head}: {num(r.get('deliveries_per_second'), 0)} deliveries/s, "
            f"CPU {num(r.get('cpu_per_delivery_us'), 2)} us/delivery, "
            f"p99 {num(ms(metric(r, 'latency_us.p99')), 2)} ms, "
            f"ratio {num(r.get('delivery_ratio'), 4)}")
    if record["workload"] == "W0":
        text = (f"{head}: {r.get('connections')} connections, "
                f"{num(r.get('joins_per_second'), 0)} joins/s, "
                f"RSS {num(r.get('rss_per_connection_bytes'), 0)} B/connection")
    if not record["ok"]:
        text += f" FAILED ({record['problem']})"
    return text + (" [generator-bound]" if record.get("generator_bound") else "")


# ---- W2: capacity search ----

def capacity_search(runner, contestant, plan, repeat):
    """Raises the rate x1.25 from the start until a step fails, or lowers it until one
    passes if the start already fails; then halves the last step between the highest
    pass and the lowest failure (geometrically) REFINE_STEPS times, so the capacity is
    known within 6%, not 25%. Returns the highest passing rate or None. Stops the x1.25
    search early when a step gives no usable numbers (failure, or the generator lagging)."""
    def step(rate, index, phase):
        spec = base_spec(plan, "W2", f"{rate:.0f}/s", rate)
        record = runner.measure(contestant, spec, repeat,
                                {"search_step": index, "search_phase": phase})
        usable = record["ok"] and not record["generator_bound"]
        return passes(record), usable

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
