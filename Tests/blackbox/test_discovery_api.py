"""The 8761 discovery API against a real node, driven with httpx: registration seen through the
Consul API and back, every strategy's distribution over 1,000 picks, leases, configuration
versions, bad input, and the error envelope."""
import collections

import pytest

# The py-consul venv collects every file too; there this one is skipped, not an import error.
httpx = pytest.importorskip("httpx")


@pytest.fixture
def api(make_node):
    node = make_node()
    with httpx.Client(base_url=f"http://127.0.0.1:{node.discovery_port}", timeout=10) as discovery, \
            httpx.Client(base_url=f"http://127.0.0.1:{node.http_port}", timeout=10) as consul:
        yield discovery, consul


# An HTTP check to an address nothing answers: probed, it goes warning and then critical.
UNREACHABLE_HTTP = {"type": "http", "url": "http://10.1.0.1:8080/health", "interval": "10s"}
# A check whose state stays as registered for the length of a test, so the pool of a test that
# makes a thousand picks does not change under it on a slow machine (the HTTP one above would
# go critical after two probes, 10-20 s in).
STEADY = {"type": "ttl", "interval": "10m"}


def register(discovery, service_id, name="web", metadata=None, check=None):
    body = {"service_name": name, "service_id": service_id, "address": "10.1.0.1", "port": 8080,
            "tags": ["blackbox"], "metadata": metadata or {},
            "health_check": check or STEADY}
    response = discovery.post("/api/v1/register", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def picks(discovery, query, n=1000):
    counts = collections.Counter()
    for _ in range(n):
        response = discovery.get("/api/v1/services/web/instance", params=query)
        assert response.status_code == 200, response.text
        counts[response.json()["data"]["service_id"]] += 1
    return counts


def test_register_through_8761_read_through_consul_and_back(api):
    discovery, consul = api
    data = register(discovery, "web-1", metadata={"version": "1.0.0"}, check=UNREACHABLE_HTTP)
    assert data["status"] == "passing" and data["url"] == "http://10.1.0.1:8080"
    entries = consul.get("/v1/health/service/web").json()
    assert [e["Service"]["ID"] for e in entries] == ["web-1"]
    assert entries[0]["Service"]["Meta"] == {"version": "1.0.0"}
    assert any(c["CheckID"] == "service:web-1" and c["Type"] == "http" for c in entries[0]["Checks"])
    # Registered through Consul, seen (and deregistered) through 8761.
    assert consul.put("/v1/agent/service/register", json={"Name": "web", "ID": "web-2", "Port": 9000}).status_code == 200
    ids = [i["service_id"] for i in discovery.get("/api/v1/services/web/instances").json()["data"]]
    assert ids == ["web-1", "web-2"]
    assert discovery.delete("/api/v1/deregister/web-2").status_code == 204
    assert "web-2" not in consul.get("/v1/agent/services").json()
    summary = discovery.get("/api/v1/services/web").json()["data"]
    assert summary["total_instances"] == 1 and summary["healthy_instances"] == 1


def test_round_robin_weighted_geographic_distributions(api):
    discovery, _ = api
    register(discovery, "a", metadata={"weight": "100", "region": "eu"})
    register(discovery, "b", metadata={"weight": "300", "region": "eu"})
    register(discovery, "c", metadata={"weight": "400", "cpu_usage": "75", "region": "us"})
    rr = picks(discovery, {"strategy": "round_robin"}, n=999)
    assert rr == {"a": 333, "b": 333, "c": 333}
    weighted = picks(discovery, {"strategy": "weighted"})
    # Weights 100 : 300 : 400*(1-0.75)=100 -> expected 200 / 600 / 200 of 1,000.
    assert abs(weighted["a"] - 200) < 70 and abs(weighted["b"] - 600) < 80 and abs(weighted["c"] - 200) < 70, weighted
    geo = picks(discovery, {"strategy": "geographic", "region": "us"}, n=100)
    assert geo == {"c": 100}
    fallback = picks(discovery, {"strategy": "geographic", "region": "ap"}, n=300)
    assert fallback == {"a": 100, "b": 100, "c": 100}


def test_least_connections_with_leases(api):
    discovery, _ = api
    for service_id in ("a", "b"):
        register(discovery, service_id)
    held = []
    for _ in range(10):
        data = discovery.get("/api/v1/services/web/instance", params={"strategy": "least_connections"}).json()["data"]
        held.append((data["service_id"], data["lease"]["lease_id"]))
    assert collections.Counter(s for s, _ in held) == {"a": 5, "b": 5}
    for service_id, lease in held:
        if service_id == "a":
            r = discovery.post(f"/api/v1/services/web/instances/a/release", params={"lease": lease})
            assert r.status_code == 200, r.text
    # a holds 0 leases, b holds 5: the next five go to a.
    nxt = [discovery.get("/api/v1/services/web/instance", params={"strategy": "least_connections"}).json()["data"]["service_id"]
           for _ in range(5)]
    assert nxt == ["a"] * 5
    metrics = discovery.get("/api/v1/metrics/instances").json()["data"]
    leases = {m["service_id"]: m["active_leases"] for m in metrics if m["service_name"] == "web"}
    assert leases == {"a": 5, "b": 5}


def test_least_connections_over_1000_held_picks_is_even(api):
    # Leases that are never released: each pick goes to an instance with the fewest, so 1,000
    # picks over three instances leave them 334 / 333 / 333 apart by at most one.
    discovery, _ = api
    for service_id in ("a", "b", "c"):
        register(discovery, service_id)
    counts = picks(discovery, {"strategy": "least_connections", "lease_ttl": "10m"})
    assert sorted(counts.values()) == [333, 333, 334], counts
    active = {m["service_id"]: m["active_leases"] for m in discovery.get("/api/v1/metrics/instances").json()["data"]
              if m["service_name"] == "web"}
    assert active == dict(counts)


def test_critical_instance_leaves_the_pool(api):
    discovery, consul = api
    register(discovery, "a", check={"type": "ttl", "interval": "30s"})
    register(discovery, "b", check={"type": "ttl", "interval": "30s"})
    assert consul.put("/v1/agent/check/fail/service:a").status_code == 200
    assert picks(discovery, {}, n=20) == {"b": 20}
    assert consul.put("/v1/agent/check/warn/service:b").status_code == 200
    assert picks(discovery, {}, n=5) == {"b": 5}
    assert consul.put("/v1/agent/check/fail/service:b").status_code == 200
    none = discovery.get("/api/v1/services/web/instance")
    assert none.status_code == 404
    assert none.json() == {"success": False, "error": {"code": "not_found", "message": "no healthy instances of service web", "details": None}}
    health = discovery.get("/api/v1/health/b").json()["data"]
    assert health["status"] == "critical" and health["receives_traffic"] is False


def test_config_versions(api):
    discovery, consul = api
    for version in range(1, 23):
        r = discovery.put("/api/v1/config/orders", json={"config": {"pool": version}, "environment": "staging"})
        assert r.status_code == 200, r.text
        assert r.json()["data"]["version"] == str(version)
    latest = discovery.get("/api/v1/config/orders").json()["data"]
    assert latest["config"] == {"pool": 22} and latest["environment"] == "staging"
    assert discovery.get("/api/v1/config/orders", params={"version": 3}).json()["data"]["config"] == {"pool": 3}
    assert discovery.get("/api/v1/config/orders", params={"version": 2}).status_code == 404
    assert discovery.delete("/api/v1/config/orders").status_code == 204
    assert discovery.get("/api/v1/config/orders").status_code == 404


def test_bad_input_gets_the_envelope_and_changes_nothing(api):
    discovery, consul = api
    before = consul.get("/v1/catalog/services").json()
    for body, field in [
        (b"{", "body"),
        (b'{"service_name": "web", "service_id": "x", "address": "h", "port": 0}', "port"),
        (b'{"service_name": "web", "service_id": "x", "address": "h", "port": 80, "health_check": {"type": "http"}}', "health_check.url"),
        (b'{"service_name": "web", "service_id": "x", "address": "h", "port": 80, "health_check": {"type": "tcp", "url": "h:1", "interval": "often"}}', "health_check.interval"),
    ]:
        r = discovery.post("/api/v1/register", content=body)
        assert r.status_code == 400, r.text
        error = r.json()["error"]
        assert error["code"] == "validation_error" and error["details"]["field"] == field and error["message"]
    assert discovery.get("/api/v1/services/web/instance", params={"strategy": "nearest"}).status_code == 400
    assert discovery.patch("/api/v1/register").status_code == 405
    assert consul.get("/v1/catalog/services").json() == before
