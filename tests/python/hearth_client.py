"""An independent asyncio test client for hearthd, and a server fixture.

Written from the wire schema (proto/hearth/v1/*.proto), not from the C++
client, so that the integration tests check the server against the protocol
rather than against a second copy of the same assumptions.

Environment:
  HEARTH_BIN       path of the hearthd binary (default: build/debug/server/app/hearthd)
  HEARTH_PY_PROTO  directory holding the generated hearth/v1/*_pb2.py modules
                   (default: build/debug/proto/python)

Only Debian's /usr/bin/python3 with python3-websockets (10.x, asyncio API) and
python3-protobuf is supported.
"""

import asyncio
import base64
import collections
import hashlib
import hmac
import http.client
import json
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTO_DIR = os.environ.get("HEARTH_PY_PROTO") or os.path.join(_REPO, "build", "debug", "proto",
                                                              "python")
HEARTH_BIN = os.environ.get("HEARTH_BIN") or os.path.join(_REPO, "build", "debug", "server",
                                                          "app", "hearthd")
if PROTO_DIR not in sys.path:
    sys.path.insert(0, PROTO_DIR)

import websockets  # noqa: E402  (python3-websockets, asyncio API)
from hearth.v1 import envelope_pb2 as pb  # noqa: E402
from hearth.v1 import errors_pb2 as errors  # noqa: E402,F401  (re-exported)
from hearth.v1 import floor_pb2 as floor  # noqa: E402  (FloorCommand and its actions)
from hearth.v1 import lobby_pb2 as lob  # noqa: E402  (LobbyCommand and its actions)
from hearth.v1 import role_pb2 as roles  # noqa: E402
from hearth.v1 import room_pb2 as room  # noqa: E402

SUBPROTOCOL = "hearth.v1"
WS_PATH = "/v1/ws"
DEFAULT_TIMEOUT = 3.0  # seconds to wait for something that must arrive
QUIET_PERIOD = 0.3     # seconds of silence that count as "nothing arrives"

ROLE_NAMES = {
    "facilitator": roles.ROLE_FACILITATOR,
    "co_facilitator": roles.ROLE_CO_FACILITATOR,
    "participant": roles.ROLE_PARTICIPANT,
    "family_member": roles.ROLE_FAMILY_MEMBER,
    "observer": roles.ROLE_OBSERVER,
}


# --------------------------------------------------------------------------- framing

def encode_varint(value):
    if value < 0:
        raise ValueError("varint must be non-negative")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(data, pos):
    """Returns (value, new_pos); raises ValueError on a truncated varint."""
    result = 0
    shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def frame_bytes(*payloads):
    """One frame of already serialized messages, each prefixed by its varint length."""
    return b"".join(encode_varint(len(p)) + p for p in payloads)


def encode_frame(*messages):
    return frame_bytes(*(m.SerializeToString() for m in messages))


def split_frame(data):
    """The serialized messages of one frame; ValueError if the framing is broken."""
    out = []
    pos = 0
    while pos < len(data):
        length, pos = decode_varint(data, pos)
        if pos + length > len(data):
            raise ValueError("message length %d runs past the frame end" % length)
        out.append(bytes(data[pos:pos + length]))
        pos += length
    return out


def decode_server_frame(data):
    messages = []
    for raw in split_frame(data):
        message = pb.ServerMessage()
        message.ParseFromString(raw)
        messages.append(message)
    return messages


def describe(message):
    """A one-line rendering of a protobuf message for assertion messages."""
    from google.protobuf import text_format
    return text_format.MessageToString(message, as_one_line=True)


# --------------------------------------------------------------------------- client

class Closed(Exception):
    """The WebSocket closed while a message was awaited."""

    def __init__(self, code, reason):
        super().__init__("connection closed with code %s (%r)" % (code, reason))
        self.code = code
        self.reason = reason


class ProtocolViolation(AssertionError):
    """The server sent something the protocol does not allow."""


class HearthClient:
    """One WebSocket connection speaking hearth.v1.

    recv() returns the next ServerMessage that is not a Ping; Pings are
    answered with a Pong carrying the same nonce (unless auto_pong is off).
    A Disconnect is returned like any other message and also kept in
    `disconnect`; once the socket closes, recv() raises Closed. auto_pong may
    be False (never answer) or a function of the nonce (answer with its value).
    """

    def __init__(self, ws, label=""):
        self.ws = ws
        self.label = label
        self.auto_pong = True
        self.pings = []            # Ping messages seen, in order
        self.disconnect = None     # the Disconnect message, if one arrived
        self.frames = 0            # binary frames received
        self.max_messages_per_frame = 0
        self._pending = collections.deque()
        self._next_request_id = 1
        self.member_id = None
        self.waiting_id = 0  # set while waiting in the lobby
        self.join_result = None
        self.hello_result = None

    # ---- connection

    @classmethod
    async def connect(cls, port, *, origin=None, subprotocols=(SUBPROTOCOL,), path=WS_PATH,
                      label="", host="127.0.0.1", tls=None):
        """`tls`: an ssl.SSLContext to connect with wss://; None for plain ws://."""
        ws = await websockets.connect(
            "%s://%s:%d%s" % ("wss" if tls is not None else "ws", host, port, path),
            subprotocols=list(subprotocols) if subprotocols else None,
            origin=origin,
            compression=None,
            max_size=None,
            ping_interval=None,   # the server pings at the application level
            open_timeout=DEFAULT_TIMEOUT,
            close_timeout=1,
            **({"ssl": tls} if tls is not None else {}),
        )
        return cls(ws, label)

    @property
    def tls_object(self):
        """The connection's ssl.SSLObject (version(), cipher()), or None over ws://."""
        return self.ws.transport.get_extra_info("ssl_object")

    @property
    def close_code(self):
        return self.ws.close_code

    @property
    def close_reason(self):
        return self.ws.close_reason

    @property
    def is_open(self):
        return self.ws.open

    async def close(self, code=1000):
        try:
            await asyncio.wait_for(self.ws.close(code), 2)
        except Exception:  # noqa: BLE001 - teardown must not fail on a dead peer
            self.drop()

    def drop(self):
        """Vanish without a close handshake (like a lost network)."""
        transport = self.ws.transport
        if transport is not None:
            transport.abort()

    # ---- sending

    def next_request_id(self):
        rid = self._next_request_id
        self._next_request_id += 1
        return rid

    async def send(self, *messages):
        """Sends ClientMessages together in one binary frame."""
        await self.ws.send(encode_frame(*messages))

    async def send_raw(self, data):
        """Sends bytes (one binary frame) or str (one text frame) as given."""
        await self.ws.send(data)

    def make(self, request_id=None, **command):
        """A ClientMessage with one command, e.g. make(hello=pb.Hello(token=t))."""
        if request_id is None:
            request_id = self.next_request_id()
        return pb.ClientMessage(request_id=request_id, **command)

    async def command(self, request_id=None, **command):
        message = self.make(request_id, **command)
        await self.send(message)
        return message.request_id

    async def send_hello(self, token, request_id=None):
        return await self.command(request_id, hello=pb.Hello(
            token=token, client_name="hearth-pytest", client_version="0.1.0"))

    async def send_join(self, room_id="", resume=None, request_id=None):
        join = pb.JoinRoom(room_id=room_id)
        if resume is not None:
            join.resume.CopyFrom(resume)
        return await self.command(request_id, join_room=join)

    async def send_chat(self, text, scope=room.CHAT_SCOPE_ROOM, client_msg_id=0,
                        request_id=None):
        return await self.command(request_id, send_chat=pb.SendChat(
            text=text, scope=scope, client_msg_id=client_msg_id))

    async def send_typing(self, active=True, request_id=0):
        return await self.command(request_id, typing=pb.Typing(active=active))

    async def send_leave(self, request_id=None):
        return await self.command(request_id, leave_room=pb.LeaveRoom())

    async def send_floor(self, request_id=None, **action):
        """A FloorCommand with one action, e.g. send_floor(raise_hand=floor.RaiseHand())."""
        return await self.command(request_id, floor=floor.FloorCommand(**action))

    # ---- receiving

    async def recv(self, timeout=DEFAULT_TIMEOUT):
        """The next non-Ping ServerMessage. asyncio.TimeoutError if none arrives
        in time; Closed once the connection has closed and nothing is pending."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._pending:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise asyncio.TimeoutError("%s: nothing received within %.2fs"
                                           % (self.label or "client", timeout))
            try:
                data = await asyncio.wait_for(self.ws.recv(), remaining)
            except websockets.ConnectionClosed:
                raise Closed(self.ws.close_code, self.ws.close_reason) from None
            if isinstance(data, str):
                raise ProtocolViolation("server sent a text frame: %r" % data[:80])
            self.frames += 1
            try:
                messages = decode_server_frame(data)
            except Exception as e:  # noqa: BLE001
                raise ProtocolViolation("undecodable server frame: %s" % e) from e
            if not messages:
                raise ProtocolViolation("server sent an empty frame")
            self.max_messages_per_frame = max(self.max_messages_per_frame, len(messages))
            for message in messages:
                if message.HasField("ping"):
                    self.pings.append(message.ping)
                    if callable(self.auto_pong):
                        await self._pong(self.auto_pong(message.ping.nonce))
                    elif self.auto_pong:
                        await self._pong(message.ping.nonce)
                    continue
                if message.HasField("disconnect"):
                    if self.disconnect is not None:
                        raise ProtocolViolation("a second Disconnect")
                    self.disconnect = message.disconnect
                self._pending.append(message)
        return self._pending.popleft()

    async def _pong(self, nonce):
        try:
            await self.send(pb.ClientMessage(request_id=0, pong=pb.Pong(nonce=nonce)))
        except websockets.ConnectionClosed:
            pass

    async def recv_event(self, timeout=DEFAULT_TIMEOUT):
        message = await self.recv(timeout)
        if not message.HasField("event"):
            raise AssertionError("%s: expected an Event, got %s"
                                 % (self.label, describe(message)))
        return message.event

    async def wait_reply(self, request_id, timeout=DEFAULT_TIMEOUT):
        """Reads up to the Reply for request_id; returns (reply, messages before it)."""
        before = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.recv(max(0.0, deadline - loop.time()))
            if message.HasField("reply") and message.reply.request_id == request_id:
                return message.reply, before
            before.append(message)

    async def expect_reply(self, request_id, outcome, timeout=DEFAULT_TIMEOUT):
        """The very next message must be the Reply to request_id with `outcome`
        set (e.g. "join" or "error"); returns the Reply."""
        message = await self.recv(timeout)
        if not (message.HasField("reply") and message.reply.request_id == request_id):
            raise AssertionError("%s: expected Reply %d, got %s"
                                 % (self.label, request_id, describe(message)))
        if message.reply.WhichOneof("outcome") != outcome:
            raise AssertionError("%s: expected Reply.%s, got %s"
                                 % (self.label, outcome, describe(message)))
        return message.reply

    async def expect_silence(self, duration=QUIET_PERIOD):
        """Asserts that no message (other than Pings) arrives for `duration`."""
        try:
            message = await self.recv(duration)
        except asyncio.TimeoutError:
            return
        raise AssertionError("%s: expected nothing, got %s" % (self.label, describe(message)))

    async def recv_until_closed(self, timeout=DEFAULT_TIMEOUT):
        """Every message until the close; returns (messages, close_code)."""
        messages = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                messages.append(await self.recv(max(0.0, deadline - loop.time())))
            except Closed as closed:
                return messages, closed.code

    # ---- flows

    async def hello(self, token, timeout=DEFAULT_TIMEOUT):
        rid = await self.send_hello(token)
        reply = await self.expect_reply(rid, "hello", timeout)
        self.hello_result = reply.hello
        return reply.hello

    async def join(self, room_id="", resume=None, timeout=DEFAULT_TIMEOUT):
        """Joins; a join that waits in the lobby leaves member_id 0 and sets
        waiting_id (see admitted())."""
        rid = await self.send_join(room_id, resume)
        reply = await self.expect_reply(rid, "join", timeout)
        self.join_result = reply.join
        self.member_id = reply.join.member_id
        self.waiting_id = reply.join.lobby.waiting_id if reply.join.HasField("lobby") else 0
        return reply.join

    async def admitted(self, timeout=DEFAULT_TIMEOUT):
        """Reads up to ServerMessage.admitted (only lobby notices may come
        first); becomes the member it names. Returns the JoinResult."""
        while True:
            message = await self.recv(timeout)
            if message.HasField("admitted"):
                break
            if not message.HasField("lobby"):
                raise AssertionError("%s: expected admission, got %s"
                                     % (self.label, describe(message)))
        self.join_result = message.admitted.join
        self.member_id = message.admitted.join.member_id
        self.waiting_id = 0
        return message.admitted.join

    async def lobby(self, request_id=None, **action):
        """A LobbyCommand with one action, e.g. lobby(admit=lob.Admit(waiting_id=1));
        waits for its reply and returns (reply, messages before it)."""
        rid = await self.command(request_id, lobby=lob.LobbyCommand(**action))
        return await self.wait_reply(rid)

    async def chat(self, text, scope=room.CHAT_SCOPE_ROOM, client_msg_id=0,
                   timeout=DEFAULT_TIMEOUT):
        """Sends a chat and waits for its reply; returns (reply, messages before it)."""
        rid = await self.send_chat(text, scope, client_msg_id)
        return await self.wait_reply(rid, timeout)


# --------------------------------------------------------------------------- tokens

def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(obj):
    return b64url(json.dumps(obj, separators=(",", ":")))


def key_id(key):
    return hashlib.sha256(key).hexdigest()[:8]


def sign(key, signing_input):
    return b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())


def craft_token(key, *, header=None, claims=None, signature=None):
    """A compact JWS over exactly the given header and claims. `signature`
    overrides the HMAC (e.g. "" for an unsigned token)."""
    signing_input = b64url_json(header) + "." + b64url_json(claims)
    if signature is None:
        signature = sign(key, signing_input)
    return signing_input + "." + signature


# --------------------------------------------------------------------------- server

def _die_with_parent():
    """In the child: get SIGKILL when the test process dies (e.g. a CTest
    timeout), so no hearthd outlives its test run."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; cleanup() still kills it
        pass


class HearthServer:
    """A hearthd process in its own temporary data directory.

    start() launches it on 127.0.0.1:0 and waits for the port file; stop()
    sends SIGTERM and returns the exit code; cleanup() kills it if it still
    runs and removes the directory. Use cleanup() as a test cleanup so a
    failing test never leaves a server behind.

    With tls=True, start() first makes a fresh self-signed P-256 certificate
    for 127.0.0.1 in the directory and serves wss:// with it; client_tls()
    gives a client context that trusts exactly that certificate.
    """

    def __init__(self, *extra_args, binary=None, tls=False):
        self.binary = binary or HEARTH_BIN
        self.extra_args = [str(a) for a in extra_args]
        self.tls = tls
        self.dir = None
        self.proc = None
        self.port = None
        self._log = None

    @property
    def data_dir(self):
        return os.path.join(self.dir, "data")

    @property
    def log_path(self):
        return os.path.join(self.dir, "hearthd.log")

    @property
    def cert_path(self):
        return os.path.join(self.dir, "cert.pem")

    @property
    def key_path(self):
        return os.path.join(self.dir, "key.pem")

    def _make_certificate(self):
        # A new key per server, so no test depends on a certificate kept in the tree.
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", self.key_path, "-out", self.cert_path, "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True, timeout=30)

    def client_tls(self):
        """A client context that verifies the server against its own certificate."""
        if not self.tls:
            raise RuntimeError("this server speaks plain ws")
        return ssl.create_default_context(cafile=self.cert_path)

    def start(self, timeout=10.0):
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError("hearthd binary not found: %s (set HEARTH_BIN)" % self.binary)
        # A restart keeps the directory, and with it the key and the database.
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="hearth-py-")
        port_file = os.path.join(self.dir, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        if self._log is not None:
            self._log.close()
        if self.tls:
            self._make_certificate()
            transport = ["--tls-cert", self.cert_path, "--tls-key", self.key_path]
        else:
            transport = ["--insecure-plaintext"]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "--listen", "127.0.0.1:0", "--data-dir", self.data_dir,
             "--port-file", port_file] + transport + self.extra_args,
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while True:
            if os.path.exists(port_file):
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    return self
            if self.proc.poll() is not None:
                raise RuntimeError("hearthd exited with %s before listening:\n%s"
                                   % (self.proc.returncode, self.log_text()))
            if time.monotonic() > deadline:
                raise RuntimeError("hearthd did not write its port file:\n" + self.log_text())
            time.sleep(0.01)

    @property
    def origin(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def log_text(self, tail=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-tail:]
        except OSError:
            return ""

    def log_events(self):
        """The server's structured log lines, parsed."""
        out = []
        for line in self.log_text(tail=10 ** 7).splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    # ---- tokens

    @property
    def key(self):
        with open(os.path.join(self.data_dir, "signing.key")) as f:
            return bytes.fromhex(f.read().strip())

    def mint(self, room_id, role, subject, name, ttl=None, audience=None, issuer=None):
        """A token from `hearthd mint-token` with this server's key."""
        args = [self.binary, "mint-token", "--data-dir", self.data_dir, "--room", room_id,
                "--role", role, "--subject", subject, "--name", name]
        if ttl is not None:
            args += ["--ttl", str(ttl)]
        if audience is not None:
            args += ["--audience", audience]
        if issuer is not None:
            args += ["--issuer", issuer]
        out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=10)
        return out.stdout.strip()

    def claims(self, room_id="room", role="participant", subject=None, name="Pat", **overrides):
        """Valid claims (iat/nbf now, exp in an hour) updated with overrides;
        an override of None removes the claim."""
        now = int(time.time())
        c = {"sub": subject or "sub-" + secrets.token_hex(4), "name": name, "room": room_id,
             "role": role, "iss": "hearthd", "aud": "hearth", "jti": secrets.token_hex(12),
             "iat": now, "nbf": now, "exp": now + 3600}
        for k, v in overrides.items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = v
        return c

    def header(self, **overrides):
        h = {"alg": "HS256", "typ": "JWT", "kid": key_id(self.key)}
        h.update(overrides)
        return h

    def craft(self, claims=None, header=None, signature=None, key=None):
        return craft_token(key or self.key, header=header or self.header(),
                           claims=claims or self.claims(), signature=signature)

    # ---- life cycle

    def send_signal(self, signum=signal.SIGTERM):
        if self.running:
            self.proc.send_signal(signum)

    def stop(self, timeout=10.0):
        """SIGTERM, then wait; returns the exit code (kills on timeout and raises)."""
        if self.proc is None:
            return None
        self.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("hearthd ignored SIGTERM for %.1fs:\n%s"
                               % (timeout, self.log_text()))

    async def wait_exit(self, timeout=10.0):
        """Polls (without blocking the event loop) until the process exits."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("hearthd still running after %.1fs:\n%s"
                                   % (timeout, self.log_text()))
            await asyncio.sleep(0.01)
        return self.proc.returncode

    async def astop(self, timeout=10.0):
        """SIGTERM without blocking the event loop, so connected clients can
        still answer the close handshake; returns the exit code."""
        if self.proc is None:
            return None
        self.send_signal(signal.SIGTERM)
        return await self.wait_exit(timeout)

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.dir is not None and not os.environ.get("HEARTH_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------- raw HTTP

def upgrade_request(port, headers=None, path=WS_PATH):
    """The bytes of a WebSocket upgrade request with the given extra headers
    (None drops a default one)."""
    base = {
        "Host": "127.0.0.1:%d" % port,
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(secrets.token_bytes(16)).decode(),
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Protocol": SUBPROTOCOL,
    }
    for k, v in (headers or {}).items():
        if v is None:
            base.pop(k, None)
        else:
            base[k] = v
    request = "GET %s HTTP/1.1\r\n" % path
    return (request + "".join("%s: %s\r\n" % kv for kv in base.items()) + "\r\n").encode()


def masked_frame(payload):
    """A client's binary frame around `payload`, masked as RFC 6455 requires."""
    mask = secrets.token_bytes(4)
    n = len(payload)
    if n < 126:
        head = bytes([0x82, 0x80 | n])
    elif n < 65536:
        head = bytes([0x82, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x82, 0x80 | 127]) + n.to_bytes(8, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def upgrade_with_messages(port, *messages, tls=None, timeout=DEFAULT_TIMEOUT):
    """Writes an upgrade request and, without waiting for the 101, one frame
    per ClientMessage right behind it, all in one write; returns (reader,
    writer) once the 101 has been read."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls)
    writer.write(upgrade_request(port) + b"".join(masked_frame(encode_frame(m)) for m in messages))
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    if not head.startswith(b"HTTP/1.1 101"):
        writer.close()
        raise AssertionError("upgrade refused: %r" % head)
    return reader, writer


async def read_server_frame(reader, timeout=DEFAULT_TIMEOUT):
    """The ServerMessages of the next (binary, unfragmented) frame."""
    first, second = await asyncio.wait_for(reader.readexactly(2), timeout)
    if first != 0x82:
        raise AssertionError("expected a final binary frame, got 0x%02x" % first)
    length = second & 0x7F
    if length == 126:
        length = int.from_bytes(await reader.readexactly(2), "big")
    elif length == 127:
        length = int.from_bytes(await reader.readexactly(8), "big")
    return decode_server_frame(await asyncio.wait_for(reader.readexactly(length), timeout))


async def http_upgrade(port, headers=None, path=WS_PATH, timeout=DEFAULT_TIMEOUT, tls=None):
    """Sends one WebSocket upgrade request with exactly the given extra headers
    (None drops a default one), over TLS when `tls` (an ssl.SSLContext) is given;
    returns (status, headers dict lower-cased, body)."""
    request = upgrade_request(port, headers, path)
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls)
    try:
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        response_headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                response_headers[k.strip().lower()] = v.strip()
        body = b""
        length = int(response_headers.get("content-length", "0"))
        if status != 101 and length:
            body = await asyncio.wait_for(reader.readexactly(length), timeout)
        return status, response_headers, body.decode(errors="replace")
    finally:
        writer.close()


def http_request(port, method, target, headers=None, body=None, timeout=DEFAULT_TIMEOUT, tls=None):
    """One HTTP/1.1 request through http.client, blocking (wrap it in
    asyncio.to_thread inside a test's event loop); `target` is sent as given.
    Returns (status, headers dict lower-cased, body bytes)."""
    if tls is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    else:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, data
    finally:
        conn.close()
