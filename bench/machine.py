"""The machine a run measures on: its descriptor limit, what it is, whether it is idle,
and how often it pauses a running thread."""
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from criteria import LOADGEN_CPU, SERVER_CPU

ROOT = Path(__file__).resolve().parent.parent
IDLE_BUSY_CORES = 0.2
PAUSE_NS = 1_000_000  # a spinning thread's gap longer than this counts as a pause

# Spins for argv[1] seconds reading the clock; prints the gaps above PAUSE_NS (count,
# total ns) and the longest gap. On a quiet machine a thread alone on its core is never
# off it that long; on a shared VM the host takes the core away now and then, and a
# server's tail latency (W2's p99 criterion included) then measures those pauses.
PAUSE_PROBE = """
import sys, time
clock = time.monotonic_ns
limit = int(sys.argv[2])
end = clock() + int(float(sys.argv[1]) * 1e9)
prev = clock()
count = total = longest = 0
while prev < end:
    now = clock()
    gap = now - prev
    if gap > limit:
        count += 1
        total += gap
        longest = max(longest, gap)
    prev = now
print(count, total, longest)
"""


def log(message):
    print(message, file=sys.stderr, flush=True)


def raise_fd_limit():
    """Children inherit it: W0 holds ~18,000 sockets in the server and in the generator."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def busy_ticks():
    """All CPUs' non-idle time so far (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    return sum(fields) - fields[3] - fields[4]  # minus idle and iowait


def process_ticks():
    ticks = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                data = f.read()
        except OSError:
            continue
        rest = data[data.rindex(")") + 2:].split()
        ticks[int(entry)] = (data[data.index("(") + 1:data.rindex(")")],
                             int(rest[11]) + int(rest[12]))
    return ticks


def sample_load(seconds=2.0):
    """Busy cores over the interval (all processes, so short-lived compilers count too)
    and the busiest processes by name."""
    hz = os.sysconf("SC_CLK_TCK")
    busy0 = busy_ticks()
    procs0 = process_ticks()
    t0 = time.monotonic()
    time.sleep(seconds)
    busy1 = busy_ticks()
    procs1 = process_ticks()
    elapsed = time.monotonic() - t0
    top = []
    for pid, (comm, ticks) in procs1.items():
        if pid in procs0 and pid != os.getpid():
            share = (ticks - procs0[pid][1]) / hz / elapsed
            if share > 0.05:
                top.append({"pid": pid, "comm": comm, "cores": round(share, 2)})
    top.sort(key=lambda p: -p["cores"])
    return {"busy_cores": round((busy1 - busy0) / hz / elapsed, 2), "busiest": top[:5]}


def wait_until_idle(max_wait):
    """Warns and waits (up to max_wait seconds) while the machine is busier than a
    fifth of a core; returns the last reading."""
    start = time.monotonic()
    while True:
        reading = sample_load()
        reading["waited_seconds"] = round(time.monotonic() - start, 1)
        reading["idle"] = reading["busy_cores"] <= IDLE_BUSY_CORES
        if reading["idle"] or time.monotonic() - start >= max_wait:
            break
        names = ", ".join(f"{p['comm']} ({p['cores']:.2f})" for p in reading["busiest"]) or "?"
        log(f"machine busy: {reading['busy_cores']:.2f} cores in use ({names}); waiting")
    if not reading["idle"]:
        log(f"warning: still busy after {max_wait} s; measuring anyway (recorded)")
    return reading


def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def proc_field(path, name):
    with open(path) as f:
        return next((line.split(":", 1)[1].strip() for line in f if line.startswith(name)), "?")


def machine_info(nofile):
    model = proc_field("/proc/cpuinfo", "model name")
    mem_kb = int(proc_field("/proc/meminfo", "MemTotal").split()[0])
    return {"cpu": model, "cpus": os.cpu_count(), "memory_mb": mem_kb // 1024,
            "kernel": platform.release(), "nofile": nofile,
            "node": command_output(["node", "--version"]),
            "commit": command_output(["git", "rev-parse", "--short", "HEAD"]),
            "uncommitted_changes": bool(command_output(["git", "status", "--porcelain"]))}



def pauses(seconds):
    """Spins a probe on the server's core and on the generator's at once; per CPU, the
    pauses over PAUSE_NS: how many, their share of the time and the longest (ms)."""
    cpus = sorted({SERVER_CPU, LOADGEN_CPU})
    probes = {cpu: subprocess.Popen(["taskset", "-c", str(cpu), sys.executable, "-c",
                                     PAUSE_PROBE, str(seconds), str(PAUSE_NS)],
                                    stdout=subprocess.PIPE, text=True) for cpu in cpus}
    readings = {}
    for cpu, probe in probes.items():
        out, _ = probe.communicate(timeout=seconds + 30)
        if probe.returncode != 0 or len(out.split()) != 3:
            continue
        count, total, longest = (int(x) for x in out.split())
        readings[str(cpu)] = {"pauses": count, "paused_share": round(total / (seconds * 1e9), 4),
                              "longest_ms": round(longest / 1e6, 1)}
    return {"seconds": seconds, "over_ms": PAUSE_NS / 1e6, "cpus": readings}
