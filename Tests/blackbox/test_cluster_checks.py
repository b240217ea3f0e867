"""Proves on three real `gravity` servers that checks survive the loss of the server that runs
them: kill -9 it, and another server takes its checks over (its serfHealth says which), the
instance stays passing, and the probes go on; restart it, and its checks come back to it."""
import http.server
import threading
import time

import pytest
import requests

from conftest import free_ports
from support import uid
from test_cluster import poll, raft_cluster  # noqa: F401 (the fixture)

pytestmark = pytest.mark.cluster

TAKEOVER_TIMEOUT = 15.0


class Target:
    """A local HTTP health endpoint that counts the probes it answers (200 ok)."""

    def __init__(self):
        self.hits = 0
        self.lock = threading.Lock()
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with target.lock:
                    target.hits += 1
                body = b"ok"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.port = free_ports(1)[0]
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self):
        with self.lock:
            return self.hits

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target():
    t = Target()
    yield t
    t.close()


def register(node, target, name, service_id):
    body = {"Name": name, "ID": service_id, "Port": target.port,
            "Check": {"HTTP": f"http://127.0.0.1:{target.port}/health", "Interval": "1s"}}
    r = requests.put(f"{node.url}/v1/agent/service/register", json=body, timeout=5)
    assert r.status_code == 200, r.text


def passing_ids(node, name):
    try:
        r = node.get(f"/v1/health/service/{name}", passing="", stale="")
        return sorted(e["Service"]["ID"] for e in r.json()) if r.status_code == 200 else None
    except Exception:
        return None


def serf_health(node, of):
    try:
        r = node.get(f"/v1/health/node/{of}", stale="")
        if r.status_code != 200:
            return None
        return next(((c["Status"], c["Output"]) for c in r.json() if c["CheckID"] == "serfHealth"), None)
    except Exception:
        return None


def takeover(raft_cluster, owner, target, name, service_id):
    """Kills `owner`, waits for another server to run its checks, and checks what the issue
    asks: the instance is passing again and the probes go on. Returns the seconds it took."""
    survivors = [n for n in raft_cluster.nodes if n is not owner]
    before = target.count()
    owner.kill()
    killed = time.monotonic()
    taken = poll(lambda: next((h for h in (serf_health(s, owner.name) for s in survivors)
                               if h and "its checks are run by" in h[1]), None),
                 TAKEOVER_TIMEOUT, f"another server to take over {owner.name}'s checks", interval=0.05,
                 describe=raft_cluster.describe)
    seconds = time.monotonic() - killed
    heir = taken[1].rsplit(" ", 1)[-1]
    assert heir in {s.name for s in survivors}, taken
    assert taken[0] == "passing"
    for s in survivors:
        poll(lambda: passing_ids(s, name) == [service_id], 10, f"{service_id} passing through {s.name}",
             describe=raft_cluster.describe)
    hits = target.count()
    poll(lambda: target.count() >= hits + 2, 10, "probes from the new owner", interval=0.2)
    assert target.count() > before
    return seconds, heir


def test_killed_followers_checks_move_and_come_back(raft_cluster, target):
    leader = raft_cluster.wait_leader()
    owner = raft_cluster.followers(leader)[0]
    name, service_id = uid("web"), uid("web-id")
    register(owner, target, name, service_id)
    poll(lambda: passing_ids(leader, name) == [service_id], 10, "the instance passing")
    poll(lambda: target.count() >= 2, 10, "the owner's probes")

    seconds, heir = takeover(raft_cluster, owner, target, name, service_id)
    print(f"\nfollower {owner.name} killed: its checks run by {heir} after {seconds * 1000:.0f} ms")

    owner.start()
    owner.wait_listening()
    poll(lambda: serf_health(leader, owner.name) == ("passing", "Agent alive and reachable"), 20,
         f"{owner.name}'s checks back with it", describe=raft_cluster.describe)
    assert passing_ids(leader, name) == [service_id]
    hits = target.count()
    poll(lambda: target.count() >= hits + 2, 10, "probes once the owner is back", interval=0.2)


def test_killed_leaders_checks_move_to_a_survivor(raft_cluster, target):
    leader = raft_cluster.wait_leader()
    name, service_id = uid("web"), uid("web-id")
    register(leader, target, name, service_id)
    poll(lambda: passing_ids(leader, name) == [service_id], 10, "the instance passing")

    seconds, heir = takeover(raft_cluster, leader, target, name, service_id)
    print(f"\nleader {leader.name} killed: its checks run by {heir} after {seconds * 1000:.0f} ms")
    assert seconds < TAKEOVER_TIMEOUT
