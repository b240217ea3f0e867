"""Proves three real `gravity` servers stay one consistent registry through a crashed leader, a wiped follower, a paused leader and rolling restarts."""
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest
import requests

from conftest import BIN, free_ports
from support import uid

pytestmark = pytest.mark.cluster

SIZE = 3
# Every HTTP call to a node is bounded: a paused or dead node must cost a test seconds, not minutes.
REQUEST_TIMEOUT = 2.0
LEADER_TIMEOUT = 20.0
SNAPSHOT_THRESHOLD = 128


def poll(predicate, timeout, what, interval=0.05, describe=None):
    """Calls `predicate` until it returns something truthy and returns that; on timeout fails
    with `what` and, when given, `describe()` (the cluster's view, for the report)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    detail = f"; {describe()}" if describe else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value {last!r}{detail}")


class ClusterNode:
    """One `gravity agent -server` process of a test cluster: its ports, data folder and log.
    Restarting it keeps the name, ports and flags; the log file is appended to."""

    def __init__(self, name, ports, root):
        self.name = name
        self.http_port, self.discovery_port, self.dns_port, self.server_port = ports
        self.root = root
        self.data_dir = os.path.join(root, name)
        self.log_path = os.path.join(root, f"{name}.log")
        self.peer_address = f"127.0.0.1:{self.server_port}"
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.join = []
        # "name=host:port,...": form with -initial-cluster instead of -bootstrap-expect/-retry-join.
        self.initial_cluster = None
        self.proc = None
        self.starts = 0
        # Set when the test itself stops the process; any other exit is a crash.
        self.stopped_by_test = False

    def args(self):
        args = [BIN, "agent", "-server", "-node", self.name,
                "-bind", "127.0.0.1", "-client", "127.0.0.1", "-data-dir", self.data_dir,
                "-http-port", str(self.http_port), "-discovery-port", str(self.discovery_port),
                "-dns-port", str(self.dns_port), "-server-port", str(self.server_port)]
        if self.initial_cluster:
            args += ["-initial-cluster", self.initial_cluster]
        else:
            args += ["-bootstrap-expect", str(SIZE)]
            for address in self.join:
                args += ["-retry-join", address]
        # Snapshots every 128 entries, so a test's few hundred writes compact the log and a
        # server that lost its data is brought back by a snapshot install, not only replay.
        args += ["-raft-snapshot-threshold", str(SNAPSHOT_THRESHOLD), "-raft-snapshot-interval", "0s"]
        level = os.environ.get("GRAVITY_CLUSTER_LOG_LEVEL")
        if level:
            args += ["-log-level", level]
        return args

    def start(self):
        assert not self.running, f"{self.name} is already running"
        self.starts += 1
        self.stopped_by_test = False
        with open(self.log_path, "a") as log:
            log.write(f"==== test: start #{self.starts} of {self.name} at {time.strftime('%H:%M:%S')}\n")
            log.flush()
            self.proc = subprocess.Popen(self.args(), stdout=log, stderr=subprocess.STDOUT)

    def wait_listening(self, timeout=30):
        def listening():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                return requests.get(f"{self.url}/v1/agent/self", timeout=REQUEST_TIMEOUT).status_code == 200
            except requests.RequestException:
                return False
        poll(listening, timeout, f"{self.name} to answer HTTP", describe=self.log_tail)

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def send(self, sig):
        assert self.running, f"{self.name} is not running"
        self.proc.send_signal(sig)

    def kill(self):
        """SIGKILL: no goodbye to the cluster, nothing flushed that was not already."""
        self.stopped_by_test = True
        if self.running:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()

    def terminate(self, timeout=20):
        """SIGTERM and wait for the exit; returns the exit status (None: it did not exit)."""
        self.stopped_by_test = True
        self.send(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def get(self, path, timeout=REQUEST_TIMEOUT, **params):
        return requests.get(f"{self.url}{path}", params=params, timeout=timeout)

    def status_leader(self):
        """What this node says `/v1/status/leader` is; None when it does not answer."""
        try:
            r = self.get("/v1/status/leader")
            return r.json() if r.status_code == 200 else None
        except (requests.RequestException, ValueError):
            return None

    def put(self, key, value, timeout=REQUEST_TIMEOUT):
        """A KV write through this node: ("ack", None) only for HTTP 200 with body `true`,
        otherwise ("error", what the client saw)."""
        try:
            r = requests.put(f"{self.url}/v1/kv/{key}", data=value, timeout=timeout)
        except requests.RequestException as e:
            return "error", type(e).__name__
        if r.status_code == 200 and r.text.strip() == "true":
            return "ack", None
        return "error", f"HTTP {r.status_code} {r.text.strip()[:80]}"

    def keys(self, prefix, mode, timeout=REQUEST_TIMEOUT):
        """The keys under `prefix` read with `?consistent` or `?stale`; None when the read failed."""
        try:
            r = self.get(f"/v1/kv/{prefix}", timeout=timeout, keys="", **{mode: ""})
        except requests.RequestException:
            return None
        if r.status_code == 404:
            return set()
        return set(r.json()) if r.status_code == 200 else None

    def value(self, key, mode):
        """The value of `key` read with `?consistent`, `?stale` or default mode ("default");
        None when missing or the read failed."""
        params = {"raw": ""}
        if mode != "default":
            params[mode] = ""
        try:
            r = self.get(f"/v1/kv/{key}", **params)
        except requests.RequestException:
            return None
        return r.text if r.status_code == 200 else None

    def consul(self):
        import consul  # py-consul: this module runs only in that venv (conftest skips it elsewhere)
        c = consul.Consul(host="127.0.0.1", port=self.http_port)
        c.http.connections_timeout = 5
        return c

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return f"--- {self.name} log (last {lines} lines)\n" + "".join(f.readlines()[-lines:])
        except OSError:
            return f"--- {self.name}: no log"


class Cluster:
    """Three servers on 127.0.0.1, twelve distinct free ports, each started with
    `-server -bootstrap-expect 3 -retry-join` the other two peer addresses."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="gravity-cluster-")
        ports = free_ports(4 * SIZE)
        self.nodes = [ClusterNode(f"node{i + 1}", ports[4 * i:4 * i + 4], self.root) for i in range(SIZE)]
        for n in self.nodes:
            n.join = [m.peer_address for m in self.nodes if m is not n]

    def start(self):
        for n in self.nodes:
            n.start()
        for n in self.nodes:
            n.wait_listening()
        return self.wait_leader()

    def running(self):
        return [n for n in self.nodes if n.running]

    def by_peer(self, address):
        return next((n for n in self.nodes if n.peer_address == address), None)

    def views(self):
        """Each node's answer to /v1/status/leader, for failure messages."""
        return {n.name: (n.status_leader() if n.running else "(down)") for n in self.nodes}

    def describe(self):
        return f"leader views {self.views()}\n" + "\n".join(n.log_tail(25) for n in self.nodes)

    def wait_leader(self, nodes=None, timeout=LEADER_TIMEOUT, other_than=None):
        """Waits until every node of `nodes` (default: the running ones) names the same leader,
        that leader is running and names itself; returns its ClusterNode."""
        def agreed():
            group = nodes or self.running()
            views = {n.status_leader() for n in group}
            if len(views) != 1:
                return None
            leader = self.by_peer(views.pop())
            if leader is None or not leader.running or leader is other_than:
                return None
            return leader if leader.status_leader() == leader.peer_address else None
        return poll(agreed, timeout, "one leader every node agrees on", describe=self.describe)

    def followers(self, leader):
        return [n for n in self.nodes if n is not leader]

    def voters(self, node):
        """`/v1/status/peers` as `node` answers it (sorted), or None."""
        try:
            r = node.get("/v1/status/peers")
            return sorted(r.json()) if r.status_code == 200 else None
        except (requests.RequestException, ValueError):
            return None

    def all_peer_addresses(self):
        return sorted(n.peer_address for n in self.nodes)

    def crashed(self):
        """Nodes that exited without the test stopping them, with their exit status."""
        return {n.name: n.proc.returncode for n in self.nodes
                if n.proc is not None and not n.stopped_by_test and n.proc.poll() is not None}

    def stop(self):
        for n in self.nodes:
            n.kill()


@contextlib.contextmanager
def running_cluster(request, configure=None):
    """A fresh three-server cluster with a leader (`configure(cluster)` may change the nodes'
    flags first); killed and removed afterwards. When the test failed (or GRAVITY_CLUSTER_KEEP
    is set), the data folders and logs stay and their place is printed."""
    failed_before = request.session.testsfailed
    cluster = Cluster()
    if configure:
        configure(cluster)
    crashed = {}
    try:
        cluster.start()
        yield cluster
    finally:
        crashed = cluster.crashed()
        cluster.stop()
        if crashed or request.session.testsfailed > failed_before or os.environ.get("GRAVITY_CLUSTER_KEEP"):
            print(f"cluster data and logs kept in {cluster.root}")
            for n in cluster.nodes:
                print(n.log_tail(60))
        else:
            shutil.rmtree(cluster.root, ignore_errors=True)
    # A server that exited on its own during the test crashed (-13 is SIGPIPE, -4 SIGILL: a
    # failed precondition in a release build, which prints nothing).
    assert not crashed, f"servers exited without being stopped: {crashed}; logs in {cluster.root}"


@pytest.fixture
def raft_cluster(request):
    """A fresh three-server cluster formed with -bootstrap-expect 3 and -retry-join
    (GRAVITY_CLUSTER_LOG_LEVEL=debug makes the nodes log more)."""
    with running_cluster(request) as cluster:
        yield cluster


def write_until_acknowledged(nodes, key, value, deadline_s):
    """Writes `key` through `nodes` in turn every 50 ms until one acknowledges; returns the
    seconds that took and the errors seen on the way."""
    start = time.monotonic()
    errors = []
    attempt = 0
    while time.monotonic() - start < deadline_s:
        node = nodes[attempt % len(nodes)]
        attempt += 1
        outcome, detail = node.put(key, value, timeout=1.0)
        if outcome == "ack":
            return time.monotonic() - start, errors
        errors.append(f"{node.name}: {detail}")
        time.sleep(0.05)
    raise AssertionError(f"no write acknowledged within {deadline_s}s; errors {errors[-10:]}")


class Writer:
    """A client on its own thread writing unique keys `prefix/000000`, `prefix/000001`, ...
    through `nodes` in turn. Records which were acknowledged (HTTP 200 `true`) and in what
    order, and every error the client saw. `nodes` may be a callable that returns the list."""

    def __init__(self, prefix, nodes, pause=0.01, timeout=REQUEST_TIMEOUT):
        self.prefix = prefix
        self.nodes = nodes
        self.pause = pause
        self.timeout = timeout
        self.acked = []          # keys, in the order their acknowledgements arrived
        self.ack_times = []      # time.monotonic() of each acknowledgement
        self.errors = []         # (node name, what the client saw)
        self.slowest = (0.0, None)  # the longest acknowledged write: (seconds, node name)
        self.attempts = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def run(self):
        i = 0
        while not self.stopping.is_set():
            nodes = self.nodes() if callable(self.nodes) else self.nodes
            node = nodes[i % len(nodes)]
            key = f"{self.prefix}/{i:06d}"
            self.attempts += 1
            sent = time.monotonic()
            outcome, detail = node.put(key, str(i), timeout=self.timeout)
            if outcome == "ack":
                self.acked.append(key)
                self.ack_times.append(time.monotonic())
                self.slowest = max(self.slowest, (self.ack_times[-1] - sent, node.name))
                if self.ack_times[-1] - sent > 0.5:
                    print(f"slow write {key} through {node.name}: sent {time.strftime('%H:%M:%S')}"
                          f" took {self.ack_times[-1] - sent:.2f}s")
            else:
                self.errors.append((node.name, detail))
            i += 1
            time.sleep(self.pause)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=self.timeout + 5)
        assert not self.thread.is_alive(), "writer thread did not stop"

    def longest_gap(self):
        """The longest time between two acknowledgements, in seconds."""
        return max((b - a for a, b in zip(self.ack_times, self.ack_times[1:])), default=0.0)


def assert_all_readable(cluster, prefix, keys, mode="consistent", timeout=20):
    """Every node eventually answers a `?{mode}` read of `prefix` containing all `keys`."""
    wanted = set(keys)
    for n in cluster.nodes:
        def complete():
            seen = n.keys(prefix, mode)
            return seen is not None and wanted <= seen
        poll(complete, timeout, f"{n.name} to return all {len(wanted)} acknowledged keys with ?{mode}",
             interval=0.2, describe=lambda: f"missing {sorted(wanted - (n.keys(prefix, mode) or set()))[:10]}")


def test_follower_writes_are_read_back_through_the_other_follower(raft_cluster):
    leader = raft_cluster.wait_leader()
    first, second = raft_cluster.followers(leader)
    c1, c2 = first.consul(), second.consul()

    name, service_id = uid("web"), uid("web-id")
    assert c1.agent.service.register(name, service_id=service_id, port=8080, tags=["blue"]) is True
    _, entries = c2.health.service(name)
    assert [(e["Node"]["Node"], e["Service"]["ID"], e["Service"]["Port"]) for e in entries] == [(first.name, service_id, 8080)]
    _, instances = c2.catalog.service(name, consistency="consistent")
    assert [(i["Node"], i["ServiceID"], i["ServiceTags"]) for i in instances] == [(first.name, service_id, ["blue"])]

    external, db = uid("ext-node"), uid("db")
    assert c1.catalog.register(external, "10.1.2.3", service={"Service": db, "Port": 5432}) is True
    _, instances = c2.catalog.service(db)
    assert [(i["Node"], i["Address"], i["ServicePort"]) for i in instances] == [(external, "10.1.2.3", 5432)]

    key = uid("kv")
    assert c1.kv.put(key, "from-a-follower") is True
    _, entry = c2.kv.get(key, consistency="consistent")
    assert entry is not None and entry["Value"] == b"from-a-follower"
    _, entry = leader.consul().kv.get(key, consistency="consistent")
    assert entry["Value"] == b"from-a-follower"


def test_killed_leader_is_replaced_and_catches_up_after_restart(raft_cluster):
    leader = raft_cluster.wait_leader()
    survivors = raft_cluster.followers(leader)
    prefix = uid("failover")
    assert survivors[0].put(f"{prefix}/before", "1")[0] == "ack"

    leader.kill()
    seconds, errors = write_until_acknowledged(survivors, f"{prefix}/first-after", "1", deadline_s=10)
    print(f"\nfailover after kill -9 of the leader: first acknowledged write after {seconds * 1000:.0f} ms "
          f"({len(errors)} failed attempts, last: {errors[-3:]})")
    assert seconds < 10

    new_leader = raft_cluster.wait_leader(nodes=survivors)
    assert new_leader is not leader
    written_while_down = [f"{prefix}/down-{i:03d}" for i in range(20)]
    for i, key in enumerate(written_while_down):
        assert survivors[i % 2].put(key, str(i))[0] == "ack", key

    leader.start()
    leader.wait_listening()
    wanted = {f"{prefix}/before", f"{prefix}/first-after", *written_while_down}
    poll(lambda: wanted <= (leader.keys(prefix, "stale") or set()), 20,
         f"the restarted {leader.name} to serve, with ?stale, the writes made while it was down",
         interval=0.2, describe=raft_cluster.describe)
    assert leader.value(written_while_down[-1], "stale") == "19"
    raft_cluster.wait_leader()
    assert all(raft_cluster.voters(n) == raft_cluster.all_peer_addresses() for n in raft_cluster.nodes)


def test_follower_with_wiped_data_rejoins_and_serves_every_key(raft_cluster):
    leader = raft_cluster.wait_leader()
    victim, other = raft_cluster.followers(leader)
    prefix = uid("wipe")
    # Enough entries that a leader compacting its log may need to send a snapshot.
    keys = [f"{prefix}/{i:04d}" for i in range(300)]
    for i, key in enumerate(keys):
        assert (leader if i % 2 else other).put(key, str(i))[0] == "ack", key

    # The leader has compacted its log (snapshot.db is its latest snapshot), so a server with
    # nothing cannot be caught up by replay from index 1: it needs the snapshot sent.
    assert os.path.exists(os.path.join(leader.data_dir, "snapshot.db")), sorted(os.listdir(leader.data_dir))
    victim.kill()
    shutil.rmtree(victim.data_dir)
    victim.data_dir = os.path.join(raft_cluster.root, f"{victim.name}-new")
    assert not os.path.exists(victim.data_dir)
    assert other.put(f"{prefix}/while-down", "x")[0] == "ack"
    keys.append(f"{prefix}/while-down")

    victim.start()
    victim.wait_listening()
    poll(lambda: set(keys) <= (victim.keys(prefix, "stale") or set()), 40,
         f"{victim.name}, restarted with an empty data folder, to serve all {len(keys)} keys with ?stale",
         interval=0.2, describe=raft_cluster.describe)
    assert victim.value(keys[0], "stale") == "0" and victim.value(keys[299], "stale") == "299"
    expected = raft_cluster.all_peer_addresses()
    for n in raft_cluster.nodes:
        poll(lambda: raft_cluster.voters(n) == expected, 20, f"{n.name}'s /v1/status/peers to list the 3 voters",
             describe=lambda: f"{n.name} peers {raft_cluster.voters(n)}")
    raft_cluster.wait_leader()
    key = uid("after-rejoin")
    assert victim.put(key, "y")[0] == "ack"
    assert other.value(key, "consistent") == "y"


def test_paused_leader_loses_no_acknowledged_write_and_serves_no_stale_consistent_read(raft_cluster):
    leader = raft_cluster.wait_leader()
    others = raft_cluster.followers(leader)
    prefix = uid("pause")
    writer = Writer(prefix, others).start()
    violations, reads = [], []
    reading = threading.Event()

    def reader():
        # Real-time order: a write acknowledged before this read was sent must be in its answer.
        while not reading.is_set():
            for n in raft_cluster.nodes:
                acknowledged = len(writer.acked)
                seen = n.keys(prefix, "consistent")
                reads.append((n.name, seen is not None))
                if seen is not None:
                    missing = [k for k in writer.acked[:acknowledged] if k not in seen]
                    if missing:
                        violations.append((n.name, acknowledged, missing[:5]))

    reader_thread = threading.Thread(target=reader, daemon=True)
    reader_thread.start()
    try:
        time.sleep(1.0)
        before_pause = len(writer.acked)
        leader.send(signal.SIGSTOP)
        paused_at = time.monotonic()
        time.sleep(5.0)
        acked_during_pause = len(writer.acked) - before_pause
        # The stale-leader hazard: the old leader wakes up still believing it leads. A
        # ?consistent read it answers must contain what the new leader acknowledged meanwhile.
        leader.send(signal.SIGCONT)
        acknowledged = len(writer.acked)
        woken = leader.keys(prefix, "consistent", timeout=5)
        if woken is not None:
            missing = [k for k in writer.acked[:acknowledged] if k not in woken]
            assert not missing, f"the woken old leader answered ?consistent without {len(missing)} acknowledged keys, e.g. {missing[:5]}"
        new_leader = raft_cluster.wait_leader()
        resumed = len(writer.acked)
        poll(lambda: len(writer.acked) >= resumed + 20, 15, "20 more acknowledged writes after SIGCONT")
    finally:
        if leader.running:
            leader.send(signal.SIGCONT)
        reading.set()
        writer.stop()
        reader_thread.join(timeout=REQUEST_TIMEOUT * SIZE + 5)

    gaps = [b - a for a, b in zip(writer.ack_times, writer.ack_times[1:]) if b > paused_at - 1]
    print(f"\npaused leader: {len(writer.acked)} writes acknowledged of {writer.attempts} "
          f"({acked_during_pause} during the 5 s pause); longest gap between acknowledgements "
          f"{max(gaps, default=0) * 1000:.0f} ms; slowest acknowledged write {writer.slowest[0] * 1000:.0f} ms "
          f"(through {writer.slowest[1]}); new leader {new_leader.name} (was {leader.name}); "
          f"{sum(ok for _, ok in reads)} of {len(reads)} ?consistent reads answered; errors {writer.errors[:4]}")
    assert acked_during_pause > 0, f"no write was acknowledged during the 5 s pause; errors {writer.errors[-5:]}"
    assert not violations, f"?consistent reads missing writes acknowledged before they were sent: {violations[:5]}"
    assert_all_readable(raft_cluster, prefix, writer.acked, "consistent")


def test_rolling_restart_loses_no_acknowledged_write(raft_cluster):
    prefix = uid("roll")
    writer = Writer(prefix, raft_cluster.nodes, timeout=3.0).start()
    statuses = {}
    try:
        time.sleep(0.5)
        for n in raft_cluster.nodes:
            started = time.monotonic()
            was_leader = raft_cluster.wait_leader() is n
            statuses[n.name] = n.terminate(timeout=20)
            assert statuses[n.name] is not None, f"{n.name} did not exit within 20 s of SIGTERM"
            time.sleep(1.0)  # down for a while, as during an upgrade: the other two carry the writes
            n.start()
            n.wait_listening()
            raft_cluster.wait_leader()
            # Back as a working voter before the next goes down: a write through it is
            # acknowledged and then seen in its own ?stale state.
            key = f"{prefix}-probe/{n.name}"
            write_until_acknowledged([n], key, "back", deadline_s=15)
            poll(lambda: n.value(key, "stale") == "back", 15, f"{n.name} to apply its own write")
            print(f"\nrolling restart: {n.name} ({'leader' if was_leader else 'follower'}) "
                  f"exited with {statuses[n.name]} and was back in {time.monotonic() - started:.1f} s")
            time.sleep(0.5)
    finally:
        writer.stop()

    print(f"rolling restart: {len(writer.acked)} of {writer.attempts} writes acknowledged; "
          f"longest gap between acknowledgements {writer.longest_gap() * 1000:.0f} ms; "
          f"errors the client saw: {sorted({d for _, d in writer.errors})}")
    assert all(code == 0 for code in statuses.values()), f"exit statuses after SIGTERM: {statuses}"
    # A stopping leader hands over (TimeoutNow) instead of leaving the others to time out:
    # writes pause for about a round trip, not an election timeout (raft-features.md).
    assert writer.longest_gap() < 1.0, f"writes stopped for {writer.longest_gap():.2f}s during the rolling restart"
    assert writer.acked, "no write was acknowledged"
    # A plain PUT never answers 200 `false`: a failure the client saw is an exception or an error status.
    assert not [d for _, d in writer.errors if d.startswith("HTTP 200")], writer.errors
    raft_cluster.wait_leader()
    assert_all_readable(raft_cluster, prefix, writer.acked, "consistent")
    for n in raft_cluster.nodes:
        assert raft_cluster.voters(n) == raft_cluster.all_peer_addresses()


def test_status_and_operator_agree_and_transfer_moves_leadership(raft_cluster):
    leader = raft_cluster.wait_leader()
    expected = raft_cluster.all_peer_addresses()
    for n in raft_cluster.nodes:
        assert n.status_leader() == leader.peer_address, n.name
        assert raft_cluster.voters(n) == expected, n.name
        r = n.get("/v1/operator/raft/configuration")
        assert r.status_code == 200, (n.name, r.status_code, r.text)
        servers = r.json()["Servers"]
        assert sorted(s["Address"] for s in servers) == expected, (n.name, servers)
        assert [s["Address"] for s in servers if s["Leader"]] == [leader.peer_address], (n.name, servers)
        assert all(s["Voter"] for s in servers), (n.name, servers)
        assert sorted(s["Node"] for s in servers) == ["node1", "node2", "node3"], (n.name, servers)
        stats = n.get("/v1/agent/self").json()["Stats"]
        assert stats["raft"]["state"] == ("Leader" if n is leader else "Follower"), (n.name, stats["raft"])
        assert stats["consul"]["leader_addr"] == leader.peer_address, (n.name, stats["consul"])

    r = requests.post(f"{raft_cluster.followers(leader)[0].url}/v1/operator/raft/transfer-leader", timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json().get("Success") is True, r.text
    new_leader = raft_cluster.wait_leader(other_than=leader)
    assert new_leader is not leader
    servers = new_leader.get("/v1/operator/raft/configuration").json()["Servers"]
    assert [s["Address"] for s in servers if s["Leader"]] == [new_leader.peer_address]
    key = uid("after-transfer")
    assert leader.put(key, "v")[0] == "ack"
    assert new_leader.value(key, "consistent") == "v"


def test_lone_survivor_refuses_writes_and_linearizable_reads_but_answers_stale(raft_cluster):
    leader = raft_cluster.wait_leader()
    survivor, other = raft_cluster.followers(leader)
    key = uid("lone")
    assert survivor.put(key, "kept")[0] == "ack"
    other.kill()
    leader.kill()
    poll(lambda: survivor.status_leader() == "", 10, "the survivor to say it has no leader")

    r = requests.put(f"{survivor.url}/v1/kv/{key}", data="lost", timeout=20)
    assert (r.status_code, r.text.strip()) == (500, "No cluster leader")
    for params in ({}, {"consistent": ""}):
        r = survivor.get(f"/v1/kv/{key}", timeout=20, **params)
        assert (r.status_code, r.text.strip()) == (500, "No cluster leader"), params
    assert survivor.value(key, "stale") == "kept"
    assert survivor.get("/v1/operator/raft/configuration", timeout=20).status_code == 500
    servers = survivor.get("/v1/operator/raft/configuration", stale="").json()["Servers"]
    assert len(servers) == 3 and not any(s["Leader"] for s in servers), servers

    # One server back is a majority again.
    other.start()
    other.wait_listening()
    raft_cluster.wait_leader(nodes=[survivor, other])
    seconds, _ = write_until_acknowledged([survivor], key, "again", deadline_s=10)
    assert other.value(key, "consistent") == "again"


def test_removed_peer_leaves_the_configuration_and_writes_go_on(raft_cluster):
    leader = raft_cluster.wait_leader()
    gone, stays = raft_cluster.followers(leader)
    gone.kill()
    r = requests.delete(f"{stays.url}/v1/operator/raft/peer", params={"address": gone.peer_address}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    expected = sorted([leader.peer_address, stays.peer_address])
    for n in (leader, stays):
        poll(lambda: raft_cluster.voters(n) == expected, 10, f"{n.name}'s peers without {gone.name}")
        servers = n.get("/v1/operator/raft/configuration").json()["Servers"]
        assert sorted(s["Address"] for s in servers) == expected, servers
    key = uid("two")
    assert stays.put(key, "v")[0] == "ack"
    assert leader.value(key, "consistent") == "v"

    r = requests.delete(f"{stays.url}/v1/operator/raft/peer", params={"address": gone.peer_address}, timeout=10)
    assert r.status_code >= 400, "removing a server that is no longer a member succeeded"
    r = requests.delete(f"{stays.url}/v1/operator/raft/peer", timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)

def test_raft_configuration_is_the_same_from_every_server(raft_cluster):
    raft_cluster.wait_leader()
    views = {}
    for n in raft_cluster.nodes:
        servers = n.get("/v1/operator/raft/configuration").json()["Servers"]
        views[n.name] = sorted((s["ID"], s["Node"], s["Address"], s["Voter"]) for s in servers)
    assert views["node1"] == views["node2"] == views["node3"], views
    # Consul names a server by its node ID, the one /v1/agent/self reports.
    for n in raft_cluster.nodes:
        node_id = n.get("/v1/agent/self").json()["Config"]["NodeID"]
        assert (node_id, n.name, n.peer_address, True) in views["node1"], (n.name, node_id, views["node1"])


def test_operator_raft_cli_lists_and_transfers(raft_cluster):
    leader = raft_cluster.wait_leader()
    follower = raft_cluster.followers(leader)[0]

    def gravity(*args):
        return subprocess.run([BIN, "operator", "raft", *args, "-http-addr", f"127.0.0.1:{follower.http_port}"],
                              capture_output=True, text=True, timeout=20)

    listed = gravity("list-peers")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["Node", "ID", "Address", "State", "Voter", "RaftProtocol"]
    states = {line.split()[0]: line.split()[3] for line in lines[1:]}
    assert states == {n.name: ("leader" if n is leader else "follower") for n in raft_cluster.nodes}, listed.stdout
    target = next(line.split()[1] for line in lines[1:] if line.split()[0] == follower.name)
    moved = gravity("transfer-leader", "-id", target)
    assert (moved.returncode, moved.stdout) == (0, "Success\n"), moved.stderr
    assert raft_cluster.wait_leader(other_than=leader) is follower
    missing = gravity("remove-peer", "-address", "10.9.9.9:8300")
    assert missing.returncode == 1 and "was not found in the Raft configuration" in missing.stderr, (missing.stdout, missing.stderr)
