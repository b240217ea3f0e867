"""HTTP and TCP checks probed by a real node against real local targets: Consul's status
mapping and output, the damping thresholds, a listener that goes away, deregistration of a
service left critical, the link-local guard, HTTPS targets with and without verification, and
the seed's 8761 states on the same checks."""
import json
import socket
import urllib.request

from consul import Check

from support import Target, self_signed_certificate, uid, wait_until


def check(client, cid):
    return client.agent.checks().get(cid)


def status(client, cid):
    c = check(client, cid)
    return c and c["Status"]


def test_http_check_output_and_status_mapping(client):
    target = Target(200)
    try:
        sid = uid("http")
        client.agent.service.register("probed", service_id=sid, check=Check.http(target.url, "1s", timeout="1s"))
        cid = f"service:{sid}"
        wait_until(lambda: status(client, cid) == "passing", timeout=6, what="first probe passing")
        assert check(client, cid)["Output"] == f"HTTP GET {target.url}: 200 OK Output: status 200"
        target.status = 429
        wait_until(lambda: status(client, cid) == "warning", timeout=4, what="429 -> warning")
        target.status = 503
        wait_until(lambda: status(client, cid) == "critical", timeout=4, what="503 -> critical")
        assert check(client, cid)["Output"] == f"HTTP GET {target.url}: 503 Service Unavailable Output: status 503"
        target.status = 200
        wait_until(lambda: status(client, cid) == "passing", timeout=4, what="recovered")
    finally:
        target.close()


def test_http_probes_keep_their_connection(client, tmp_path):
    """Probes of an HTTP/1.1 target reuse one connection, over TLS too; an HTTP/1.0 target gets
    a new one per probe (it closes after each answer)."""
    plain = Target(200, keep_alive=True)
    secure = Target(200, certificate=self_signed_certificate(str(tmp_path)), keep_alive=True)
    closing = Target(200)
    try:
        for target, extra in ((plain, {}), (secure, {"TLSSkipVerify": True}), (closing, {})):
            client.agent.service.register("kept", service_id=uid("kept"), check={**Check.http(target.url, "1s", timeout="1s"), **extra})
        for target in (plain, secure, closing):
            wait_until(lambda: target.hits >= 4, timeout=10, what="four probes")
        assert len(plain.peers) == 1 and len(secure.peers) == 1, (plain.peers, secure.peers)
        assert len(closing.peers) >= 4
    finally:
        for target in (plain, secure, closing):
            target.close()


def test_https_check_skip_verify_and_verification(client, tmp_path):
    target = Target(200, certificate=self_signed_certificate(str(tmp_path)))
    try:
        skipping, verifying = uid("https-skip"), uid("https-verify")
        definition = Check.http(target.url, "1s", timeout="1s")
        client.agent.service.register("secure", service_id=skipping, check={**definition, "TLSSkipVerify": True})
        client.agent.service.register("secure", service_id=verifying, check=definition)
        skip_id, verify_id = f"service:{skipping}", f"service:{verifying}"
        wait_until(lambda: status(client, skip_id) == "passing", timeout=6, what="skip-verify passing")
        assert check(client, skip_id)["Output"] == f"HTTP GET {target.url}: 200 OK Output: status 200"
        wait_until(lambda: check(client, verify_id)["Output"], timeout=6, what="verifying probe result")
        assert status(client, verify_id) == "critical"
        assert check(client, verify_id)["Output"].startswith(
            f'Get "{target.url}": tls: failed to verify certificate: x509: certificate signed by unknown authority')
        target.status = 503
        wait_until(lambda: status(client, skip_id) == "critical", timeout=4, what="503 -> critical")
        assert check(client, skip_id)["Output"] == f"HTTP GET {target.url}: 503 Service Unavailable Output: status 503"
    finally:
        target.close()


def test_damping_thresholds(client):
    target = Target(200)
    try:
        sid = uid("damped")
        definition = Check.http(target.url, "1s", timeout="1s")
        definition.update({"SuccessBeforePassing": 2, "FailuresBeforeWarning": 1, "FailuresBeforeCritical": 3})
        client.agent.service.register("damped", service_id=sid, check=definition)
        cid = f"service:{sid}"
        wait_until(lambda: status(client, cid) == "passing", timeout=8, what="two successes -> passing")
        hits = target.hits
        target.status = 500
        wait_until(lambda: status(client, cid) == "warning", timeout=4, what="first failure -> warning")
        assert target.hits - hits <= 2
        hits = target.hits
        wait_until(lambda: status(client, cid) == "critical", timeout=6, what="third failure -> critical")
        assert target.hits - hits >= 2, "critical only after the third consecutive failure"
        target.status = 200
        hits = target.hits
        wait_until(lambda: status(client, cid) == "passing", timeout=6, what="two successes -> passing again")
        assert target.hits - hits >= 2
    finally:
        target.close()


def test_tcp_check_follows_a_listener_that_goes_away(client):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    sid = uid("tcp")
    client.agent.service.register("tcpsvc", service_id=sid, check=Check.tcp("127.0.0.1", port, "1s", timeout="1s"))
    cid = f"service:{sid}"
    try:
        wait_until(lambda: status(client, cid) == "passing", timeout=6, what="TCP passing")
        assert check(client, cid)["Output"] == f"TCP connect 127.0.0.1:{port}: Success"
    finally:
        listener.close()
    wait_until(lambda: status(client, cid) == "critical", timeout=5, what="TCP critical after the listener closed")
    assert "connection refused" in check(client, cid)["Output"]


def test_service_left_critical_is_deregistered(client):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    sid = uid("reaped")
    definition = Check.tcp("127.0.0.1", port, "1s", timeout="500ms", deregister="2s")
    client.agent.service.register("reaped", service_id=sid, check=definition)
    wait_until(lambda: status(client, f"service:{sid}") == "critical", timeout=6, what="critical")
    wait_until(lambda: sid not in client.agent.services(), timeout=6, what="deregistered after 2s critical")


def test_link_local_targets_are_refused(client):
    sid = uid("metadata")
    client.agent.service.register("ssrf", service_id=sid, check=Check.http("http://169.254.169.254/latest/meta-data/", "1s"))
    cid = f"service:{sid}"
    wait_until(lambda: check(client, cid)["Output"], timeout=6, what="probe result")
    assert status(client, cid) == "critical"
    assert "169.254.169.254" in check(client, cid)["Output"]


def test_discovery_registration_follows_the_seed_states(node, client):
    target = Target(200)
    base = f"http://127.0.0.1:{node.discovery_port}"

    def call(method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(base + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    try:
        name, sid = uid("seed"), uid("seed-1")
        code, _ = call("POST", "/api/v1/register", {
            "service_name": name, "service_id": sid, "address": "127.0.0.1", "port": 80,
            "health_check": {"type": "http", "url": target.url, "interval": "1s", "timeout": "1s",
                             "deregister_critical_service_after": "1m"}})
        assert code == 201
        cid = f"service:{sid}"
        wait_until(lambda: target.hits >= 1 and status(client, cid) == "passing", timeout=6, what="probed, passing")
        target.status = 503
        wait_until(lambda: status(client, cid) == "warning", timeout=4, what="first failure: warning")
        assert call("GET", f"/api/v1/services/{name}/instance")[0] == 200, "a warning instance still gets traffic"
        wait_until(lambda: status(client, cid) == "critical", timeout=4, what="second failure: critical")
        assert call("GET", f"/api/v1/services/{name}/instance")[0] == 404, "a critical instance is out of the pool"
        target.status = 200
        code, answer = call("POST", f"/api/v1/health/{sid}/check")
        assert code == 200
        mine = [r for r in (answer["data"] if isinstance(answer["data"], list) else [answer["data"]]) if r["check_id"] == cid]
        assert mine and mine[0]["status"] == "passing" and mine[0]["duration_ms"] >= 0
        wait_until(lambda: status(client, cid) == "passing", timeout=4, what="recovered")
    finally:
        target.close()
