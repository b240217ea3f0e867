"""Proves the KV store's reads, writes, CAS, prefixes and deletes match Consul's (consul-api.md §2.4)."""
import base64
import threading

import requests

from support import uid


def test_put_get_round_trips_every_byte(client):
    key = uid("bin")
    value = bytes(range(256)) * 4
    assert client.kv.put(key, value) is True
    index, entry = client.kv.get(key)
    assert entry["Value"] == value
    assert entry["Key"] == key
    assert set(entry) == {"LockIndex", "Key", "Flags", "Value", "CreateIndex", "ModifyIndex"}  # no Session when unlocked
    assert entry["LockIndex"] == 0 and entry["Flags"] == 0
    assert entry["CreateIndex"] == entry["ModifyIndex"] == int(index)


def test_raw_get_returns_the_bytes(client):
    key = uid("raw")
    client.kv.put(key, b"\x00\xffhello")
    r = requests.get(f"{client.http.base_uri}/v1/kv/{key}?raw")
    assert r.status_code == 200 and r.content == b"\x00\xffhello"
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_empty_value_reads_as_null(client):
    key = uid("empty")
    assert client.kv.put(key, "") is True
    _, entry = client.kv.get(key)
    assert entry["Value"] is None
    r = requests.get(f"{client.http.base_uri}/v1/kv/{key}")
    assert r.json()[0]["Value"] is None


def test_update_keeps_create_index_and_moves_modify_index(client):
    key = uid("upd")
    client.kv.put(key, "one")
    _, first = client.kv.get(key)
    client.kv.put(key, "two")
    _, second = client.kv.get(key)
    assert second["CreateIndex"] == first["CreateIndex"]
    assert second["ModifyIndex"] > first["ModifyIndex"]
    assert second["Value"] == b"two"


def test_keys_with_odd_characters(client):
    for key in (uid("sp") + "/a b", uid("hash") + "/x#y", uid("q") + "/what?", uid("pct") + "/100%", uid("uni") + "/ключ"):
        assert client.kv.put(key, key) is True
        assert client.kv.get(key)[1]["Value"] == key.encode()


def test_flags_round_trip(client):
    key = uid("flags")
    assert client.kv.put(key, "v", flags=42) is True
    assert client.kv.get(key)[1]["Flags"] == 42
    assert client.kv.put(key, "v", flags=2**64 - 1) is True
    assert client.kv.get(key)[1]["Flags"] == 2**64 - 1


def test_cas_zero_creates_only_if_absent(client):
    key = uid("cas0")
    assert client.kv.put(key, "first", cas=0) is True
    assert client.kv.put(key, "second", cas=0) is False
    assert client.kv.get(key)[1]["Value"] == b"first"


def test_cas_index_must_match_modify_index(client):
    key = uid("cas")
    client.kv.put(key, "a")
    _, entry = client.kv.get(key)
    assert client.kv.put(key, "b", cas=entry["ModifyIndex"] + 1000) is False
    assert client.kv.put(key, "b", cas=entry["ModifyIndex"]) is True
    assert client.kv.put(key, "c", cas=entry["ModifyIndex"]) is False  # stale now
    assert client.kv.get(key)[1]["Value"] == b"b"
    r = requests.put(f"{client.http.base_uri}/v1/kv/{key}?cas=1", data="x")
    assert r.status_code == 200 and r.text.strip() == "false"


def test_concurrent_cas_exactly_one_winner_per_round(client):
    import consul

    key = uid("race")
    threads_n, rounds = 8, 6
    client.kv.put(key, "start")
    clients = [consul.Consul(host=client.http.host, port=client.http.port) for _ in range(threads_n)]
    for rnd in range(rounds):
        _, entry = client.kv.get(key)
        barrier = threading.Barrier(threads_n)
        results = [None] * threads_n

        def attempt(i, idx=entry["ModifyIndex"]):
            barrier.wait()
            results[i] = clients[i].kv.put(key, f"r{rnd}-t{i}", cas=idx)

        ts = [threading.Thread(target=attempt, args=(i,)) for i in range(threads_n)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=30)
        winners = [i for i, ok in enumerate(results) if ok is True]
        assert len(winners) == 1, f"round {rnd}: results {results}"
        assert all(ok is False for i, ok in enumerate(results) if i not in winners)
        assert client.kv.get(key)[1]["Value"] == f"r{rnd}-t{winners[0]}".encode()


def test_recurse_returns_the_prefix_sorted(client):
    p = uid("tree") + "/"
    for k in ("b", "a", "a/deep", "c/x/y"):
        client.kv.put(p + k, k)
    client.kv.put(p[:-1] + "-sibling", "not under the prefix")
    _, entries = client.kv.get(p, recurse=True)
    assert [e["Key"] for e in entries] == [p + "a", p + "a/deep", p + "b", p + "c/x/y"]
    assert [e["Value"] for e in entries] == [b"a", b"a/deep", b"b", b"c/x/y"]


def test_recurse_on_a_missing_prefix_is_404_with_an_index(client):
    index, entries = client.kv.get(uid("nothing") + "/", recurse=True)
    assert entries is None and int(index) >= 1


def test_keys_with_and_without_separator(client):
    p = uid("base") + "/"
    for k in ("base/foo", "foo", "other/x", "other/y/z"):
        client.kv.put(p + k, "v")
    _, keys = client.kv.get(p, keys=True)
    assert keys == [p + "base/foo", p + "foo", p + "other/x", p + "other/y/z"]
    _, keys = client.kv.get(p, keys=True, separator="/")
    assert keys == [p + "base/", p + "foo", p + "other/"]
    _, none = client.kv.get(uid("nope") + "/", keys=True)
    assert none is None


def test_delete_single_key_answers_true_even_when_missing(client):
    key = uid("del")
    client.kv.put(key, "v")
    assert client.kv.delete(key) is True
    assert client.kv.get(key)[1] is None
    assert client.kv.delete(key) is True


def test_delete_recurse_removes_only_the_prefix(client):
    p = uid("rm") + "/"
    for k in ("a", "b/c", "d"):
        client.kv.put(p + k, "v")
    keep = p[:-1] + "-keep"
    client.kv.put(keep, "v")
    assert client.kv.delete(p, recurse=True) is True
    assert client.kv.get(p, recurse=True)[1] is None
    assert client.kv.get(keep)[1]["Value"] == b"v"


def test_delete_cas(client):
    key = uid("dcas")
    client.kv.put(key, "v")
    _, entry = client.kv.get(key)
    assert client.kv.delete(key, cas=0) is False  # cas=0 never deletes
    assert client.kv.delete(key, cas=entry["ModifyIndex"] + 7) is False
    assert client.kv.get(key)[1]["Value"] == b"v"
    assert client.kv.delete(key, cas=entry["ModifyIndex"]) is True
    assert client.kv.get(key)[1] is None


def test_miss_is_404_with_index_headers_and_empty_body(client):
    key = uid("miss")
    index, entry = client.kv.get(key)  # py-consul raises if X-Consul-Index is absent
    assert entry is None and int(index) >= 1
    r = requests.get(f"{client.http.base_uri}/v1/kv/{key}")
    assert r.status_code == 404 and r.content == b""
    assert int(r.headers["X-Consul-Index"]) >= 1
    assert r.headers["X-Consul-KnownLeader"] == "true"
    assert "X-Consul-LastContact" in r.headers


def test_miss_index_is_the_kv_tables_index(client):
    key = uid("idx")
    client.kv.put(key, "v")
    written, _ = client.kv.get(key)
    index, entry = client.kv.get(uid("absent"))
    assert entry is None
    assert int(index) >= int(written)  # a miss reports the KV table (and tombstone) index, so clients can block on it


def test_put_and_delete_answer_bare_json_booleans(client):
    key = uid("wire")
    base = client.http.base_uri
    r = requests.put(f"{base}/v1/kv/{key}", data="v")
    assert r.status_code == 200 and r.json() is True
    assert r.headers["Content-Type"] == "application/json"
    r = requests.delete(f"{base}/v1/kv/{key}")
    assert r.status_code == 200 and r.json() is True


def test_missing_key_name_and_conflicting_flags_are_400(client):
    base = client.http.base_uri
    r = requests.put(f"{base}/v1/kv/", data="v")
    assert r.status_code == 400 and r.text.startswith("Missing key name")
    r = requests.delete(f"{base}/v1/kv/")
    assert r.status_code == 400 and r.text.startswith("Missing key name")
    key = uid("conf")
    r = requests.put(f"{base}/v1/kv/{key}?cas=0&acquire=00000000-0000-0000-0000-000000000000", data="v")
    assert r.status_code == 400 and r.text.startswith("Conflicting flags")
    r = requests.delete(f"{base}/v1/kv/{key}?cas=0&recurse")
    assert r.status_code == 400 and r.text.startswith("Conflicting flags")
    assert client.kv.get(key)[1] is None


def test_value_at_the_size_limit_is_accepted(client):
    key = uid("big")
    value = b"x" * (512 * 1024)
    assert client.kv.put(key, value) is True
    assert client.kv.get(key)[1]["Value"] == value


def test_json_body_value_is_stored_verbatim_and_base64_on_the_wire(client):
    key = uid("json")
    body = b'{"not": "decoded"}'
    requests.put(f"{client.http.base_uri}/v1/kv/{key}", data=body)
    r = requests.get(f"{client.http.base_uri}/v1/kv/{key}")
    assert base64.b64decode(r.json()[0]["Value"]) == body
