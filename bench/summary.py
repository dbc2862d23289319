"""Summary tables of a benchmark run: medians per contestant and the ratios of
Hearth to the epoll limit, Node ws and socket.io (written by bench/run.py, or
rewritten from results.jsonl with `bench/run.py --summarize DIR`)."""
import json

from criteria import (ALL_WORKLOADS, GENERATOR_CPU_LIMIT, HEARTH_VARIANTS, LOADGEN_CPU,
                      MIN_DELIVERY_RATIO, P99_BUDGET_US, PEERS, SEND_LAG_LIMIT_US, SERVER_CPU,
                      median, metric, ms, num, passes, ratio)


# (heading, path in the loadgen object, scale, digits)
STEADY_COLUMNS = [
    ("deliveries/s", "deliveries_per_second", 1, 0),
    ("CPU/delivery (us)", "cpu_per_delivery_us", 1, 2),
    ("p50 (ms)", "latency_us.p50", 1e-3, 2),
    ("p99 (ms)", "latency_us.p99", 1e-3, 2),
    ("p99.9 (ms)", "latency_us.p999", 1e-3, 2),
    ("max (ms)", "latency_us.max", 1e-3, 1),
    ("delivery ratio", "delivery_ratio", 1, 4),
    ("send lag p99 (ms)", "send_lag_p99_us", 1e-3, 2),
    ("RSS/conn (B)", "rss_per_connection_bytes", 1, 0),
]
IDLE_COLUMNS = [
    ("connections", "connections", 1, 0),
    ("connect (s)", "connect_seconds", 1, 2),
    ("joins/s", "joins_per_second", 1, 0),
    ("server CPU/join (us)", "server_cpu_per_join_us", 1, 0),
    ("generator CPU joining", "generator_cpu_share_joining", 1, 2),
    ("RSS/conn (B)", "rss_per_connection_bytes", 1, 0),
    ("slab/conn (B)", "slab_per_connection_bytes", 1, 0),
    ("RSS after (MB)", "server_rss_after_kb", 1 / 1024, 1),
]
# Ratios shown per workload: (heading, path); below 1 favours Hearth except where noted.
STEADY_RATIOS = [("CPU/delivery", "cpu_per_delivery_us"), ("p99", "latency_us.p99"),
                 ("delivery ratio", "delivery_ratio"),
                 ("RSS/conn", "rss_per_connection_bytes")]
# What W5 (churn) and W6 (slow consumers) are about, shown beside the steady columns.
EXTRA_COLUMNS = {
    "W5": [("churn joins", "churn_joined", 1, 0), ("RSS after (MB)", "server_rss_after_kb",
                                                   1 / 1024, 1)],
    "W6": [("slow members closed", "slow_members_closed_by_server", 1, 0),
           ("steady members lost", "steady_members_lost", 1, 0),
           ("RSS after (MB)", "server_rss_after_kb", 1 / 1024, 1)],
    "W8": [("durable edits/s", "durable_edits_per_second", 1, 0),
           ("ack p50 (ms)", "ack_latency_us.p50", 1e-3, 2),
           ("ack p99 (ms)", "ack_latency_us.p99", 1e-3, 2),
           ("ack p99.9 (ms)", "ack_latency_us.p999", 1e-3, 2),
           ("ack max (ms)", "ack_latency_us.max", 1e-3, 1)],
}
IDLE_RATIOS = [("RSS/conn", "rss_per_connection_bytes"),
               ("slab/conn", "slab_per_connection_bytes"), ("joins/s", "joins_per_second"),
               ("CPU/join", "server_cpu_per_join_us")]


def scaled(value, scale):
    return None if value is None else value * scale


def medians(records, path):
    """contestant -> median over repeats of one metric (failed runs left out)."""
    by = {}
    for r in records:
        if r.get("ok") and r.get("result"):
            by.setdefault(r["contestant"], []).append(metric(r["result"], path))
    return {name: median(values) for name, values in by.items()}


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def contestant_table(records, names, columns):
    rows = []
    for name in names:
        mine = [r for r in records if r["contestant"] == name]
        good = [r for r in mine if r.get("ok") and r.get("result")]
        cells = [num(scaled(medians(good, path).get(name), scale), digits)
                 for _, path, scale, digits in columns]
        flags = "" if len(good) == len(mine) else f" ({len(mine) - len(good)} failed)"
        if any(r.get("generator_bound") for r in good):
            flags += " †"
        rows.append([name + flags, f"{len(good)}/{len(mine)}"] + cells)
    return table(["contestant", "runs ok"] + [c[0] for c in columns], rows)


def ratio_table(values_by_metric):
    """values_by_metric: [(heading, {contestant: value})] -> Hearth/peer rows."""
    names = set().union(*(v.keys() for _, v in values_by_metric)) if values_by_metric else set()
    rows = []
    for mine in [h for h in HEARTH_VARIANTS if h in names]:
        for peer in [p for p in PEERS if p in names]:
            cells = [num(ratio(v.get(mine), v.get(peer)), 2) for _, v in values_by_metric]
            rows.append([f"{mine} / {peer}"] + cells)
    if not rows:
        return []
    return table(["ratio"] + [h for h, _ in values_by_metric], rows)


def point_section(workload, point, records, names):
    spec = records[0]["spec"]
    lines = [f"### {workload} {point}", "", spec_line(spec), ""]
    idle = workload == "W0"
    columns = IDLE_COLUMNS if idle else STEADY_COLUMNS + EXTRA_COLUMNS.get(workload, [])
    lines += contestant_table(records, names, columns)
    ratios = ratio_table([(h, medians(records, path))
                          for h, path in (IDLE_RATIOS if idle else STEADY_RATIOS)])
    return lines + ([""] + ratios if ratios else []) + [""]


def spec_line(spec):
    if not spec["rate"]:
        return (f"{spec['rooms']} rooms x {spec['members']} members, idle, held "
                f"{spec['warmup'] + spec['duration']:g} s after joining.")
    text = (f"{spec['rooms']} rooms x {spec['members']} members, payload {spec['payload']} B, "
            f"{spec['rate']:,.0f} {'edits' if spec.get('coedit') else 'messages'}/s offered "
            f"({spec['rate'] * (spec['members'] - 1):,.0f} deliveries/s), "
            f"warm-up {spec['warmup']:g} s, window {spec['duration']:g} s")
    extras = [f"churn {spec['churn']:g}/s" if spec.get("churn") else "",
              f"slow rooms {spec['slow_permille']} per mille" if spec.get("slow_permille") else "",
              "TLS" if spec.get("tls") else ""]
    return text + "".join(f", {e}" for e in extras if e) + "."


def capacity_results(records):
    """(contestant, repeat) -> the passing step with the highest rate (or None)."""
    best = {}
    for r in records:
        key = (r["contestant"], r["repeat"])
        best.setdefault(key, None)
        if passes(r) and (best[key] is None or r["spec"]["rate"] > best[key]["spec"]["rate"]):
            best[key] = r
    return best


def capacity_section(records, names):
    best = capacity_results(records)
    lines = [f"Highest offered rate with p99 <= {P99_BUDGET_US / 1000:g} ms and delivery ratio "
             f">= {MIN_DELIVERY_RATIO}; median over repeats; CPU and p99 at that rate. The best "
             "search is shown too: the machine's pauses only ever lower a capacity, so the best "
             "is the least disturbed of the searches.", ""]
    capacity, best_found, rows = {}, {}, []
    for name in names:
        steps = [b for (c, _), b in best.items() if c == name]
        if not steps:
            continue
        found = [b for b in steps if b is not None]
        rate = median([b["spec"]["rate"] for b in found])
        members = records[0]["spec"]["members"]
        capacity[name] = rate
        best_found[name] = max((b["spec"]["rate"] for b in found), default=None)
        bound = any(r.get("generator_bound") for r in records if r["contestant"] == name)
        rows.append([name + (" †" if bound else ""), f"{len(found)}/{len(steps)}", num(rate, 0),
                     num(scaled(rate, members - 1), 0),
                     num(median([metric(b["result"], "cpu_per_delivery_us") for b in found]), 2),
                     num(ms(median([metric(b["result"], "latency_us.p99") for b in found])), 2),
                     num(best_found[name], 0)])
    lines += table(["contestant", "searches with a pass", "messages/s", "deliveries/s",
                    "CPU/delivery (us)", "p99 (ms)", "best search (messages/s)"], rows)
    ratios = ratio_table([("capacity", capacity), ("best search", best_found)])
    return lines + ([""] + ratios if ratios else []) + [""]


def reference_line(meta):
    if meta.get("short"):
        return "Short run: fixed rates, no capacity search."
    return (f"Reference capacity ({meta.get('reference_source', 'epoll W2')}): "
            f"{num(meta.get('reference_capacity'), 0)} messages/s.")


WORKLOAD_TITLES = {"W0": "idle connections", "W1": "steady load", "W2": "capacity",
                   "W3": "room size", "W4": "payload size", "W5": "churn",
                   "W6": "slow consumers", "W7": "TLS", "W8": "co-editing"}


def pause_text(reading):
    cpus = (reading or {}).get("cpus")
    if not cpus:
        return "not measured"
    parts = []
    for cpu, r in sorted(cpus.items()):
        parts.append(f"CPU {cpu}: none" if not r["pauses"] else
                     f"CPU {cpu}: {r['pauses']} ({r['paused_share']:.1%} of the time, "
                     f"longest {r['longest_ms']:g} ms)")
    return ", ".join(parts)


def pause_line(meta):
    before = meta.get("pauses_before")
    if before is None:
        return []
    return [f"Machine pauses (a thread spinning alone on each CPU for {before['seconds']:g} s, "
            f"gaps over {before['over_ms']:g} ms): before the run {pause_text(before)}; after "
            f"it {pause_text(meta.get('pauses_after'))}. A quiet machine has none. Where "
            "there are many, tail latencies (and W2's p99 criterion with them) measure the "
            "machine's pauses as much as the server.", ""]


def header_lines(meta):
    machine = meta.get("machine", {})
    idle = meta.get("idle_check", {})
    dirty = " with uncommitted changes" if machine.get("uncommitted_changes") else ""
    return [
        "# Fan-out benchmark", "",
        f"Command: `{meta.get('command', '?')}`, started {meta.get('started', '?')}, "
        f"commit {machine.get('commit', '?')}{dirty}.", "",
        f"Machine: {machine.get('cpus', '?')} x {machine.get('cpu', '?')}, "
        f"{machine.get('memory_mb', '?')} MB, Linux {machine.get('kernel', '?')}, "
        f"Node {machine.get('node', '?')}, ulimit -n {machine.get('nofile', '?')}. "
        f"Server on CPU {SERVER_CPU}, generator on CPU {LOADGEN_CPU}.", "",
        f"Idle check: {idle.get('busy_cores', '?')} cores busy before the run "
        f"(waited {idle.get('waited_seconds', '?')} s"
        f"{'' if idle.get('idle', True) else ', NOT idle'}).", "", *pause_line(meta),
        f"{reference_line(meta)} Values are medians over {meta.get('repeats', '?')} repeat(s), "
        "failed runs left out. Ratios are Hearth / peer: below 1 favours Hearth for CPU, "
        "latency and memory; above 1 for capacity, delivery ratio and joins/s. "
        "† = in some run the generator's send lag p99 was above "
        f"{SEND_LAG_LIMIT_US / 1000:g} ms or it used >= {GENERATOR_CPU_LIMIT:.0%} of its core "
        "(it, not the server, may have set the pace). W0: where the generator's CPU share "
        "while joining is near 1, joins/s is the generator's limit and the server's CPU per "
        "join is the figure that compares servers.", ""]


def summary_markdown(meta, records):
    names = meta.get("contestants") or sorted({r["contestant"] for r in records})
    lines = header_lines(meta)
    if meta.get("failures"):
        lines += ["Failures:", ""] + [f"- {f}" for f in meta["failures"]] + [""]
    for workload in ALL_WORKLOADS:
        mine = [r for r in records if r["workload"] == workload]
        if not mine:
            continue
        lines += [f"## {workload} {WORKLOAD_TITLES[workload]}", ""]
        if workload == "W2":
            lines += capacity_section(mine, names)
            continue
        for point in dict.fromkeys(r["point"] for r in mine):
            lines += point_section(workload, point, [r for r in mine if r["point"] == point],
                                   names)
    return "\n".join(lines)


def write_summary(out):
    meta_path = out / "run.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    with open(out / "results.jsonl") as f:
        records = [json.loads(line) for line in f if line.strip()]
    (out / "summary.md").write_text(summary_markdown(meta, records))
