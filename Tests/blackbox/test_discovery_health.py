"""The 8761 probes through httpx: liveness and readiness of a dev node."""
import pytest

# The py-consul venv collects every file too; there this one is skipped, not an import error.
httpx = pytest.importorskip("httpx")


def test_health_and_ready(node):
    with httpx.Client(base_url=f"http://127.0.0.1:{node.discovery_port}") as http:
        health = http.get("/health")
        assert health.status_code == 200
        assert health.json()["status"] == "healthy"
        ready = http.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ready"
