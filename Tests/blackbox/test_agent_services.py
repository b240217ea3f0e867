"""Proves the agent's service and check endpoints behave like Consul's for py-consul (consul-api.md §2.1, §1.10)."""
import pytest
import requests
from consul import Check

from support import Target, uid, wait_until


@pytest.fixture
def target():
    t = Target(200)
    yield t
    t.close()


def test_plain_registration_has_consuls_exact_shape(client):
    sid = uid("plain")
    assert client.agent.service.register("plain", service_id=sid) is True
    assert client.agent.services()[sid] == {
        "ID": sid, "Service": "plain", "Tags": [], "Meta": {}, "Port": 0, "Address": "",
        "Weights": {"Passing": 1, "Warning": 1}, "EnableTagOverride": False, "Datacenter": "dc1"}


def test_register_with_tags_meta_port_address_and_read_it_back(client):
    sid = uid("web")
    assert client.agent.service.register("web", service_id=sid, address="10.1.2.3", port=8080,
                                         tags=["blue", "v2"], meta={"version": "2.1"},
                                         weights={"Passing": 5, "Warning": 2}) is True
    svc = client.agent.services()[sid]
    assert svc["ID"] == sid and svc["Service"] == "web"
    assert svc["Tags"] == ["blue", "v2"]
    assert svc["Meta"] == {"version": "2.1"}
    assert svc["Port"] == 8080 and svc["Address"] == "10.1.2.3"
    assert svc["Weights"] == {"Passing": 5, "Warning": 2}
    one = client.agent.service_definition(sid)
    assert {k: one[k] for k in ("ID", "Service", "Tags", "Meta", "Port", "Address")} == \
        {"ID": sid, "Service": "web", "Tags": ["blue", "v2"], "Meta": {"version": "2.1"}, "Port": 8080, "Address": "10.1.2.3"}
    assert one["ContentHash"]
    r = requests.get(f"{client.http.base_uri}/v1/agent/service/{sid}")
    assert r.headers["X-Consul-ContentHash"] == one["ContentHash"]


def test_get_one_unknown_service_is_404(client):
    assert client.agent.service_definition("no-such-service") is None
    r = requests.get(f"{client.http.base_uri}/v1/agent/service/no-such-service")
    assert r.status_code == 404 and r.text == "unknown service ID: no-such-service"


def test_service_filter_selects_by_tag_and_meta(client):
    a, b = uid("flt"), uid("flt")
    client.agent.service.register("flt", service_id=a, tags=["prod"], meta={"team": "x"})
    client.agent.service.register("flt", service_id=b, tags=["dev"], meta={"team": "y"})
    got = client.agent.services(filter_expr='"prod" in Tags')
    assert a in got and b not in got
    got = client.agent.services(filter_expr='Meta.team == "y"')
    assert b in got and a not in got


def test_reregistering_replaces_the_service(client):
    sid = uid("re")
    client.agent.service.register("re", service_id=sid, port=1, tags=["old"])
    client.agent.service.register("re", service_id=sid, port=2, tags=["new"])
    svc = client.agent.services()[sid]
    assert svc["Port"] == 2 and svc["Tags"] == ["new"]


def test_deregister_removes_service_and_its_checks(client):
    sid = uid("gone")
    client.agent.service.register("gone", service_id=sid, check=Check.ttl("30s"))
    assert f"service:{sid}" in client.agent.checks()
    assert client.agent.service.deregister(sid) is True
    assert sid not in client.agent.services()
    assert f"service:{sid}" not in client.agent.checks()


def test_deregister_unknown_service_is_404(client):
    assert client.agent.service.deregister("nobody-home") is False
    r = requests.put(f"{client.http.base_uri}/v1/agent/service/deregister/nobody-home")
    assert r.status_code == 404
    assert r.text == 'Unknown service ID "nobody-home". Ensure that the service ID is passed, not the service name.'


def test_service_with_one_ttl_check_gets_generated_id_and_name(client):
    sid = uid("ttl")
    client.agent.service.register("ttlsvc", service_id=sid, tags=["t1"], check=Check.ttl("30s"))
    check = client.agent.checks()[f"service:{sid}"]
    assert check["Name"] == "Service 'ttlsvc' check"
    assert check["Status"] == "critical"  # new checks start critical
    assert check["ServiceID"] == sid and check["ServiceName"] == "ttlsvc"
    assert check["ServiceTags"] == ["t1"]
    assert check["Node"] == "bb-node"
    assert check["Type"] == "ttl"


def test_service_with_several_checks_numbers_them_from_one(client):
    sid = uid("multi")
    client.agent.service.register("multi", service_id=sid, check=Check.ttl("30s"),
                                  extra_checks=[Check.ttl("31s"), Check.ttl("32s")])
    checks = client.agent.checks()
    assert {f"service:{sid}:1", f"service:{sid}:2", f"service:{sid}:3"} <= set(checks)
    assert f"service:{sid}" not in checks


def test_http_check_with_interval_runs_and_goes_passing(client, target):
    sid = uid("http")
    client.agent.service.register("httpsvc", service_id=sid, check=Check.http(target.url, "1s", timeout="1s"))
    cid = f"service:{sid}"
    check = client.agent.checks()[cid]
    assert check["Type"] == "http"
    assert check["Interval"] == "1s"
    wait_until(lambda: client.agent.checks()[cid]["Status"] == "passing", timeout=5, what="HTTP check passing")
    assert target.hits >= 1
    assert "200" in client.agent.checks()[cid]["Output"]


def test_http_check_maps_429_to_warning_and_500_to_critical(client):
    busy, broken = Target(429), Target(500)
    try:
        a, b = uid("busy"), uid("broken")
        client.agent.service.register("busy", service_id=a, check=Check.http(busy.url, "1s"))
        client.agent.service.register("broken", service_id=b, check=Check.http(broken.url, "1s"))
        wait_until(lambda: client.agent.checks()[f"service:{a}"]["Status"] == "warning", timeout=5, what="429 → warning")
        wait_until(lambda: broken.hits >= 1, timeout=5, what="500 target probed")
        wait_until(lambda: client.agent.checks()[f"service:{b}"]["Output"], timeout=5, what="500 check output")
        assert client.agent.checks()[f"service:{b}"]["Status"] == "critical"
    finally:
        busy.close()
        broken.close()


def test_standalone_check_register_and_deregister(client):
    cid = uid("mem")
    assert client.agent.check.register("Memory", check=Check.ttl("30s"), check_id=cid, notes="watch it") is True
    try:  # a critical node-level check would fail every service on the shared node
        check = client.agent.checks()[cid]
        assert check["Name"] == "Memory" and check["Notes"] == "watch it"
        assert check["ServiceID"] == "" and check["Status"] == "critical"
    finally:
        assert client.agent.check.deregister(cid) is True
    assert cid not in client.agent.checks()


def test_standalone_check_without_id_uses_its_name(client):
    name = uid("named")
    assert client.agent.check.register(name, check=Check.ttl("30s")) is True
    try:
        assert client.agent.checks()[name]["Name"] == name
    finally:
        client.agent.check.deregister(name)


def test_check_for_unknown_service_is_404_and_not_added(client):
    cid = uid("orphan")
    assert client.agent.check.register("orphan", check=Check.ttl("30s"), check_id=cid, service_id="ghost") is False
    r = requests.put(f"{client.http.base_uri}/v1/agent/check/register",
                     json={"Name": "orphan", "ID": cid, "TTL": "30s", "ServiceID": "ghost"})
    assert r.status_code == 404 and r.text == 'ServiceID "ghost" does not exist'
    assert cid not in client.agent.checks()


def test_deregister_unknown_check_is_404(client):
    assert client.agent.check.deregister("no-check") is False
    r = requests.put(f"{client.http.base_uri}/v1/agent/check/deregister/no-check")
    assert r.status_code == 404
    assert r.text == 'Unknown check ID "no-check". Ensure that the check ID is passed, not the check name.'


def test_ttl_pass_warn_fail_set_status_and_note(client):
    sid = uid("pwf")
    client.agent.service.register("pwf", service_id=sid, check=Check.ttl("30s"))
    cid = f"service:{sid}"
    assert client.agent.check.ttl_pass(cid, "all good") is True
    assert (client.agent.checks()[cid]["Status"], client.agent.checks()[cid]["Output"]) == ("passing", "all good")
    assert client.agent.check.ttl_warn(cid, "getting slow") is True
    assert (client.agent.checks()[cid]["Status"], client.agent.checks()[cid]["Output"]) == ("warning", "getting slow")
    assert client.agent.check.ttl_fail(cid, "down") is True
    assert (client.agent.checks()[cid]["Status"], client.agent.checks()[cid]["Output"]) == ("critical", "down")


def test_check_update_sets_status_and_output(client):
    sid = uid("upd")
    client.agent.service.register("upd", service_id=sid, check=Check.ttl("30s"))
    cid = f"service:{sid}"
    r = requests.put(f"{client.http.base_uri}/v1/agent/check/update/{cid}", json={"Status": "warning", "Output": "half"})
    assert r.status_code == 200 and r.text == ""
    assert (client.agent.checks()[cid]["Status"], client.agent.checks()[cid]["Output"]) == ("warning", "half")
    r = requests.put(f"{client.http.base_uri}/v1/agent/check/update/{cid}", json={"Status": "bogus"})
    assert r.status_code == 400 and r.text.startswith("Invalid check status: 'bogus'")
    assert client.agent.checks()[cid]["Status"] == "warning"


def test_ttl_update_of_unknown_check_is_404(client):
    assert client.agent.check.ttl_pass("nothing-here") is False
    r = requests.put(f"{client.http.base_uri}/v1/agent/check/pass/nothing-here")
    assert r.status_code == 404
    assert r.text == 'Unknown check ID "nothing-here". Ensure that the check ID is passed, not the check name.'


def test_ttl_update_of_non_ttl_check_is_500_no_associated_ttl(client, target):
    sid = uid("nonttl")
    client.agent.service.register("nonttl", service_id=sid, check=Check.http(target.url, "10s"))
    r = requests.put(f"{client.http.base_uri}/v1/agent/check/pass/service:{sid}")
    assert r.status_code == 500
    assert f'CheckID "service:{sid}" does not have associated TTL' in r.text


def test_agent_writes_answer_200_with_an_empty_body(client):
    sid = uid("empty")
    base = client.http.base_uri
    r = requests.put(f"{base}/v1/agent/service/register", json={"Name": "empty", "ID": sid, "Check": {"TTL": "30s"}})
    assert (r.status_code, r.text) == (200, "")
    r = requests.put(f"{base}/v1/agent/check/pass/service:{sid}")
    assert (r.status_code, r.text) == (200, "")
    r = requests.put(f"{base}/v1/agent/service/deregister/{sid}")
    assert (r.status_code, r.text) == (200, "")


def test_camel_case_go_client_body_and_check_id_field(client):
    sid = uid("go")
    base = client.http.base_uri
    r = requests.put(f"{base}/v1/agent/service/register", json={
        "Name": "gosvc", "ID": sid, "Port": 9000, "EnableTagOverride": True,
        "Checks": [{"CheckID": "go-ttl-" + sid, "Name": "custom", "TTL": "30s", "Status": "passing"}]})
    assert r.status_code == 200
    svc = client.agent.services()[sid]
    assert svc["Port"] == 9000 and svc["EnableTagOverride"] is True
    check = client.agent.checks()["go-ttl-" + sid]
    assert check["Name"] == "custom" and check["Status"] == "passing" and check["ServiceID"] == sid


def test_service_maintenance_on_and_off(client):
    sid = uid("mnt")
    client.agent.service.register("mnt", service_id=sid)
    mid = f"_service_maintenance:{sid}"
    assert client.agent.service.maintenance(sid, True) is True
    check = client.agent.checks()[mid]
    assert check["Status"] == "critical" and check["Name"] == "Service Maintenance Mode"
    assert check["Notes"] == ("Maintenance mode is enabled for this service, "
                              "but no reason was provided. This is a default message.")
    assert check["ServiceID"] == sid
    assert client.agent.service.maintenance(sid, False) is True
    assert mid not in client.agent.checks()
    assert client.agent.service.maintenance(sid, True, "upgrading") is True
    assert client.agent.checks()[mid]["Notes"] == "upgrading"


def test_service_maintenance_unknown_service_is_404_and_enable_is_required(client):
    assert client.agent.service.maintenance("ghost-svc", True) is False
    sid = uid("mnt2")
    client.agent.service.register("mnt2", service_id=sid)
    r = requests.put(f"{client.http.base_uri}/v1/agent/service/maintenance/{sid}")
    assert r.status_code == 400 and r.text.startswith("Missing value for enable")
    assert f"_service_maintenance:{sid}" not in client.agent.checks()


def test_node_maintenance_on_and_off(make_node):
    import consul
    n = make_node()
    c = consul.Consul(port=n.http_port)
    assert c.agent.maintenance(True, "kernel patch") is True
    check = c.agent.checks()["_node_maintenance"]
    assert check["Status"] == "critical" and check["Name"] == "Node Maintenance Mode"
    assert check["Notes"] == "kernel patch" and check["ServiceID"] == ""
    _, checks = c.health.node("bb-node")
    assert "_node_maintenance" in [x["CheckID"] for x in checks]
    assert c.agent.maintenance(False) is True
    assert "_node_maintenance" not in c.agent.checks()
    assert c.agent.maintenance(True) is True
    assert c.agent.checks()["_node_maintenance"]["Notes"] == (
        "Maintenance mode is enabled for this node, but no reason was provided. This is a default message.")


def test_replace_existing_checks_drops_checks_missing_from_the_body(client):
    sid = uid("rep")
    a, b = {"CheckID": f"{sid}-a", "TTL": "30s"}, {"CheckID": f"{sid}-b", "TTL": "30s"}
    client.agent.service.register("rep", service_id=sid, check=a, extra_checks=[b])
    assert {f"{sid}-a", f"{sid}-b"} <= set(client.agent.checks())
    # Without the flag, re-registering keeps checks the body no longer mentions.
    client.agent.service.register("rep", service_id=sid, check=a)
    assert {f"{sid}-a", f"{sid}-b"} <= set(client.agent.checks())
    client.agent.service.register("rep", service_id=sid, check=a, replace_existing_checks=True)
    checks = client.agent.checks()
    assert f"{sid}-a" in checks and f"{sid}-b" not in checks
