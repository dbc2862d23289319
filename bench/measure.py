"""One measurement: a fresh server pinned to its core, the load generator pinned to
another, and the record of what they did (appended to results.jsonl)."""
import datetime
import json
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from contestants import ROOT, server_cpus
from criteria import LOADGEN_CPU, generator_bound, metric, ms, num
from machine import log

START_TIMEOUT_S, STOP_TIMEOUT_S = 15, 15


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
