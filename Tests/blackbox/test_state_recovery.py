"""state.db is never synced while the agent runs (README: "state.db is never synced while the
agent runs"). A killed process loses nothing (the page cache holds its writes), and after a
machine restart, which the marker's boot ID tells apart, state.db is rebuilt from the snapshot
and raft.db. Driven through py-consul on a real agent with a data folder; the machine restart is
simulated by writing another boot ID into the marker."""
import os
import signal

import consul

from support import wait_until

REBUILT = "rebuilding it from the snapshot and raft.db"
# The smallest snapshot threshold: 200 writes leave a snapshot and a compacted log behind.
CONFIG = {"raft_snapshot_threshold": 16}


def write_keys(client, count, prefix):
    for i in range(count):
        assert client.kv.put(f"{prefix}/{i:03d}", f"value-{i}")


def keys(client, prefix):
    _, entries = client.kv.get(prefix, recurse=True)
    return {e["Key"]: e["Value"].decode() for e in entries or []}


def expected(count, prefix):
    return {f"{prefix}/{i:03d}": f"value-{i}" for i in range(count)}


def marker(node):
    return os.path.join(node.tmp, "data", "state.db-boot")


def client_of(node):
    return consul.Consul(host="127.0.0.1", port=node.http_port)


def test_state_survives_kill_and_is_rebuilt_after_a_machine_restart(make_node):
    node = make_node(config=CONFIG)
    client = client_of(node)
    with open("/proc/sys/kernel/random/boot_id") as f:
        boot = f.read().strip()
    with open(marker(node)) as f:
        assert f.read().strip() == boot, "the running agent's marker names this boot"
    write_keys(client, 200, "kept")
    client.agent.service.register("recovered", service_id="recovered-1", port=8080)
    snapshot = os.path.join(node.tmp, "data", "snapshot.db")
    wait_until(lambda: os.path.exists(snapshot), timeout=10, what="a snapshot")

    # kill -9 on the same boot: state.db is kept as the page cache left it.
    node.stop(sig=signal.SIGKILL)
    node.restart()
    client = client_of(node)
    wait_until(lambda: keys(client, "kept") == expected(200, "kept"), timeout=10, what="every key after kill -9")
    assert REBUILT not in node.read_log()

    # kill -9, then a "machine restart": another boot ID in the marker. state.db may be torn,
    # so it is rebuilt: the snapshot restored, the log after it replayed.
    write_keys(client, 50, "after")
    node.stop(sig=signal.SIGKILL)
    with open(marker(node), "w") as f:
        f.write("00000000-0000-4000-8000-000000000000\n")
    node.restart()
    client = client_of(node)
    assert REBUILT in node.read_log()
    wait_until(lambda: keys(client, "after") == expected(50, "after"), timeout=10, what="keys written after the snapshot")
    assert keys(client, "kept") == expected(200, "kept")
    assert "recovered-1" in client.agent.services()
    _, nodes = client.catalog.service("recovered")
    assert [n["ServiceID"] for n in nodes] == ["recovered-1"]

    # A clean stop syncs the files and says so; the next start keeps them on any boot.
    assert node.stop() == 0
    with open(marker(node)) as f:
        assert f.read().strip() == "clean"
    with open(marker(node), "w") as f:
        f.write("clean\n")
    node.restart()
    client = client_of(node)
    assert node.read_log().count(REBUILT) == 1
    assert keys(client, "after") == expected(50, "after")
