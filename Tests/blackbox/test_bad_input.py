"""Proves bad requests get a 4xx naming the problem and change nothing (consul-api.md §1.2, §1.3, §1.8, §2.4)."""
import pytest
import requests

from support import uid


@pytest.fixture
def base(client):
    return client.http.base_uri


def put(base, path, **kw):
    return requests.put(base + path, **kw)


def test_malformed_json_service_body(client, base):
    before = client.agent.services()
    r = put(base, "/v1/agent/service/register", data='{"Name": "broken", ')
    assert r.status_code == 400 and r.text.startswith("Request decode failed")
    assert r.headers["Content-Type"].startswith("text/plain")
    assert client.agent.services() == before


def test_empty_body_where_an_object_is_required(client, base):
    before = client.agent.services()
    r = put(base, "/v1/agent/service/register", data="")
    assert r.status_code == 400 and r.text.startswith("Request decode failed")
    assert client.agent.services() == before


def test_port_of_the_wrong_type(client, base):
    sid = uid("port")
    r = put(base, "/v1/agent/service/register", json={"Name": "porty", "ID": sid, "Port": "abc"})
    assert r.status_code == 400 and r.text.startswith("Request decode failed")
    assert "port" in r.text.lower()
    assert sid not in client.agent.services()


def test_tags_of_the_wrong_type(client, base):
    sid = uid("tags")
    r = put(base, "/v1/agent/service/register", json={"Name": "taggy", "ID": sid, "Tags": "not-a-list"})
    assert r.status_code == 400 and "tags" in r.text.lower()
    assert sid not in client.agent.services()


def test_missing_service_name(client, base):
    before = client.agent.services()
    r = put(base, "/v1/agent/service/register", json={"ID": uid("anon"), "Port": 1})
    assert r.status_code == 400 and r.text.startswith("Missing service name")
    assert client.agent.services() == before


def test_unspecified_service_address_is_refused(client, base):
    sid = uid("zero")
    r = put(base, "/v1/agent/service/register", json={"Name": "zero", "ID": sid, "Address": "0.0.0.0"})
    assert r.status_code == 400 and "Invalid service address" in r.text
    assert sid not in client.agent.services()


def test_bad_weights_are_refused(client, base):
    sid = uid("wt")
    r = put(base, "/v1/agent/service/register", json={"Name": "wt", "ID": sid, "Weights": {"Passing": 0, "Warning": 1}})
    assert r.status_code == 400 and "weight" in r.text.lower()
    assert sid not in client.agent.services()


def test_unknown_fields_are_ignored(client, base):
    sid = uid("lenient")
    r = put(base, "/v1/agent/service/register", json={"Name": "lenient", "ID": sid, "NotAField": {"x": 1}})
    assert r.status_code == 200
    assert sid in client.agent.services()


def test_bad_duration_in_a_check(client, base):
    sid = uid("dur")
    r = put(base, "/v1/agent/service/register", json={"Name": "dur", "ID": sid, "Check": {"TTL": "10 parsecs"}})
    assert r.status_code == 400 and "10 parsecs" in r.text
    assert sid not in client.agent.services()
    cid = uid("durcheck")
    r = put(base, "/v1/agent/check/register", json={"Name": "c", "ID": cid, "HTTP": "http://127.0.0.1:1/", "Interval": "10 parsecs"})
    assert r.status_code == 400 and "10 parsecs" in r.text
    assert cid not in client.agent.checks()


def test_check_without_interval_or_with_both_kinds(client, base):
    cid = uid("noint")
    r = put(base, "/v1/agent/check/register", json={"Name": "c", "ID": cid, "HTTP": "http://127.0.0.1:1/"})
    assert r.status_code == 400 and r.text.startswith("Invalid check") and "Interval" in r.text
    r = put(base, "/v1/agent/check/register", json={"Name": "c", "ID": cid, "TTL": "10s", "Interval": "10s"})
    assert r.status_code == 400 and "Interval and TTL cannot both be specified" in r.text
    r = put(base, "/v1/agent/check/register", json={"ID": cid, "TTL": "10s"})
    assert r.status_code == 400 and r.text.startswith("Missing check name")
    assert cid not in client.agent.checks()


def test_bad_check_status_at_registration(client, base):
    cid = uid("stat")
    r = put(base, "/v1/agent/check/register", json={"Name": "c", "ID": cid, "TTL": "10s", "Status": "sideways"})
    assert r.status_code == 400 and "status" in r.text.lower()
    assert cid not in client.agent.checks()


def test_unknown_check_and_service_ids(client, base):
    for path, word in (("/v1/agent/check/pass/ghost-check", 'Unknown check ID "ghost-check"'),
                       ("/v1/agent/check/warn/ghost-check", 'Unknown check ID "ghost-check"'),
                       ("/v1/agent/check/fail/ghost-check", 'Unknown check ID "ghost-check"'),
                       ("/v1/agent/check/deregister/ghost-check", 'Unknown check ID "ghost-check"'),
                       ("/v1/agent/service/deregister/ghost-svc", 'Unknown service ID "ghost-svc"'),
                       ("/v1/agent/service/maintenance/ghost-svc?enable=true", "ghost-svc")):
        r = put(base, path)
        assert r.status_code == 404 and word in r.text, (path, r.status_code, r.text)
    r = put(base, "/v1/agent/check/update/ghost-check", json={"Status": "passing"})
    assert r.status_code == 404 and 'Unknown check ID "ghost-check"' in r.text
    assert "ghost-check" not in client.agent.checks() and "ghost-svc" not in client.agent.services()


def test_oversized_kv_value_is_413(client, base):
    key = uid("huge")
    r = put(base, f"/v1/kv/{key}", data=b"x" * (512 * 1024 + 1))
    assert r.status_code == 413 and "too large" in r.text
    assert client.kv.get(key)[1] is None
    client.kv.put(key, "small")
    r = put(base, f"/v1/kv/{key}", data=b"x" * (600 * 1024))
    assert r.status_code == 413
    assert client.kv.get(key)[1]["Value"] == b"small"


def test_non_numeric_flags_and_cas(client, base):
    key = uid("nn")
    for q in ("flags=abc", "cas=abc"):
        r = put(base, f"/v1/kv/{key}?{q}", data="v")
        assert 400 <= r.status_code < 600 and r.text, q
        assert r.status_code != 200
    assert client.kv.get(key)[1] is None


def test_bad_filter_expression(client, base):
    sid = uid("f")
    client.agent.service.register("f", service_id=sid)
    for path in ("/v1/agent/services", "/v1/catalog/nodes", "/v1/health/service/f", "/v1/agent/checks"):
        r = requests.get(base + path, params={"filter": 'Service == "unterminated'})
        # Consul answers 500 from bexpr for most (§1.8); either way it is an error naming the filter.
        assert 400 <= r.status_code < 600, path
        assert r.text and ("filter" in r.text.lower() or "expression" in r.text.lower() or "parse" in r.text.lower()), (path, r.text)
    # An unknown selector is an error in some Consul versions and matches nothing in others;
    # either way it must never select the service.
    r = requests.get(base + "/v1/agent/services", params={"filter": "NoSuchField == 1"})
    assert r.status_code != 200 or sid not in r.json()
    assert sid in client.agent.services()


def test_bad_query_parameters(client, base):
    name = uid("q")
    r = requests.get(f"{base}/v1/health/service/{name}", params={"passing": "maybe"})
    assert r.status_code == 400 and r.text.startswith("Invalid value for ?passing")
    r = requests.get(f"{base}/v1/catalog/nodes", params={"stale": "", "consistent": ""})
    assert r.status_code == 400 and "conflicting semantics" in r.text
    r = put(base, "/v1/agent/maintenance", params={"enable": "perhaps"})
    assert r.status_code == 400 and "enable" in r.text
    assert "_node_maintenance" not in client.agent.checks()


def test_catalog_register_without_node_name(client, base):
    before = client.catalog.nodes()[1]
    r = put(base, "/v1/catalog/register", json={"Address": "10.0.0.1", "Service": {"Service": "nameless"}})
    assert r.status_code == 400 and r.text.startswith("Missing node name")
    assert client.catalog.nodes()[1] == before
    assert "nameless" not in client.catalog.services()[1]


def test_catalog_deregister_unknown_service_changes_nothing(client, base):
    node = uid("keep")
    client.catalog.register(node, "10.0.0.2", service={"Service": "kept", "ID": "kept-1"})
    r = put(base, "/v1/catalog/deregister", json={"Node": node, "ServiceID": "not-there"})
    assert r.status_code == 200
    assert set(client.catalog.node(node)[1]["Services"]) == {"kept-1"}


def test_wrong_method_on_new_routes(client, base):
    r = requests.get(base + "/v1/agent/service/register")
    assert r.status_code == 405 and r.headers["Allow"] == "OPTIONS,PUT"
    r = requests.post(base + "/v1/kv/some-key", data="v")
    assert r.status_code == 405 and r.text == "method POST not allowed"
    r = requests.post(base + "/v1/session/create")
    assert r.status_code == 405
