#!/usr/bin/python3
"""Writes the seed corpus for the fuzz harnesses into tests/fuzz/corpus/.

Seeds are regenerated from this file, so they stay reviewable: valid frames,
tokens, WebSocket frames and client streams to start from, and one example of
each way they can be broken.
Inputs the fuzzer later found worth keeping sit next to them (named by their
SHA-1, as libFuzzer's -merge=1 writes them) and are left alone here.

Needs the generated Python protobuf (build any preset first):
    /usr/bin/python3 tests/fuzz/make_corpus.py [build/debug/proto/python]
"""
import base64
import hashlib
import hmac
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/debug/proto/python"))

from hearth.v1 import envelope_pb2 as pb  # noqa: E402
from hearth.v1 import errors_pb2, role_pb2, room_pb2  # noqa: E402
from hearth.v1 import floor_pb2 as fl  # noqa: E402
from hearth.v1 import lobby_pb2 as lob  # noqa: E402
from hearth.v1 import moderation_pb2 as mod  # noqa: E402
from hearth.v1 import poll_pb2 as pl  # noqa: E402
from hearth.v1 import safety_pb2 as sf  # noqa: E402

NOW = 1_700_000_000  # token_fuzz.cpp verifies at this time
KEY = bytes(0x5A ^ i for i in range(32))  # token_fuzz.cpp: make_key(0x5a)
KID = hashlib.sha256(KEY).digest()[:4].hex()


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def record(message):
    body = message.SerializeToString() if hasattr(message, "SerializeToString") else message
    return varint(len(body)) + body


def client(**fields):
    m = pb.ClientMessage(request_id=fields.pop("request_id", 1))
    for name, value in fields.items():
        getattr(m, name).CopyFrom(value)
    return m


def frame_seeds():
    hello = client(hello=pb.Hello(token="eyJhbGciOiJIUzI1NiJ9.e30.sig", client_name="hearth-cli",
                                  client_version="0.1.0"))
    join = client(request_id=2, join_room=pb.JoinRoom(room_id="room-7"))
    resume = client(request_id=3, join_room=pb.JoinRoom(
        room_id="room-7", resume=pb.ResumePosition(epoch="ab12", last_seq=40, last_direct_seq=3)))
    chat = client(request_id=4, send_chat=pb.SendChat(text="hello, room", scope=room_pb2.CHAT_SCOPE_ROOM,
                                                     client_msg_id=77))
    private = client(request_id=5, send_chat=pb.SendChat(text="just for you", client_msg_id=78,
                                                        scope=room_pb2.CHAT_SCOPE_FACILITATORS))
    leave = client(request_id=6, leave_room=pb.LeaveRoom())
    typing = client(request_id=0, typing=pb.Typing(active=True))
    pong = client(request_id=0, pong=pb.Pong(nonce=2**63 + 5))
    raise_hand = client(request_id=7, floor=fl.FloorCommand(raise_hand=fl.RaiseHand()))
    start_round = client(request_id=8, floor=fl.FloorCommand(start_round=fl.StartRound(
        order=fl.ROUND_ORDER_CUSTOM, custom_order=[3, 1, 2], shuffle_seed=42,
        timing=fl.TurnTiming(budget_ms=90000, warning_before_ms=15000,
                             on_expiry=fl.EXPIRY_ACTION_NOTIFY),
        late_joiners=fl.LATE_JOINERS_LEAVE_OUT, label="Check-in")))
    reorder = client(request_id=9, floor=fl.FloorCommand(reorder_round=fl.ReorderRound(
        member_ids=[4, 2, 9])))
    distress = client(request_id=10, signal_distress=sf.SignalDistress())
    acknowledge = client(request_id=11, acknowledge_distress=sf.AcknowledgeDistress(signal_id=1))
    direct = client(request_id=12, send_chat=pb.SendChat(text="see me after", client_msg_id=79,
                                                        scope=room_pb2.CHAT_SCOPE_PRIVATE,
                                                        to_member_id=3))

    seeds = {
        "hello": record(hello), "join": record(join), "join_resume": record(resume),
        "chat": record(chat), "chat_private": record(private), "leave": record(leave),
        "typing": record(typing), "pong": record(pong),
        "floor_raise_hand": record(raise_hand), "floor_start_round": record(start_round),
        "floor_reorder": record(reorder), "distress": record(distress),
        "distress_ack": record(acknowledge), "chat_private_to_member": record(direct),
        "lobby_admit_attest": record(client(request_id=13, lobby=lob.LobbyCommand(
            admit=lob.Admit(waiting_id=2, attest_consent=True)))),
        "lobby_deny_ban": record(client(request_id=14, lobby=lob.LobbyCommand(
            deny=lob.Deny(waiting_id=3, ban=True)))),
        "lobby_message": record(client(request_id=15, lobby=lob.LobbyCommand(
            set_message=lob.SetLobbyMessage(text="we start at ten past")))),
        "lobby_step_out": record(client(request_id=16, lobby=lob.LobbyCommand(
            step_out=lob.StepOut(member_id=4)))),
        "moderation_ban": record(client(request_id=17, moderation=mod.Moderation(
            ban=mod.BanMember(member_id=4)))),
        "moderation_break": record(client(request_id=18, moderation=mod.Moderation(
            start_break=mod.StartBreak(duration_ms=300000)))),
        "moderation_lead": record(client(request_id=19, moderation=mod.Moderation(
            transfer_lead=mod.TransferLead(member_id=2)))),
        "poll_start_choices": record(client(request_id=20, poll=pl.PollCommand(
            start=pl.StartPoll(question="How are you right now?",
                               choices=pl.PollChoices(choices=["good", "so-so", "rough"]))))),
        "batch_hello_join_chat": record(hello) + record(join) + record(chat),
        "batch_16_chats": record(chat) * 16,
        "batch_17_chats_too_many": record(chat) * 17,
        "empty_frame": b"",
        "empty_record": b"\x00",
        "overlong_zero_length": b"\x80\x00",
        "truncated_body": record(chat)[:-1],
        "truncated_length": varint(300)[:1],
        "length_only": varint(300),
        "length_past_end": varint(50) + chat.SerializeToString()[:10],
        "trailing_byte": record(chat) + b"\xff",
        "varint_unterminated": b"\x80",
        "varint_eleven_bytes": b"\xff" * 11,
        "varint_2pow32_plus_1": b"\x81\x80\x80\x80\x10" + b"\x08",
        "varint_10_bytes_wraps": b"\x80" * 9 + b"\x02",
        "field_zero": b"\x02\x00\x00",
        "invalid_utf8_chat": record(client(send_chat=pb.SendChat(text="ok")))[:-1] + b"\xff",
        "unknown_command": record(b"\x98\x06\x01"),
        "end_group_top_level": record(b"\x0c"),
        "unknown_group": record(b"\x08\x01\xa3\x06\x08\x01\xa4\x06"),
        "wrong_wire_type": record(b"\x0d\x01\x02\x03\x04"),
        "nested_garbage": record(b"\x6a\x05\x0a\x03\xe2\x82\xac"),
    }
    rng = random.Random(20240501)  # fixed: the corpus must not change between runs
    for i in range(4):
        seeds["garbage_%d" % i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))

    # Server to client, as the C++ client decodes them.
    snapshot = room_pb2.RoomSnapshot(room_id="room-7", members=[
        room_pb2.Member(member_id=1, display_name="Sam", role=role_pb2.ROLE_FACILITATOR,
                        presence=room_pb2.PRESENCE_PRESENT, joined_at_ms=1)],
        recent_chat=[room_pb2.ChatMessage(from_member_id=1, text="welcome", scope=room_pb2.CHAT_SCOPE_ROOM)])
    replies = [
        pb.ServerMessage(reply=pb.Reply(request_id=1, hello=pb.HelloResult(
            server_version="0.1.0", room_id="room-7", role=role_pb2.ROLE_PARTICIPANT,
            token_expires_at_ms=NOW * 1000, ping_interval_ms=15000, pong_timeout_ms=10000,
            max_message_bytes=65536))),
        pb.ServerMessage(reply=pb.Reply(request_id=2, join=pb.JoinResult(
            room_id="room-7", epoch="ab12", head_seq=4, member_id=2, snapshot=snapshot))),
        pb.ServerMessage(reply=pb.Reply(request_id=3, error=errors_pb2.Error(
            code=errors_pb2.ERROR_CODE_PERMISSION_DENIED, message="not allowed"))),
        pb.ServerMessage(event=room_pb2.Event(room_id="room-7", seq=5, chat=room_pb2.ChatMessage(
            from_member_id=2, text="hi", scope=room_pb2.CHAT_SCOPE_ROOM))),
        pb.ServerMessage(ping=pb.Ping(nonce=9, server_time_ms=NOW * 1000)),
        pb.ServerMessage(lobby=lob.LobbyStatus(waiting_id=2, reason=lob.WAIT_REASON_ADMISSION,
                                               since_ms=NOW * 1000, message="soon")),
        pb.ServerMessage(admitted=pb.Admitted(join=pb.JoinResult(
            room_id="room-7", epoch="ab12", head_seq=5, member_id=3, snapshot=snapshot))),
        pb.ServerMessage(disconnect=pb.Disconnect(code=errors_pb2.CLOSE_CODE_GOING_AWAY,
                                                  reason="restart", reconnect=True)),
    ]
    seeds["server_batch"] = b"".join(record(m) for m in replies)
    return seeds


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(signed_part, key=KEY):
    return b64(hmac.new(key, signed_part.encode(), hashlib.sha256).digest())


def token(header, payload, key=KEY):
    part = b64(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64(json.dumps(payload, separators=(",", ":")).encode())
    return part + "." + sign(part, key)


def good_claims(**changes):
    claims = {"sub": "clinic:user-42", "name": "Alex", "room": "room-7", "role": "participant",
              "iss": "hearthd", "aud": "hearth", "jti": "jti-0001",
              "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 3600}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def token_seeds():
    header = {"alg": "HS256", "typ": "JWT", "kid": KID}
    good = token(header, good_claims())
    head, body, sig = good.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    seeds = {
        "valid": good,
        "valid_facilitator": token(header, good_claims(role="facilitator", name="Sam")),
        "expired": token(header, good_claims(exp=NOW - 31)),
        "exp_at_leeway_edge": token(header, good_claims(exp=NOW - 29)),
        "not_yet_valid": token(header, good_claims(nbf=NOW + 31)),
        "wrong_issuer": token(header, good_claims(iss="someone-else")),
        "wrong_audience": token(header, good_claims(aud="other")),
        "missing_sub": token(header, good_claims(sub=None)),
        "empty_name": token(header, good_claims(name="")),
        "bad_role": token(header, good_claims(role="admin")),
        "exp_is_string": token(header, good_claims(exp=str(NOW + 3600))),
        "exp_is_float": token(header, good_claims(exp=NOW + 0.5)),
        "exp_huge": token(header, good_claims(exp=2**64 - 1)),
        "unicode_name": token(header, good_claims(name="Zoë \u263a \U0001f600")),
        "alg_none": token({"alg": "none", "typ": "JWT"}, good_claims())[:-43 - 1] + ".",
        "alg_none_with_sig": token({"alg": "none", "kid": KID}, good_claims()),
        "alg_hs512": token({"alg": "HS512", "kid": KID}, good_claims()),
        "alg_not_string": token({"alg": ["HS256"], "kid": KID}, good_claims()),
        "unknown_kid": token({"alg": "HS256", "kid": "00000000"}, good_claims()),
        "other_key": token(header, good_claims(), key=bytes(0xA5 ^ i for i in range(32))),
        "tampered_signature": head + "." + body + "." + flipped,
        "tampered_payload": head + "." + b64(json.dumps(good_claims(role="facilitator")).encode()) + "." + sig,
        "padded_signature": good + "=",
        "noncanonical_last_char": good[:-1] + chr(ord(good[-1]) + 1),
        "missing_signature": head + "." + body,
        "empty_signature": head + "." + body + ".",
        "four_parts": good + ".x",
        "empty_parts": "..",
        "not_json": b64(b"not json") + "." + b64(b"{") + ".abc",
        "header_is_array": b64(b"[1,2]") + "." + body + "." + sig,
        "oversize": token(header, good_claims(name="x" * 4000)),
    }
    out = {name: text.encode() for name, text in seeds.items()}
    # JSON that the harness signs itself (fuzz_as_signed): a payload alone, or a
    # header and a payload on two lines. Only these reach the claim checks.
    kid_header = json.dumps(header) + "\n"
    signable = {
        "claims": json.dumps(good_claims()),
        "claims_with_header": kid_header + json.dumps(good_claims(role="observer")),
        "claims_unicode": json.dumps(good_claims(name="Zoë \u263a"), ensure_ascii=False),
        "claims_escaped": json.dumps(good_claims(name="A\u00e9/\"\\\t\u0000")),
        "claims_exp_uint64": json.dumps(good_claims(exp=2**63)),
        "claims_exp_negative": json.dumps(good_claims(exp=-1, nbf=-2**63)),
        "claims_duplicate_keys": json.dumps(good_claims())[:-1] + ', "role": "facilitator"}',
        "claims_wrong_types": json.dumps(good_claims(sub=5, iat=True)),
        "header_alg_none": '{"alg":"none"}\n' + json.dumps(good_claims()),
        "header_no_kid": '{"alg":"HS256"}\n' + json.dumps(good_claims()),
        "nested": '{"sub":{"a":[1,2,{"b":null}]},"exp":1e300}',
        "deep": "[" * 40 + "]" * 40,
        "not_object": "[]",
    }
    for name, text in signable.items():
        out["signable_" + name] = text.encode()
    out["signable_invalid_utf8"] = b'{"name":"\xff\xfe"}'
    # Recipes for the mint-and-tamper part: flags, role, then length-prefixed strings.
    out["recipe_minimal"] = bytes([0, 2, 1]) + b"s" + bytes([1]) + b"n" + bytes([1]) + b"r" + \
        bytes([1]) + b"j" + b"\x00\x00\x00\x00\x10\x00\x00\x05\x01"
    out["recipe_custom_issuer"] = bytes([1, 0, 3]) + b"abc" + bytes([2]) + b"nm" + bytes([1]) + \
        b"r" + bytes([1]) + b"j" + bytes([7]) + b"hearthd" + b"\x00" * 6 + b"\x00\x40\x11"
    out["recipe_wide_times"] = bytes([0x1C, 4]) + b"\x02ab\x02cd\x02ef\x02gh" + \
        b"\x7f" + b"\xff" * 7 + b"\x80" + b"\x00" * 7 + b"\x7f" + b"\xff" * 7 + b"\x00\x01\xff"
    out["recipe_long_strings"] = bytes([0, 1]) + (bytes([255]) + b"\x00" * 255) * 4 + b"\x12\x34\x56"
    return out


RFC_MASK = bytes([0x37, 0xFA, 0x21, 0x3D])  # RFC 6455 section 5.7


def ws_frame(opcode, payload=b"", fin=True, mask=RFC_MASK, first=None, length=None, form=None):
    """A client frame: masked unless mask is None; form forces 7/16/64-bit lengths."""
    length = len(payload) if length is None else length
    byte0 = first if first is not None else (0x80 if fin else 0) | opcode
    bit = 0x80 if mask is not None else 0
    if form == 64 or (form is None and length > 0xFFFF):
        head = bytes([byte0, bit | 127]) + length.to_bytes(8, "big")
    elif form == 16 or (form is None and length > 125):
        head = bytes([byte0, bit | 126]) + length.to_bytes(2, "big")
    else:
        head = bytes([byte0, bit | length])
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws_frame_seeds():
    close_reason = "restart \u00e9\u20ac\U0001f600 ".encode() * 8  # crosses 123 bytes
    seeds = {
        "rfc_masked_hello": ws_frame(0x1, b"Hello"),
        "rfc_masked_pong": ws_frame(0xA, b"Hello"),
        "rfc_unmasked_hello": ws_frame(0x1, b"Hello", mask=None),
        "rfc_fragments": ws_frame(0x1, b"Hel", fin=False) + ws_frame(0x0, b"lo"),
        "binary_256_16bit": ws_frame(0x2, bytes(range(256))),
        "binary_65536_header": ws_frame(0x2, length=65536),
        "binary_65537_too_big": ws_frame(0x2, length=65537),
        "binary_2pow62": ws_frame(0x2, length=2**62),
        "length_top_bit": ws_frame(0x2, length=2**63),
        "nonminimal_16bit": ws_frame(0x2, b"abc", form=16),
        "nonminimal_64bit": ws_frame(0x2, b"abc", form=64),
        "ping_125": ws_frame(0x9, b"p" * 125),
        "ping_126": ws_frame(0x9, b"p" * 126),
        "ping_not_final": ws_frame(0x9, b"p", fin=False),
        "close_empty": ws_frame(0x8),
        "close_one_byte": ws_frame(0x8, b"\x03"),
        "close_1000_reason": ws_frame(0x8, b"\x03\xe8bye"),
        "close_1004": ws_frame(0x8, b"\x03\xec"),
        "close_1005": ws_frame(0x8, b"\x03\xed"),
        "close_1006": ws_frame(0x8, b"\x03\xee"),
        "close_1015": ws_frame(0x8, b"\x03\xf7"),
        "close_2999": ws_frame(0x8, b"\x0b\xb7"),
        "close_3000": ws_frame(0x8, b"\x0b\xb8"),
        "close_5000": ws_frame(0x8, b"\x13\x88"),
        "close_4999_long_utf8": ws_frame(0x8, b"\x13\x87" + close_reason[:123]),
        "rsv1": ws_frame(0x2, b"x", first=0xC2),
        "rsv3": ws_frame(0x2, b"x", first=0x92),
        "opcode_3": ws_frame(0x3, b"x"),
        "opcode_b": ws_frame(0xB, b"x"),
        "unmasked_binary": ws_frame(0x2, b"x", mask=None),
        "truncated_1": ws_frame(0x1, b"Hello")[:1],
        "truncated_16bit": ws_frame(0x2, bytes(200))[:3],
        "truncated_64bit": ws_frame(0x2, length=70000)[:9],
        "truncated_mask": ws_frame(0x2, b"x")[:5],
        "truncated_payload": ws_frame(0x2, b"Hello")[:-1],
        # A session's worth: a fragmented message with a ping in between, a
        # binary message and a close, then the start of another frame.
        "stream": ws_frame(0x2, b"frag", fin=False) + ws_frame(0x9, b"ping") +
        ws_frame(0x0, b"ment") + ws_frame(0x2, bytes(300), mask=bytes([1, 2, 3, 4])) +
        ws_frame(0x8, b"\x03\xe9" + close_reason[:100]) + ws_frame(0x2, b"next")[:4],
        # Not a frame: a close reason for close_frame to cut.
        "reason_utf8": close_reason,
    }
    return seeds


# ws_reader_fuzz.cpp: limit index (low 3 bits) and stop point (high 5 bits),
# the number of read sizes, the read sizes, then the client's bytes.
WS_READER_LIMITS = [0, 1, 5, 16, 125, 126, 1024, 64 * 1024]


def ws_reader_input(stream, limit=64 * 1024, stop_at=0, reads=()):
    assert len(reads) < 16 and 0 <= stop_at < 32
    head = bytes([WS_READER_LIMITS.index(limit) | (stop_at << 3), len(reads)]) + bytes(reads)
    return head + stream


def ws_reader_seeds():
    fragmented = ws_frame(0x2, b"He", fin=False) + ws_frame(0x9, b"p1") + \
        ws_frame(0x0, b"l", fin=False) + ws_frame(0xA, b"pong") + \
        ws_frame(0x0, b"l", fin=False) + ws_frame(0x8, b"\x03\xe8") + ws_frame(0x0, b"o")
    two = ws_frame(0x2, b"first") + ws_frame(0x2, b"second")
    with_close = ws_frame(0x2, b"before") + ws_frame(0x8, b"\x03\xe8bye") + ws_frame(0x2, b"after")
    seeds = {
        "one_message": ws_reader_input(ws_frame(0x2, b"hello")),
        "two_messages_one_read": ws_reader_input(two),
        "two_messages_byte_reads": ws_reader_input(two, reads=[1] * 15),
        "split_header_16bit": ws_reader_input(ws_frame(0x2, bytes(300)), limit=1024,
                                              reads=[3, 0, 100]),
        "fragmented_with_control": ws_reader_input(fragmented, reads=[5, 7, 11, 13]),
        "fragmented_text": ws_reader_input(ws_frame(0x1, b"fr", fin=False) + ws_frame(0x0, b"ag")),
        "continuation_without_start": ws_reader_input(ws_frame(0x0, b"x") + ws_frame(0x2, b"y")),
        "message_inside_fragmented": ws_reader_input(
            ws_frame(0x2, b"a", fin=False) + ws_frame(0x1, b"b") + ws_frame(0x0, b"c")),
        "fragmented_over_limit": ws_reader_input(
            ws_frame(0x2, b"12345678", fin=False) + ws_frame(0x0, b"123456789"), limit=16),
        "fragmented_at_limit": ws_reader_input(
            ws_frame(0x2, b"12345678", fin=False) + ws_frame(0x0, b"12345678"), limit=16),
        "frame_over_limit_header_only": ws_reader_input(ws_frame(0x2, length=17)[:6], limit=16),
        "frame_64bit_over_limit_header_only": ws_reader_input(ws_frame(0x2, length=70000)[:14]),
        "malformed_after_message": ws_reader_input(
            ws_frame(0x2, b"ok") + ws_frame(0x2, b"x", first=0xC2)),
        "stop_at_close": ws_reader_input(with_close, stop_at=2, reads=[9]),
        "stop_at_first_message": ws_reader_input(two, stop_at=1),
        "stop_at_ping_in_fragmented": ws_reader_input(fragmented, stop_at=1, reads=[10]),
        "empty_messages": ws_reader_input(
            ws_frame(0x2) + ws_frame(0x2, fin=False) + ws_frame(0x0), limit=0),
        "empty_reads": ws_reader_input(ws_frame(0x2, b"abc"), reads=[0, 0, 4, 0]),
    }
    return seeds


def write(kind, seeds):
    directory = os.path.join(HERE, "corpus", kind)
    os.makedirs(directory, exist_ok=True)
    # Seeds this file no longer writes go; inputs the fuzzer found stay.
    for stale in os.listdir(directory):
        if stale.startswith("seed_") and stale[len("seed_"):] not in seeds:
            os.remove(os.path.join(directory, stale))
    for name, data in seeds.items():
        with open(os.path.join(directory, "seed_" + name), "wb") as f:
            f.write(data)


def main():
    write("frame", frame_seeds())
    write("token", token_seeds())
    write("ws_frame", ws_frame_seeds())
    write("ws_reader", ws_reader_seeds())


if __name__ == "__main__":
    main()
