"""Starts real `gravity agent -dev` processes for black-box tests (GRAVITY_BIN names the binary)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from importlib import metadata

import pytest

BIN = os.environ.get("GRAVITY_BIN", ".build/debug/gravity")


def consul_client_package():
    """Which distribution provides the `consul` module in this interpreter: "py-consul",
    "python-consul2", or None. Both install a module named `consul`, so each has its own venv."""
    for name in ("py-consul", "python-consul2"):
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            continue
        if any(str(f).replace("\\", "/") == "consul/__init__.py" for f in files):
            return name
    return None


CLIENT = consul_client_package()


def free_ports(count):
    """`count` distinct free ports: all are held open while they are chosen, so the kernel
    cannot hand out the same one twice (separate one-at-a-time picks could, and the agent then
    refuses to start with "Ports must differ")."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Node:
    """One running agent, its ports and its log."""

    def __init__(self, extra_args=(), config=None):
        self.http_port, self.discovery_port, self.server_port, self.dns_port = free_ports(4)
        self.tmp = tempfile.mkdtemp(prefix="gravity-bb-")
        self.log_path = os.path.join(self.tmp, "agent.log")
        args = [BIN, "agent", "-dev", "-node", "bb-node",
                "-http-port", str(self.http_port), "-discovery-port", str(self.discovery_port),
                "-server-port", str(self.server_port), "-dns-port", str(self.dns_port),
                "-data-dir", os.path.join(self.tmp, "data")]
        if config is not None:
            path = os.path.join(self.tmp, "config.json")
            with open(path, "w") as f:
                json.dump(config, f)
            args += ["-config-file", path]
        args += list(extra_args)
        self.args = args
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self.wait_ready()
        except RuntimeError:
            # No fixture owns a node that never started (tests of refused configurations
            # expect this); its log is in the error.
            try:
                self.stop()
            finally:
                shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def restart(self):
        """Starts the agent again on the same data folder and ports, appending to its log."""
        assert self.proc.poll() is not None, "stop it first"
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gravity exited with {self.proc.returncode}: {self.read_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.http_port), timeout=0.2):
                    with socket.create_connection(("127.0.0.1", self.discovery_port), timeout=0.2):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("gravity did not start listening: " + self.read_log())

    def read_log(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    @property
    def consul(self):
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def discovery(self):
        return f"http://127.0.0.1:{self.discovery_port}"

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        self.log.close()
        return self.proc.returncode


def discard(nodes, request, failed_before):
    """Stops `nodes` and removes their folders, unless a test failed meanwhile: then the
    folders (data and agent.log) stay and their paths are printed."""
    for n in nodes:
        n.stop()
    if request.session.testsfailed > failed_before:
        for n in nodes:
            print(f"agent data and log kept in {n.tmp}")
        return
    for n in nodes:
        shutil.rmtree(n.tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def node(request):
    failed_before = request.session.testsfailed
    n = Node()
    yield n
    discard([n], request, failed_before)


@pytest.fixture
def make_node(request):
    failed_before = request.session.testsfailed
    started = []

    def make(**kwargs):
        n = Node(**kwargs)
        started.append(n)
        return n

    yield make
    discard(started, request, failed_before)


def venv_kind():
    """Which test venv this interpreter is: its Consul client, "discovery" (httpx, websockets), or
    "grpc" (grpcio, grpcio-health-checking)."""
    if CLIENT:
        return CLIENT
    for distribution, kind in (("websockets", "discovery"), ("grpcio", "grpc")):
        try:
            metadata.distribution(distribution)
            return kind
        except metadata.PackageNotFoundError:
            continue
    return None


VENV = venv_kind()


def pytest_configure(config):
    config.addinivalue_line("markers", "cluster: starts multi-server clusters (test_cluster.py); select with -m cluster or -k cluster")


def pytest_collection_modifyitems(config, items):
    # Each file runs in one venv (scripts/test runs each venv over its files):
    # test_consul2_*.py under .build-venv/python-consul2, test_discovery_*.py under
    # .build-venv/discovery (httpx, websockets, schemathesis), test_grpc_*.py under .build-venv/grpc
    # (grpcio), every other file under py-consul.
    for item in items:
        base = item.fspath.basename
        wants = ("python-consul2" if base.startswith("test_consul2_")
                 else "discovery" if base.startswith("test_discovery_")
                 else "grpc" if base.startswith("test_grpc_") else "py-consul")
        if VENV != wants:
            item.add_marker(pytest.mark.skip(reason=f"needs the {wants} venv; this interpreter is {VENV}"))


@pytest.fixture
def client(node):
    """A py-consul client talking to the module's node."""
    if CLIENT != "py-consul":
        pytest.skip(f"needs py-consul; this interpreter has {CLIENT}")
    import consul
    c = consul.Consul(host="127.0.0.1", port=node.http_port)
    yield c
    c.http.session.close()
