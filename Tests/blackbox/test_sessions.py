"""Proves sessions, KV locks and session invalidation follow Consul's rules (consul-api.md §2.6, §2.4 acquire/release)."""
import time

import consul
import pytest
import requests

from support import uid


def test_create_with_defaults(client):
    sid = client.session.create()
    assert len(sid) == 36
    index, s = client.session.info(sid)
    assert int(index) >= 1
    assert s["ID"] == sid and s["Node"] == "bb-node"
    assert s["Behavior"] == "release"
    assert s["LockDelay"] == 15_000_000_000  # nanoseconds
    assert s["TTL"] == ""
    assert s["NodeChecks"] == ["serfHealth"]
    assert s["CreateIndex"] >= 1 and s["ModifyIndex"] >= s["CreateIndex"]
    client.session.destroy(sid)


def test_create_with_name_ttl_behavior_and_lock_delay(client):
    name = uid("sess")
    sid = client.session.create(name=name, ttl=30, behavior="delete", lock_delay=3)
    _, s = client.session.info(sid)
    assert s["Name"] == name and s["TTL"] == "30s" and s["Behavior"] == "delete"
    assert s["LockDelay"] == 3_000_000_000
    client.session.destroy(sid)


def test_explicit_empty_checks_means_no_health_binding(client):
    sid = client.session.create(checks=[])
    _, s = client.session.info(sid)
    assert not s.get("NodeChecks") and not s.get("Checks")
    client.session.destroy(sid)


def test_lock_delay_numbers_below_1000_are_seconds(client):
    r = requests.put(f"{client.http.base_uri}/v1/session/create", json={"LockDelay": 15, "Checks": []})
    assert r.status_code == 200
    sid = r.json()["ID"]
    assert client.session.info(sid)[1]["LockDelay"] == 15_000_000_000
    client.session.destroy(sid)


def test_ttl_outside_bounds_is_refused(client):
    before = len(client.session.list()[1])
    for ttl in ("5s", "25h"):
        r = requests.put(f"{client.http.base_uri}/v1/session/create", json={"TTL": ttl})
        assert r.status_code == 500, ttl
        assert r.text.startswith("Invalid Session TTL"), r.text
    assert len(client.session.list()[1]) == before


def test_session_for_an_unknown_node_is_refused(client):
    r = requests.put(f"{client.http.base_uri}/v1/session/create", json={"Node": "no-such-node"})
    assert r.status_code == 500 and "Missing node registration" in r.text


def test_list_node_and_info(client):
    a, b = client.session.create(name="a"), client.session.create(name="b")
    index, sessions = client.session.list()
    ids = [s["ID"] for s in sessions]
    assert a in ids and b in ids and int(index) >= 1
    _, on_node = client.session.node("bb-node")
    assert {a, b} <= {s["ID"] for s in on_node}
    _, none = client.session.node("no-such-node")
    assert none == []
    _, unknown = client.session.info("00000000-0000-0000-0000-000000000000")
    assert unknown is None
    r = requests.get(f"{client.http.base_uri}/v1/session/info/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 200 and r.json() == []
    client.session.destroy(a)
    client.session.destroy(b)


def test_renew_returns_the_session_and_unknown_is_404(client):
    sid = client.session.create(ttl=20)
    s = client.session.renew(sid)
    assert s["ID"] == sid and s["TTL"].endswith("s")
    missing = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(consul.NotFound):
        client.session.renew(missing)
    r = requests.put(f"{client.http.base_uri}/v1/session/renew/{missing}")
    assert r.status_code == 404 and r.text == f"Session id '{missing}' not found"
    client.session.destroy(sid)


def test_destroy_removes_and_is_idempotent(client):
    sid = client.session.create()
    assert client.session.destroy(sid) is True
    assert client.session.info(sid)[1] is None
    assert sid not in [s["ID"] for s in client.session.list()[1]]
    r = requests.put(f"{client.http.base_uri}/v1/session/destroy/{sid}")
    assert r.status_code == 200 and r.json() is True


def test_acquire_and_release(client):
    key = uid("lock")
    s1, s2 = client.session.create(lock_delay=0), client.session.create(lock_delay=0)
    assert client.kv.put(key, "owner-1", acquire=s1) is True
    _, e = client.kv.get(key)
    assert e["Session"] == s1 and e["LockIndex"] == 1 and e["Value"] == b"owner-1"
    assert client.kv.put(key, "owner-2", acquire=s2) is False  # held by another session
    assert client.kv.get(key)[1]["Value"] == b"owner-1"
    assert client.kv.put(key, "again", acquire=s1) is True  # re-acquire by the holder: no new LockIndex
    assert client.kv.get(key)[1]["LockIndex"] == 1
    assert client.kv.put(key, "x", release=s2) is False  # only the holder releases
    assert client.kv.put(key, "released", release=s1) is True
    _, e = client.kv.get(key)
    assert "Session" not in e and e["LockIndex"] == 1 and e["Value"] == b"released"
    assert client.kv.put(key, "owner-2", acquire=s2) is True
    _, e = client.kv.get(key)
    assert e["Session"] == s2 and e["LockIndex"] == 2
    client.session.destroy(s1)
    client.session.destroy(s2)


def test_plain_put_overwrites_a_locked_key_and_keeps_the_lock(client):
    key = uid("lockput")
    s1 = client.session.create(lock_delay=0)
    client.kv.put(key, "locked", acquire=s1)
    assert client.kv.put(key, "overwritten") is True
    _, e = client.kv.get(key)
    assert e["Value"] == b"overwritten" and e["Session"] == s1
    client.session.destroy(s1)


def test_acquire_with_unknown_session_is_an_error(client):
    key = uid("nolock")
    r = requests.put(f"{client.http.base_uri}/v1/kv/{key}?acquire=00000000-0000-0000-0000-00000000abcd", data="v")
    assert r.status_code == 500 and 'invalid session "00000000-0000-0000-0000-00000000abcd"' in r.text
    assert client.kv.get(key)[1] is None


def test_destroy_with_release_behavior_frees_the_key_and_starts_lock_delay(client):
    key = uid("rel")
    s1 = client.session.create()  # default 15 s lock delay
    client.kv.put(key, "v", acquire=s1)
    client.session.destroy(s1)
    _, e = client.kv.get(key)
    assert e is not None and "Session" not in e and e["Value"] == b"v"
    s2 = client.session.create(lock_delay=0)
    assert client.kv.put(key, "v2", acquire=s2) is False  # inside s1's lock delay
    client.session.destroy(s2)


def test_voluntary_release_has_no_lock_delay(client):
    key = uid("vol")
    s1, s2 = client.session.create(), client.session.create()
    client.kv.put(key, "v", acquire=s1)
    client.kv.put(key, "v", release=s1)
    assert client.kv.put(key, "v2", acquire=s2) is True
    client.session.destroy(s1)
    client.session.destroy(s2)


def test_destroy_with_delete_behavior_deletes_held_keys(client):
    held, other = uid("eph"), uid("eph")
    s1 = client.session.create(behavior="delete", lock_delay=0)
    client.kv.put(held, "ephemeral", acquire=s1)
    client.kv.put(other, "not held")
    client.session.destroy(s1)
    assert client.kv.get(held)[1] is None
    assert client.kv.get(other)[1]["Value"] == b"not held"


def test_ttl_session_not_renewed_expires_after_twice_its_ttl(client):
    # The one slow test: Consul invalidates a session when 2×TTL passes without a renew.
    key = uid("ttl")
    sid = client.session.create(ttl=10, behavior="delete", lock_delay=0)
    start = time.monotonic()
    assert client.kv.put(key, "v", acquire=sid) is True
    gone_at = None
    while time.monotonic() - start < 27:
        if client.session.info(sid)[1] is None:
            gone_at = time.monotonic() - start
            break
        time.sleep(0.25)
    assert gone_at is not None, "session still alive 27 s after creation with TTL 10s"
    assert gone_at >= 19, f"session vanished after {gone_at:.1f}s, before 2×TTL"
    assert client.kv.get(key)[1] is None  # delete behavior applied on expiry
