"""Proves /v1/txn applies all operations or none, with Consul's result and error shapes (consul-api.md §2.5)."""
import base64

import requests

from support import uid


def b64(s):
    return base64.b64encode(s.encode()).decode()


def kv(verb, key, value=None, **extra):
    op = {"Verb": verb, "Key": key}
    if value is not None:
        op["Value"] = b64(value)
    op.update(extra)
    return {"KV": op}


def test_mixed_kv_operations_commit_together(client):
    p = uid("txn") + "/"
    client.kv.put(p + "doomed", "bye")
    result = client.txn.put([
        kv("set", p + "a", "alpha", Flags=7),
        kv("cas", p + "b", "beta", Index=0),
        kv("get", p + "a"),
        kv("delete", p + "doomed"),
        kv("check-not-exists", p + "doomed"),
    ])
    assert result["Errors"] is None
    results = result["Results"]
    assert [r["KV"]["Key"] for r in results] == [p + "a", p + "b", p + "a"]  # delete verbs add no result
    assert results[0]["KV"]["Value"] is None and results[1]["KV"]["Value"] is None
    assert base64.b64decode(results[2]["KV"]["Value"]) == b"alpha"
    assert results[2]["KV"]["Flags"] == 7
    assert results[0]["KV"]["ModifyIndex"] == results[1]["KV"]["ModifyIndex"]  # one Raft entry
    assert client.kv.get(p + "a")[1]["Value"] == b"alpha"
    assert client.kv.get(p + "b")[1]["Value"] == b"beta"
    assert client.kv.get(p + "doomed")[1] is None


def test_failed_check_index_rolls_back_everything(client):
    p = uid("rb") + "/"
    client.kv.put(p + "x", "original")
    index_before, x_before = client.kv.get(p + "x")
    r = requests.put(f"{client.http.base_uri}/v1/txn", json=[
        kv("set", p + "new", "should not exist"),
        kv("set", p + "x", "changed"),
        kv("check-index", p + "x", Index=x_before["ModifyIndex"] + 999),
    ])
    assert r.status_code == 409
    body = r.json()
    assert body["Results"] is None
    assert len(body["Errors"]) == 1
    assert body["Errors"][0]["OpIndex"] == 2 and body["Errors"][0]["What"]
    assert client.kv.get(p + "new")[1] is None
    index_after, x_after = client.kv.get(p + "x")
    assert x_after == x_before and index_after == index_before


def test_get_of_a_missing_key_fails_the_transaction(client):
    p = uid("miss") + "/"
    r = requests.put(f"{client.http.base_uri}/v1/txn", json=[kv("set", p + "a", "1"), kv("get", p + "absent")])
    assert r.status_code == 409
    assert [e["OpIndex"] for e in r.json()["Errors"]] == [1]
    assert client.kv.get(p + "a")[1] is None


def test_cas_and_delete_cas_with_a_stale_index_fail(client):
    p = uid("tcas") + "/"
    client.kv.put(p + "k", "v")
    _, e = client.kv.get(p + "k")
    for op in (kv("cas", p + "k", "w", Index=e["ModifyIndex"] + 1), kv("delete-cas", p + "k", Index=e["ModifyIndex"] + 1)):
        r = requests.put(f"{client.http.base_uri}/v1/txn", json=[op])
        assert r.status_code == 409, op
    assert client.kv.get(p + "k")[1]["Value"] == b"v"
    ok = client.txn.put([kv("delete-cas", p + "k", Index=e["ModifyIndex"])])
    assert ok["Errors"] is None
    assert client.kv.get(p + "k")[1] is None


def test_get_tree_and_delete_tree(client):
    p = uid("tree") + "/"
    for k in ("a", "b/c"):
        client.kv.put(p + k, k)
    result = client.txn.put([kv("get-tree", p)])
    assert [r["KV"]["Key"] for r in result["Results"]] == [p + "a", p + "b/c"]
    assert client.txn.put([kv("delete-tree", p)])["Errors"] is None
    assert client.kv.get(p, recurse=True)[1] is None


def test_lowercase_keys_and_read_only_transactions(client):
    p = uid("lc") + "/"
    r = requests.put(f"{client.http.base_uri}/v1/txn", json=[{"kv": {"verb": "set", "key": p + "k", "value": b64("v")}}])
    assert r.status_code == 200
    r = requests.put(f"{client.http.base_uri}/v1/txn", json=[kv("get", p + "k")])
    assert r.status_code == 200
    assert r.headers["X-Consul-KnownLeader"] == "true"
    assert base64.b64decode(r.json()["Results"][0]["KV"]["Value"]) == b"v"


def test_catalog_operations_in_a_transaction(client):
    node = uid("tnode")
    r = requests.put(f"{client.http.base_uri}/v1/txn", json=[
        {"Node": {"Verb": "set", "Node": {"Node": node, "Address": "10.2.0.1"}}},
        {"Service": {"Verb": "set", "Node": node, "Service": {"ID": "api-1", "Service": "txn-api-" + node, "Port": 80}}},
    ])
    assert r.status_code == 200, r.text
    assert r.json()["Errors"] is None
    _, entries = client.catalog.service("txn-api-" + node)
    assert [(e["Node"], e["ServiceID"], e["ServicePort"]) for e in entries] == [(node, "api-1", 80)]


def test_bad_bodies(client):
    base = client.http.base_uri
    p = uid("bad") + "/"
    r = requests.put(f"{base}/v1/txn", data="[{not json")
    assert r.status_code == 400 and r.text.startswith("Failed to parse body")
    r = requests.put(f"{base}/v1/txn", json=[kv("set", f"{p}{i}", "v") for i in range(200)])
    assert r.status_code == 413 and r.text.startswith("Transaction contains too many operations")
    assert client.kv.get(p, recurse=True)[1] is None
