"""gRPC and H2PING checks probed by a real node against a real grpcio server (grpcio and
grpcio-health-checking from PyPI, .build-venv/grpc): the check follows the server's serving status
SERVING -> NOT_SERVING -> SERVING with Consul's outputs, an unknown service is critical, and an
H2PING check (h2c) passes while the server runs and turns critical once it stops."""
from concurrent import futures

import pytest
import requests

from support import uid, wait_until

# Only the grpc venv has grpcio; the other venvs' runs skip this file (conftest.py).
grpc = pytest.importorskip("grpc")
health = pytest.importorskip("grpc_health.v1.health")
health_pb2 = pytest.importorskip("grpc_health.v1.health_pb2")
health_pb2_grpc = pytest.importorskip("grpc_health.v1.health_pb2_grpc")

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class GRPCServer:
    """A grpcio server on 127.0.0.1 with the standard health service; `set` flips a status."""

    def __init__(self):
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        self.health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.health.set("", SERVING)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def set(self, service, status):
        self.health.set(service, status)

    def stop(self):
        self.server.stop(grace=None).wait()


@pytest.fixture
def grpc_server():
    server = GRPCServer()
    yield server
    server.stop()


def register(node, definition):
    r = requests.put(f"{node.consul}/v1/agent/check/register", json=definition)
    assert r.status_code == 200, r.text


def deregister(node, cid):
    requests.put(f"{node.consul}/v1/agent/check/deregister/{cid}")


def agent_check(node, cid):
    return requests.get(f"{node.consul}/v1/agent/checks").json().get(cid)


def health_check(node, cid):
    """The check as /v1/health/node/<node> reports it (the catalog's copy, not the agent's)."""
    checks = requests.get(f"{node.consul}/v1/health/node/bb-node").json()
    return next((c for c in checks if c["CheckID"] == cid), None)


def wait_status(node, cid, status, what):
    return wait_until(lambda: (c := agent_check(node, cid)) and c["Status"] == status and c, timeout=8, what=what)


def test_grpc_check_follows_the_serving_status(node, grpc_server):
    grpc_server.set("billing", SERVING)
    cid = uid("grpc")
    target = f"{grpc_server.address}/billing"
    register(node, {"ID": cid, "Name": "billing rpc", "GRPC": target, "Interval": "1s", "Timeout": "1s"})
    try:
        passing = wait_status(node, cid, "passing", "first probe passing")
        assert passing["Output"] == f"gRPC check {target}: success"
        assert passing["Type"] == "grpc"
        assert health_check(node, cid)["Status"] == "passing"

        grpc_server.set("billing", NOT_SERVING)
        critical = wait_status(node, cid, "critical", "NOT_SERVING -> critical")
        assert critical["Output"] == f"gRPC {target} serving status: NOT_SERVING"
        wait_until(lambda: health_check(node, cid)["Status"] == "critical", what="catalog sees critical")

        grpc_server.set("billing", SERVING)
        again = wait_status(node, cid, "passing", "SERVING again -> passing")
        assert again["Output"] == f"gRPC check {target}: success"
    finally:
        deregister(node, cid)


def test_grpc_check_of_an_unknown_service_is_critical(node, grpc_server):
    cid = uid("grpc-unknown")
    register(node, {"ID": cid, "Name": "unknown rpc", "GRPC": f"{grpc_server.address}/no.such.Service",
                    "Interval": "1s", "Status": "passing"})
    try:
        critical = wait_status(node, cid, "critical", "unknown service -> critical")
        assert critical["Output"].startswith("rpc error: code = NotFound desc = "), critical["Output"]
    finally:
        deregister(node, cid)


def test_h2ping_check_passes_then_fails_when_the_server_stops(node):
    server = GRPCServer()
    cid = uid("h2ping")
    register(node, {"ID": cid, "Name": "h2 ping", "H2PING": server.address, "H2PingUseTLS": False,
                    "Interval": "1s", "Timeout": "1s"})
    try:
        passing = wait_status(node, cid, "passing", "ping acknowledged")
        assert passing["Output"] == "HTTP2 ping was successful"
        assert passing["Type"] == "h2ping"
        server.stop()
        critical = wait_status(node, cid, "critical", "server stopped -> critical")
        assert critical["Output"] == (f"Failed to dial to {server.address}: "
                                      f"dial tcp {server.address}: connect: connection refused")
    finally:
        deregister(node, cid)
        server.stop()


def test_grpc_check_of_a_stopped_server_is_unavailable(node):
    server = GRPCServer()
    address = server.address
    server.stop()
    cid = uid("grpc-down")
    register(node, {"ID": cid, "Name": "down rpc", "GRPC": address, "Interval": "1s", "Status": "passing"})
    try:
        critical = wait_status(node, cid, "critical", "refused -> critical")
        assert critical["Output"] == ('rpc error: code = Unavailable desc = connection error: desc = '
                                      f'"transport: Error while dialing: dial tcp {address}: connect: connection refused"')
    finally:
        deregister(node, cid)
