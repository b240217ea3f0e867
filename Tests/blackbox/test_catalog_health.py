"""Proves catalog and health reads and writes match Consul's (consul-api.md §2.2, §2.3), agent registrations included."""
import requests
from consul import Check

from support import uid


def register_db(client, node_name, sid, tags, status="passing", address="10.0.0.9", port=5432):
    check = {"Node": node_name, "CheckID": f"service:{sid}", "Name": "db check", "Status": status, "ServiceID": sid}
    return client.catalog.register(node_name, address, service={"Service": "db-" + node_name, "ID": sid, "Tags": tags, "Port": port},
                                   check=check)


def test_catalog_register_answers_true_and_creates_node_service_and_check(client):
    node = uid("ext")
    assert register_db(client, node, "db1", ["primary"]) is True
    r = requests.put(f"{client.http.base_uri}/v1/catalog/register", json={"Node": node, "Address": "10.0.0.9"})
    assert r.status_code == 200 and r.json() is True
    _, nodes = client.catalog.nodes()
    mine = [n for n in nodes if n["Node"] == node]
    assert len(mine) == 1 and mine[0]["Address"] == "10.0.0.9" and mine[0]["Datacenter"] == "dc1"
    _, services = client.catalog.services()
    assert services["db-" + node] == ["primary"]
    _, checks = client.health.node(node)
    assert [(c["CheckID"], c["Status"], c["ServiceID"]) for c in checks] == [("service:db1", "passing", "db1")]


def test_catalog_services_always_has_consul_and_unions_tags(client):
    node1, node2 = uid("u1"), uid("u2")
    name = uid("shared")
    client.catalog.register(node1, "10.0.1.1", service={"Service": name, "Tags": ["a", "b"]})
    client.catalog.register(node2, "10.0.1.2", service={"Service": name, "Tags": ["b", "c"]})
    index, services = client.catalog.services()
    assert int(index) >= 1
    assert services["consul"] == []
    assert sorted(services[name]) == ["a", "b", "c"]


def test_catalog_nodes_lists_this_agent_sorted_by_name(client):
    _, nodes = client.catalog.nodes()
    names = [n["Node"] for n in nodes]
    assert "bb-node" in names
    assert names == sorted(names)
    me = [n for n in nodes if n["Node"] == "bb-node"][0]
    assert me["Address"] == "127.0.0.1"
    assert {"ID", "Node", "Address", "Datacenter", "TaggedAddresses", "Meta", "CreateIndex", "ModifyIndex"} <= set(me)


def test_catalog_service_by_name_and_tag_filter(client):
    name = uid("svc")
    n1, n2 = "a-" + uid("n"), "b-" + uid("n")
    client.catalog.register(n1, "10.0.2.1", service={"Service": name, "ID": "i1", "Tags": ["primary", "v1"], "Port": 1111})
    client.catalog.register(n2, "10.0.2.2", service={"Service": name, "ID": "i2", "Tags": ["replica", "v1"], "Port": 2222,
                                                     "Address": "10.9.9.9"})
    _, entries = client.catalog.service(name)
    assert [(e["Node"], e["ServiceID"]) for e in entries] == [(n1, "i1"), (n2, "i2")]
    first = entries[0]
    assert first["ServiceName"] == name and first["ServiceTags"] == ["primary", "v1"]
    assert first["ServicePort"] == 1111 and first["Address"] == "10.0.2.1" and first["ServiceAddress"] == ""
    assert entries[1]["ServiceAddress"] == "10.9.9.9"
    assert first["ServiceWeights"] == {"Passing": 1, "Warning": 1}
    _, tagged = client.catalog.service(name, tag="replica")
    assert [e["ServiceID"] for e in tagged] == ["i2"]
    _, tagged = client.catalog.service(name, tag="v1")
    assert len(tagged) == 2
    _, none = client.catalog.service(name, tag="nope")
    assert none == []


def test_catalog_service_unknown_is_empty_list(client):
    index, entries = client.catalog.service(uid("nothing"))
    assert entries == [] and int(index) >= 1


def test_catalog_node_services(client):
    node = uid("nodesvc")
    client.catalog.register(node, "10.0.3.1", service={"Service": "cache", "ID": "cache-1", "Tags": ["x"], "Port": 6379})
    client.catalog.register(node, "10.0.3.1", service={"Service": "queue", "ID": "queue-1", "Port": 5672})
    _, got = client.catalog.node(node)
    assert got["Node"]["Node"] == node and got["Node"]["Address"] == "10.0.3.1"
    assert set(got["Services"]) == {"cache-1", "queue-1"}
    cache = got["Services"]["cache-1"]
    assert cache["Service"] == "cache" and cache["Tags"] == ["x"] and cache["Port"] == 6379
    assert got["Services"]["queue-1"]["Tags"] == []
    r = requests.get(f"{client.http.base_uri}/v1/catalog/node-services/{node}")
    assert r.status_code == 200
    assert sorted(s["ID"] for s in r.json()["Services"]) == ["cache-1", "queue-1"]


def test_catalog_node_unknown_is_200_null(client):
    index, got = client.catalog.node("no-such-node")
    assert got is None
    r = requests.get(f"{client.http.base_uri}/v1/catalog/node/no-such-node")
    assert r.status_code == 200 and r.json() is None and int(r.headers["X-Consul-Index"]) >= 1


def test_catalog_deregister_check_then_service_then_node(client):
    node = uid("dereg")
    register_db(client, node, "db1", [])
    client.catalog.register(node, "10.0.0.9", check={"Node": node, "CheckID": "disk", "Name": "disk", "Status": "passing"})
    assert client.catalog.deregister(node, check_id="disk") is True
    _, checks = client.health.node(node)
    assert [c["CheckID"] for c in checks] == ["service:db1"]
    assert client.catalog.deregister(node, service_id="db1") is True
    _, got = client.catalog.node(node)
    assert got["Services"] == {}
    _, checks = client.health.node(node)
    assert checks == []  # the service's checks went with it
    r = requests.put(f"{client.http.base_uri}/v1/catalog/deregister", json={"Node": node})
    assert r.status_code == 200 and r.json() is True
    _, got = client.catalog.node(node)
    assert got is None
    assert node not in [n["Node"] for n in client.catalog.nodes()[1]]


def test_catalog_check_defaults_to_critical(client):
    node = uid("crit")
    client.catalog.register(node, "10.0.4.1", check={"Node": node, "Name": "ping"})
    _, checks = client.health.node(node)
    assert [(c["CheckID"], c["Status"]) for c in checks] == [("ping", "critical")]


def test_health_service_passing_filter_and_shapes(client):
    name = uid("hs")
    good, bad = "a-" + uid("good"), "b-" + uid("bad")
    for node, status in ((good, "passing"), (bad, "warning")):
        client.catalog.register(node, "10.0.5.1", service={"Service": name, "ID": "s"},
                                check={"Node": node, "CheckID": "service:s", "Name": "c", "Status": status, "ServiceID": "s"})
    _, entries = client.health.service(name)
    assert [e["Node"]["Node"] for e in entries] == [good, bad]
    entry = entries[0]
    assert set(entry) == {"Node", "Service", "Checks"}
    assert entry["Service"]["ID"] == "s" and entry["Service"]["Service"] == name
    assert [c["CheckID"] for c in entry["Checks"]] == ["service:s"]
    _, passing = client.health.service(name, passing=True)
    assert [e["Node"]["Node"] for e in passing] == [good]  # warning is not passing here


def test_health_checks_node_and_state(client):
    name = uid("hc")
    node = uid("hcn")
    client.catalog.register(node, "10.0.6.1", service={"Service": name, "ID": "s1"},
                            check={"Node": node, "CheckID": "service:s1", "Name": "c", "Status": "critical", "ServiceID": "s1"})
    _, checks = client.health.checks(name)
    assert [(c["Node"], c["CheckID"], c["ServiceName"]) for c in checks] == [(node, "service:s1", name)]
    _, crit = client.health.state("critical")
    assert (node, "service:s1") in [(c["Node"], c["CheckID"]) for c in crit]
    assert all(c["Status"] == "critical" for c in crit)
    _, anyc = client.health.state("any")
    ids = [(c["Node"], c["CheckID"]) for c in anyc]
    assert (node, "service:s1") in ids and ("bb-node", "serfHealth") in ids
    _, passing = client.health.state("passing")
    assert (node, "service:s1") not in [(c["Node"], c["CheckID"]) for c in passing]
    _, none = client.health.node("no-such-node")
    assert none == []


def test_agent_service_appears_in_catalog_and_health(client):
    sid = uid("agent")
    name = uid("agentsvc")
    client.agent.service.register(name, service_id=sid, port=7000, tags=["t"], check=Check.ttl("30s"))
    # The agent syncs to the catalog before it answers (§1.11): no waiting.
    _, services = client.catalog.services()
    assert services[name] == ["t"]
    _, entries = client.catalog.service(name)
    assert [(e["Node"], e["ServiceID"], e["ServicePort"]) for e in entries] == [("bb-node", sid, 7000)]
    _, entries = client.health.service(name)
    assert len(entries) == 1
    checks = {c["CheckID"]: c["Status"] for c in entries[0]["Checks"]}
    assert checks == {"serfHealth": "passing", f"service:{sid}": "critical"}  # node checks come along
    _, passing = client.health.service(name, passing=True)
    assert passing == []
    client.agent.check.ttl_pass(f"service:{sid}")
    _, passing = client.health.service(name, passing=True)
    assert [e["Service"]["ID"] for e in passing] == [sid]
    client.agent.service.deregister(sid)
    _, entries = client.catalog.service(name)
    assert entries == []
    assert name not in client.catalog.services()[1]


def test_health_service_tag_filter_is_an_and_of_tags(client):
    name = uid("tags")
    client.catalog.register(uid("tn"), "10.0.7.1", service={"Service": name, "ID": "x", "Tags": ["a", "b"]})
    client.catalog.register(uid("tn"), "10.0.7.2", service={"Service": name, "ID": "y", "Tags": ["a"]})
    _, both = client.health.service(name, tag=["a", "b"])
    assert [e["Service"]["ID"] for e in both] == ["x"]
    _, only_a = client.health.service(name, tag="a")
    assert sorted(e["Service"]["ID"] for e in only_a) == ["x", "y"]


def test_catalog_reads_carry_index_and_leader_headers(client):
    for path in ("/v1/catalog/nodes", "/v1/catalog/services", "/v1/catalog/service/consul", "/v1/health/service/consul",
                 "/v1/health/state/any", "/v1/health/node/bb-node", "/v1/health/checks/consul"):
        r = requests.get(client.http.base_uri + path)
        assert r.status_code == 200, path
        assert int(r.headers["X-Consul-Index"]) >= 1, path
        assert r.headers["X-Consul-KnownLeader"] == "true", path
        assert r.headers["X-Consul-LastContact"] == "0", path


def test_catalog_filter_expression(client):
    name = uid("flt")
    client.catalog.register(uid("fn"), "10.0.8.1", service={"Service": name, "ID": "p", "Tags": ["prod"]})
    client.catalog.register(uid("fn"), "10.0.8.2", service={"Service": name, "ID": "d", "Tags": ["dev"]})
    _, entries = client.catalog.service(name, filter_expr='"prod" in ServiceTags')
    assert [e["ServiceID"] for e in entries] == ["p"]
    _, entries = client.health.service(name, filter_expr='Service.ID == "d"')
    assert [e["Service"]["ID"] for e in entries] == ["d"]
