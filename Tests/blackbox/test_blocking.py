"""Proves blocking queries wake promptly on the change they watch and time out after `wait` otherwise (consul-api.md §1.5)."""
import time

import consul
import requests
from consul import Check

from support import assert_timed_out, later, timed, uid

PROMPT = 1.0  # a woken query answers within this long after the write


def test_kv_get_wakes_when_the_key_changes(client):
    key = uid("bk")
    client.kv.put(key, "v1")
    index, _ = client.kv.get(key)
    done = later(0.3, lambda: client.kv.put(key, "v2"))
    elapsed, (new_index, entry) = timed(lambda: client.kv.get(key, index=index, wait="10s"))
    done()
    assert 0.25 <= elapsed < 0.3 + PROMPT
    assert int(new_index) > int(index)
    assert entry["Value"] == b"v2"


def test_kv_get_times_out_without_a_change(client):
    key = uid("bk")
    client.kv.put(key, "v1")
    index, _ = client.kv.get(key)
    elapsed, (new_index, entry) = timed(lambda: client.kv.get(key, index=index, wait="1s"))
    assert_timed_out(elapsed, "1s")
    assert new_index == index and entry["Value"] == b"v1"


def test_kv_get_is_not_woken_by_another_key(client):
    key, other = uid("watched"), uid("other")
    client.kv.put(key, "mine")
    index, _ = client.kv.get(key)
    done = later(0.2, lambda: [client.kv.put(other, str(i)) for i in range(3)])
    elapsed, (new_index, _) = timed(lambda: client.kv.get(key, index=index, wait="2s"))
    done()
    assert_timed_out(elapsed, "2s")
    assert new_index == index


def test_kv_get_of_a_missing_key_wakes_when_it_is_created(client):
    key = uid("later")
    index, entry = client.kv.get(key)
    assert entry is None and int(index) >= 1
    done = later(0.3, lambda: client.kv.put(key, "born"))
    elapsed, (new_index, entry) = timed(lambda: client.kv.get(key, index=index, wait="10s"))
    done()
    assert elapsed < 0.3 + PROMPT
    assert entry["Value"] == b"born" and int(new_index) > int(index)


def test_kv_recurse_wakes_on_a_delete_under_the_prefix(client):
    prefix = uid("tree") + "/"
    client.kv.put(prefix + "a", "1")
    client.kv.put(prefix + "b", "2")
    index, _ = client.kv.get(prefix, recurse=True)
    done = later(0.3, lambda: client.kv.delete(prefix + "a"))
    elapsed, (new_index, entries) = timed(lambda: client.kv.get(prefix, recurse=True, index=index, wait="10s"))
    done()
    assert elapsed < 0.3 + PROMPT
    assert [e["Key"] for e in entries] == [prefix + "b"]
    assert int(new_index) > int(index)  # the tombstone keeps the index from going back


def test_an_index_from_the_future_blocks_for_wait_then_answers_the_current_index(client):
    key = uid("future")
    client.kv.put(key, "x")
    index, _ = client.kv.get(key)
    elapsed, (new_index, entry) = timed(lambda: client.kv.get(key, index=int(index) + 100000, wait="1s"))
    assert_timed_out(elapsed, "1s")
    assert new_index == index and entry["Value"] == b"x"


def test_catalog_services_wakes_on_agent_registration(client):
    index, _ = client.catalog.services()
    name = uid("bsvc")
    done = later(0.3, lambda: client.agent.service.register(name))
    elapsed, (new_index, services) = timed(lambda: client.catalog.services(index=index, wait="10s"))
    done()
    assert elapsed < 0.3 + PROMPT
    assert name in services and int(new_index) > int(index)


def test_catalog_nodes_times_out_without_a_change(client):
    index, nodes = client.catalog.nodes()
    elapsed, (new_index, again) = timed(lambda: client.catalog.nodes(index=index, wait="1s"))
    assert_timed_out(elapsed, "1s")
    assert new_index == index and again == nodes


def test_health_service_wakes_on_a_check_status_change(client):
    name, sid = uid("bh"), uid("bh")
    client.agent.service.register(name, service_id=sid, check=Check.ttl("30s"))
    index, entries = client.health.service(name, passing=True)
    assert entries == []
    done = later(0.3, lambda: client.agent.check.ttl_pass(f"service:{sid}"))
    elapsed, (new_index, entries) = timed(lambda: client.health.service(name, passing=True, index=index, wait="10s"))
    done()
    assert elapsed < 0.3 + PROMPT
    assert [e["Service"]["ID"] for e in entries] == [sid]


def test_session_list_wakes_on_create(client):
    index, _ = client.session.list()
    box = {}
    done = later(0.3, lambda: box.setdefault("id", client.session.create(lock_delay=0)))
    elapsed, (new_index, sessions) = timed(lambda: client.session.list(index=index, wait="10s"))
    done()
    assert elapsed < 0.3 + PROMPT
    assert box["id"] in [s["ID"] for s in sessions]
    client.session.destroy(box["id"])


def test_many_parked_queries_all_wake_on_one_write(client):
    key = uid("fan")
    client.kv.put(key, "0")
    index, _ = client.kv.get(key)
    clients = [consul.Consul(host=client.http.host, port=client.http.port) for _ in range(20)]
    waiters = [later(0, lambda c=c: c.kv.get(key, index=index, wait="10s")) for c in clients]
    time.sleep(0.5)
    elapsed, _ = timed(lambda: (client.kv.put(key, "1"), [w() for w in waiters]))
    assert elapsed < PROMPT
    for w in waiters:
        assert w()[1]["Value"] == b"1"


def test_index_header_is_never_zero_and_bad_wait_or_index_is_400(client):
    r = requests.get(f"{client.http.base_uri}/v1/kv/{uid('none')}")
    assert r.status_code == 404 and int(r.headers["X-Consul-Index"]) >= 1
    r = requests.get(f"{client.http.base_uri}/v1/kv/x", params={"index": "1", "wait": "10 parsecs"})
    assert r.status_code == 400 and r.text.startswith("Invalid wait time")
    r = requests.get(f"{client.http.base_uri}/v1/kv/x", params={"index": "abc"})
    assert r.status_code == 400 and r.text.startswith("Invalid index")
