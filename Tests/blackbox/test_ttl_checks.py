"""Proves TTL checks go critical on time with Consul's "TTL expired" output, and updates restart the timer (consul-api.md §1.10)."""
import time

from consul import Check

from support import uid, wait_until


def service_ttl_check(client, name, ttl):
    """A TTL check bound to its own service: a critical node-level check would fail every
    service on the shared node under ?passing, so tests keep their checks on their services."""
    sid, cid = uid(name), uid(name + "-check")
    client.agent.service.register(name, service_id=sid)
    assert client.agent.check.register(name, check=Check.ttl(ttl), check_id=cid, service_id=sid) is True
    return cid


def status(client, cid):
    c = client.agent.checks()[cid]
    return c["Status"], c["Output"]


def test_ttl_500ms_is_critical_within_1_5s_of_the_last_pass(client):
    cid = service_ttl_check(client, "fast", "500ms")
    client.agent.check.ttl_pass(cid)
    passed = time.monotonic()
    assert status(client, cid)[0] == "passing"
    time.sleep(0.2)
    assert status(client, cid)[0] == "passing"  # not before the TTL
    wait_until(lambda: status(client, cid)[0] == "critical", timeout=1.5, interval=0.02, what="TTL expiry")
    assert time.monotonic() - passed <= 1.5
    assert status(client, cid)[1].startswith("TTL expired")


def test_ttl_100ms_expires_soon_after_the_last_pass(client):
    # py-consul's own suite expects a 100 ms TTL to have expired 120 ms after the last pass;
    # allow more slack on a shared machine, but still far below a second.
    cid = service_ttl_check(client, "faster", "100ms")
    client.agent.check.ttl_pass(cid)
    time.sleep(0.3)
    assert status(client, cid)[0] == "critical"


def test_expiry_keeps_the_last_output(client):
    cid = service_ttl_check(client, "last", "300ms")
    client.agent.check.ttl_pass(cid, "all good")
    wait_until(lambda: status(client, cid)[0] == "critical", timeout=1.5, what="TTL expiry")
    assert status(client, cid)[1] == "TTL expired (last output before timeout follows): all good"


def test_updates_restart_the_timer(client):
    sid = uid("kept")
    client.agent.service.register("kept", service_id=sid, check=Check.ttl("1s"))
    cid = f"service:{sid}"
    end = time.monotonic() + 2.5
    while time.monotonic() < end:  # keep it alive for 2.5 TTLs
        client.agent.check.ttl_pass(cid, "beat")
        time.sleep(0.3)
        assert status(client, cid) == ("passing", "beat")
    client.agent.check.ttl_warn(cid, "slow")
    time.sleep(0.5)
    assert status(client, cid) == ("warning", "slow")
    wait_until(lambda: status(client, cid)[0] == "critical", timeout=2, what="TTL expiry after warn")


def test_expiry_reaches_catalog_health(client):
    name, sid = uid("hexp"), uid("hexp")
    client.agent.service.register(name, service_id=sid, check=Check.ttl("500ms"))
    client.agent.check.ttl_pass(f"service:{sid}")
    _, passing = client.health.service(name, passing=True)
    assert [e["Service"]["ID"] for e in passing] == [sid]

    def critical_in_health():
        _, checks = client.health.checks(name)
        return [c for c in checks if c["CheckID"] == f"service:{sid}" and c["Status"] == "critical"]

    found = wait_until(critical_in_health, timeout=2, what="critical in health/checks")
    assert found[0]["Output"].startswith("TTL expired")
    assert client.health.service(name, passing=True)[1] == []
    _, crit = client.health.state("critical")
    assert f"service:{sid}" in [c["CheckID"] for c in crit]


def test_update_endpoint_also_restarts_the_timer(client):
    import requests
    cid = service_ttl_check(client, "updttl", "500ms")
    r = requests.put(f"{client.http.base_uri}/v1/agent/check/update/{cid}", json={"Status": "passing", "Output": "via update"})
    assert r.status_code == 200
    assert status(client, cid) == ("passing", "via update")
    wait_until(lambda: status(client, cid)[0] == "critical", timeout=1.5, what="TTL expiry after update")
    assert status(client, cid)[1] == "TTL expired (last output before timeout follows): via update"
