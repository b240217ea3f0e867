"""Proves a real dev agent serves status, agent/self and the 8761 probes to curl and Python clients."""
import json
import os
import signal
import subprocess

import requests


def curl(url, *args):
    out = subprocess.run(["curl", "-sS", "-i", *args, url], capture_output=True, timeout=10)
    assert out.returncode == 0, out.stderr
    head, _, body = out.stdout.decode().partition("\r\n\r\n")
    status = int(head.split()[1])
    headers = {}
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def test_status_leader_is_this_nodes_server_address(node):
    status, headers, body = curl(node.consul + "/v1/status/leader")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert headers["x-consul-default-acl-policy"] == "allow"
    assert json.loads(body) == f"127.0.0.1:{node.server_port}"


def test_status_peers_lists_the_leader(node):
    peers = requests.get(node.consul + "/v1/status/peers").json()
    leader = requests.get(node.consul + "/v1/status/leader").json()
    assert peers == [leader]


def test_agent_self_has_consuls_shape(node):
    r = requests.get(node.consul + "/v1/agent/self")
    assert r.status_code == 200
    me = r.json()
    assert me["Config"]["NodeName"] == "bb-node"
    assert me["Config"]["Datacenter"] == "dc1"
    assert me["Config"]["Server"] is True
    assert len(me["Config"]["NodeID"]) == 36
    assert me["Member"]["Name"] == "bb-node"
    assert me["Member"]["Status"] == 1
    assert me["Stats"]["consul"]["leader_addr"] == requests.get(node.consul + "/v1/status/leader").json()
    assert me["Stats"]["consul"]["leader"] == "true"
    assert len(me["Coord"]["Vec"]) == 8


def test_pretty_and_dc_and_namespace_rules(node):
    r = requests.get(node.consul + "/v1/status/peers?pretty")
    assert r.text.startswith("[\n    ")
    r = requests.get(node.consul + "/v1/status/leader?dc=elsewhere")
    assert r.status_code == 500 and r.text == "No path to datacenter"
    assert requests.get(node.consul + "/v1/status/leader?dc=dc1").status_code == 200
    r = requests.get(node.consul + "/v1/status/leader?ns=team")
    assert r.status_code == 400 and "Namespaces are a Consul Enterprise feature" in r.text


def test_unknown_path_and_wrong_method(node):
    r = requests.get(node.consul + "/v1/nope")
    assert r.status_code == 404
    assert r.text == "Invalid URL path: not a recognized HTTP API endpoint"
    r = requests.put(node.consul + "/v1/status/leader")
    assert r.status_code == 405
    assert r.headers["Allow"] == "OPTIONS,GET"
    assert r.text == "method PUT not allowed"
    r = requests.options(node.consul + "/v1/status/leader")
    assert r.status_code == 200 and r.headers["Allow"] == "OPTIONS,GET"


def test_discovery_health_and_ready(node):
    r = requests.get(node.discovery + "/health")
    assert r.status_code == 200
    assert r.json()["status"] == "healthy"
    assert r.json()["node"] == "bb-node"
    r = requests.get(node.discovery + "/health/ready")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "leader": f"127.0.0.1:{node.server_port}"}
    r = requests.get(node.discovery + "/nope")
    assert r.status_code == 404
    assert r.json()["success"] is False and r.json()["error"]["code"] == "not_found" and "/nope" in r.json()["error"]["message"]


def test_keep_alive_serves_many_requests_on_one_connection(node):
    with requests.Session() as s:
        for _ in range(50):
            assert s.get(node.consul + "/v1/status/leader").status_code == 200


def test_sigterm_stops_cleanly_and_removes_nothing_it_should_keep(make_node):
    n = make_node()
    assert requests.get(n.consul + "/v1/status/leader").status_code == 200
    assert n.stop(signal.SIGTERM) == 0
    log = n.read_log() if not n.log.closed else open(n.log_path).read()
    assert "Gravity agent stopped" in log
    data = os.path.join(n.tmp, "data")
    assert os.path.exists(os.path.join(data, "raft.db"))
    assert os.path.exists(os.path.join(data, "state.db"))
    assert os.path.exists(os.path.join(data, "node-id"))


def test_sigint_stops_cleanly(make_node):
    n = make_node()
    assert n.stop(signal.SIGINT) == 0


def test_node_id_is_stable_across_restarts(make_node, tmp_path):
    data = str(tmp_path / "data")
    first = make_node(extra_args=["-data-dir", data])
    id1 = requests.get(first.consul + "/v1/agent/self").json()["Config"]["NodeID"]
    first.stop()
    second = make_node(extra_args=["-data-dir", data])
    id2 = requests.get(second.consul + "/v1/agent/self").json()["Config"]["NodeID"]
    assert id1 == id2


def test_config_file_and_bad_config(make_node, tmp_path):
    n = make_node(config={"datacenter": "east-1", "log_level": "debug"})
    assert requests.get(n.consul + "/v1/agent/self").json()["Config"]["Datacenter"] == "east-1"
    bad = tmp_path / "bad.json"
    bad.write_text('{"datacenter": "East 1"}')
    out = subprocess.run([os.environ.get("GRAVITY_BIN", ".build/debug/gravity"), "agent", "-dev", "-config-file", str(bad)],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode != 0
    assert "Datacenter" in out.stderr
    typo = tmp_path / "typo.json"
    typo.write_text('{"datacentre": "dc1"}')
    out = subprocess.run([os.environ.get("GRAVITY_BIN", ".build/debug/gravity"), "agent", "-dev", "-config-file", str(typo)],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode != 0 and 'unknown key "datacentre"' in out.stderr


def test_port_in_use_is_a_clear_error(node, tmp_path):
    out = subprocess.run([os.environ.get("GRAVITY_BIN", ".build/debug/gravity"), "agent", "-dev",
                          "-http-port", str(node.http_port), "-data-dir", str(tmp_path / "d")],
                         capture_output=True, text=True, timeout=20)
    assert out.returncode != 0
    assert "EADDRINUSE" in out.stderr


def test_version_and_help():
    binary = os.environ.get("GRAVITY_BIN", ".build/debug/gravity")
    out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0 and "Gravity" in out.stdout and "libuv" in out.stdout and "OpenSSL" in out.stdout
    for cmd in ([binary, "--help"], [binary, "agent", "--help"], [binary, "version", "--help"]):
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        assert out.returncode == 0 and "USAGE" in out.stdout.upper()
    out = subprocess.run([binary, "agent", "--help"], capture_output=True, text=True, timeout=10)
    assert "-http-port" in out.stdout and "-discovery-port" in out.stdout


def test_example_config_in_deploy_is_accepted(make_node):
    here = os.path.dirname(os.path.abspath(__file__))
    example = os.path.join(here, "..", "..", "deploy", "config", "agent.json")
    n = make_node(extra_args=["-config-file", example])  # flags still override ports and data_dir
    assert requests.get(n.consul + "/v1/status/leader").status_code == 200
