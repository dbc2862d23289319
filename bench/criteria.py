"""What the benchmark runner and its summary share: where things run, when a
measurement passes, and how values are read from a generator's result."""
import os
import statistics

SERVER_CPU = 0
LOADGEN_CPU = 1 if (os.cpu_count() or 1) > 1 else 0  # one core: shared, and recorded
P99_BUDGET_US = 10_000       # W2 pass criteria, from BENCHMARK.md
MIN_DELIVERY_RATIO = 0.999
# Latency counts from the scheduled send time, so generator lag is already inside it;
# beyond these the generator, not the server, set the pace and the run says little.
SEND_LAG_LIMIT_US = 5_000
GENERATOR_CPU_LIMIT = 0.9
HEARTH_VARIANTS = ("hearth", "hearth-mt", "hearth-unbatched")
PEERS = ("epoll", "node-ws", "socketio")
ALL_WORKLOADS = ("W0", "W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8")


def metric(result, path):
    value = result
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def ms(us):
    return None if us is None else us / 1000


def num(value, digits):
    if value is None:
        return "-"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    return None if a is None or not b else a / b


def generator_bound(result):
    result = result or {}
    return ((result.get("send_lag_p99_us") or 0) > SEND_LAG_LIMIT_US
            or (result.get("generator_cpu_share") or 0) >= GENERATOR_CPU_LIMIT)


def error_count(result):
    errors = result.get("errors") or 0
    return len(errors) if isinstance(errors, (list, dict)) else errors


def passes(record):
    r = record.get("result")
    if not record["ok"] or not r or record.get("generator_bound"):
        return False
    p99 = metric(r, "latency_us.p99")
    ratio = r.get("delivery_ratio")
    return (p99 is not None and p99 <= P99_BUDGET_US and ratio is not None
            and ratio >= MIN_DELIVERY_RATIO and not error_count(r))
