"""The servers a run compares: how each is started, which generator mode speaks to it,
and where it runs."""
import os
from dataclasses import dataclass
from pathlib import Path

from criteria import LOADGEN_CPU, SERVER_CPU

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "build" / "release"
HEARTHD = RELEASE / "server" / "app" / "hearthd"
EPOLL_RELAY = RELEASE / "bench" / "peers" / "hearth-epoll-relay"
NODE_PEERS = ROOT / "bench" / "peers" / "node"


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
