"""Proves python-consul2 0.1.5 (lowercase bodies, singular `check`, its own 404 handling) works against Gravity (consul-api.md §4)."""
import base64
import time

import pytest

from support import later, timed, uid, wait_until


@pytest.fixture
def c2(node):
    import consul  # python-consul2's module when run with .build-venv/python-consul2/bin/python
    return consul.Consul(host="127.0.0.1", port=node.http_port)


def test_status_leader_is_not_empty(c2, node):
    assert c2.status.leader() == f"127.0.0.1:{node.server_port}"
    assert c2.status.peers() == [c2.status.leader()]


def test_agent_service_with_singular_check(c2):
    import consul
    sid = uid("c2svc")
    assert c2.agent.service.register("c2svc", service_id=sid, port=8080, tags=["x"], meta={"m": "1"},
                                     check=consul.Check.ttl("30s")) is True
    svc = c2.agent.services()[sid]
    assert (svc["Service"], svc["Port"], svc["Tags"], svc["Meta"]) == ("c2svc", 8080, ["x"], {"m": "1"})
    checks = c2.agent.checks()
    assert checks[f"service:{sid}"]["Status"] == "critical"
    assert c2.agent.check.ttl_pass(f"service:{sid}", "ok") is True
    assert c2.agent.checks()[f"service:{sid}"]["Output"] == "ok"
    _, entries = c2.health.service("c2svc", passing=True)
    assert [e["Service"]["ID"] for e in entries] == [sid]
    assert c2.agent.service.deregister(sid) is True
    assert sid not in c2.agent.services()


def test_agent_check_register_lowercase_and_maintenance(c2):
    import consul
    sid, cid = uid("c2m"), uid("c2chk")
    c2.agent.service.register("c2m", service_id=sid)
    assert c2.agent.check.register("c2 check", check=consul.Check.ttl("30s"), check_id=cid, service_id=sid,
                                   notes="n") is True
    check = c2.agent.checks()[cid]
    assert check["ServiceID"] == sid and check["Notes"] == "n"
    assert c2.agent.service.maintenance(sid, "true", "because") is True
    assert c2.agent.checks()[f"_service_maintenance:{sid}"]["Notes"] == "because"
    assert c2.agent.service.maintenance(sid, "false") is True
    assert f"_service_maintenance:{sid}" not in c2.agent.checks()


def test_kv_round_trip_miss_and_recurse(c2):
    p = uid("c2kv") + "/"
    assert c2.kv.put(p + "a", b"\x00\x01bin") is True
    assert c2.kv.put(p + "b", "text", flags=9) is True
    index, entry = c2.kv.get(p + "a")
    assert entry["Value"] == b"\x00\x01bin" and int(index) >= 1
    index, missing = c2.kv.get(p + "nothing")
    assert missing is None and index is not None and int(index) >= 1
    _, entries = c2.kv.get(p, recurse=True)
    assert [(e["Key"], e["Flags"]) for e in entries] == [(p + "a", 0), (p + "b", 9)]
    _, keys = c2.kv.get(p, keys=True)
    assert keys == [p + "a", p + "b"]
    assert c2.kv.put(p + "a", "x", cas=0) is False
    assert c2.kv.delete(p, recurse=True) is True
    assert c2.kv.get(p, recurse=True)[1] is None


def test_kv_blocking_get(c2):
    key = uid("c2block")
    c2.kv.put(key, "1")
    index, _ = c2.kv.get(key)
    done = later(0.3, lambda: c2.kv.put(key, "2"))
    elapsed, (new_index, entry) = timed(lambda: c2.kv.get(key, index=index, wait="10s"))
    done()
    assert elapsed < 1.3 and entry["Value"] == b"2" and int(new_index) > int(index)
    elapsed, _ = timed(lambda: c2.kv.get(key, index=new_index, wait="1s"))
    assert 0.99 <= elapsed < 1 + 1 / 16 + 1


def test_sessions_and_locks(c2):
    key = uid("c2lock")
    s1 = c2.session.create(name="c2", lock_delay=0, ttl=30)
    s2 = c2.session.create(lock_delay=0)
    _, info = c2.session.info(s1)
    assert info["Name"] == "c2" and info["TTL"] == "30s" and info["LockDelay"] == 0
    assert c2.kv.put(key, "held", acquire=s1) is True
    assert c2.kv.put(key, "stolen", acquire=s2) is False
    assert c2.kv.get(key)[1]["Session"] == s1
    renewed = c2.session.renew(s1)
    assert renewed["ID"] == s1
    _, sessions = c2.session.list()
    assert {s1, s2} <= {s["ID"] for s in sessions}
    _, on_node = c2.session.node("bb-node")
    assert {s1, s2} <= {s["ID"] for s in on_node}
    assert c2.session.destroy(s1) is True
    assert "Session" not in c2.kv.get(key)[1]
    assert c2.session.info(s1)[1] is None
    c2.session.destroy(s2)


def test_catalog_register_and_reads(c2):
    node = uid("c2node")
    assert c2.catalog.register(node, "10.3.0.1", service={"service": "c2db", "id": "c2db-1", "tags": ["p"], "port": 5432},
                               check={"name": "db up", "checkid": "c2db-up", "status": "passing", "serviceid": "c2db-1"}) is True
    _, nodes = c2.catalog.nodes()
    assert node in [n["Node"] for n in nodes]
    _, services = c2.catalog.services()
    assert "p" in services["c2db"] and services["consul"] == []
    _, entries = c2.catalog.service("c2db", tag="p")
    assert (node, "c2db-1", 5432) in [(e["Node"], e["ServiceID"], e["ServicePort"]) for e in entries]
    _, got = c2.catalog.node(node)
    assert set(got["Services"]) == {"c2db-1"}
    _, checks = c2.health.node(node)
    assert [(c["CheckID"], c["Status"]) for c in checks] == [("c2db-up", "passing")]
    _, checks = c2.health.checks("c2db")
    assert "c2db-up" in [c["CheckID"] for c in checks]
    _, passing = c2.health.state("passing")
    assert "c2db-up" in [c["CheckID"] for c in passing]
    assert c2.catalog.deregister(node) is True
    assert c2.catalog.node(node)[1] is None


def test_txn(c2):
    p = uid("c2txn") + "/"
    enc = lambda s: base64.b64encode(s.encode()).decode()
    result = c2.txn.put([{"KV": {"Verb": "set", "Key": p + "a", "Value": enc("1")}},
                         {"KV": {"Verb": "get", "Key": p + "a"}}])
    assert result["Errors"] is None
    assert base64.b64decode(result["Results"][1]["KV"]["Value"]) == b"1"


def test_events(c2):
    name = uid("c2ev")
    ev = c2.event.fire(name, "body")
    assert ev["Name"] == name
    _, events = c2.event.list(name=name)
    assert [e["ID"] for e in events] == [ev["ID"]]
    assert base64.b64decode(events[0]["Payload"]) == b"body"  # 0.1.5 passes decode=True, so nothing is decoded


def test_raft_configuration(c2, node):
    config = c2.operator.raft.configuration()
    assert [s["Address"] for s in config["Servers"]] == [f"127.0.0.1:{node.server_port}"]
    assert config["Servers"][0]["Leader"] is True


def test_ttl_check_expires(c2):
    import consul
    sid, cid = uid("c2ttl"), uid("c2ttl")
    c2.agent.service.register("c2ttl", service_id=sid)  # a service check, so the node stays passing
    c2.agent.check.register("c2ttl", check=consul.Check.ttl("500ms"), check_id=cid, service_id=sid)
    c2.agent.check.ttl_pass(cid)
    start = time.monotonic()
    wait_until(lambda: c2.agent.checks()[cid]["Status"] == "critical", timeout=1.5, what="TTL expiry")
    assert time.monotonic() - start < 1.5
    assert c2.agent.checks()[cid]["Output"].startswith("TTL expired")
