"""Proves `gravity kv|catalog|members` talk to a running node like Consul's CLI, via -http-addr or CONSUL_HTTP_ADDR."""
import os
import subprocess

import pytest

from conftest import BIN
from support import uid


def gravity(*args, env=None, stdin=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("CONSUL_", "GRAVITY_"))}
    full_env.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=20, env=full_env, input=stdin)


@pytest.fixture
def addr(node):
    return f"127.0.0.1:{node.http_port}"


def test_kv_put_get_delete_with_http_addr_flag(client, addr):
    key = uid("cli") + "/greeting"
    out = gravity("kv", "put", "-http-addr", addr, key, "hello world")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"Success! Data written to: {key}"
    assert client.kv.get(key)[1]["Value"] == b"hello world"
    out = gravity("kv", "get", "-http-addr", addr, key)
    assert out.returncode == 0 and out.stdout == "hello world\n"
    out = gravity("kv", "delete", "-http-addr", addr, key)
    assert out.returncode == 0 and out.stdout.strip() == f"Success! Deleted key: {key}"
    assert client.kv.get(key)[1] is None


def test_kv_with_consul_http_addr_environment(client, addr):
    key = uid("env")
    for value in (addr, "http://" + addr):
        env = {"CONSUL_HTTP_ADDR": value}
        out = gravity("kv", "put", key, "from-env", env=env)
        assert out.returncode == 0, (value, out.stderr)
        out = gravity("kv", "get", key, env=env)
        assert out.returncode == 0 and out.stdout == "from-env\n", value
    assert client.kv.get(key)[1]["Value"] == b"from-env"


def test_flag_beats_environment(client, addr):
    key = uid("prec")
    out = gravity("kv", "put", "-http-addr", addr, key, "v", env={"CONSUL_HTTP_ADDR": "127.0.0.1:1"})
    assert out.returncode == 0, out.stderr
    assert client.kv.get(key)[1]["Value"] == b"v"


def test_kv_get_missing_key_fails(addr):
    key = uid("nokey")
    out = gravity("kv", "get", "-http-addr", addr, key)
    assert out.returncode == 1
    assert f"No key exists at: {key}" in out.stderr
    assert out.stdout == ""


def test_kv_put_value_from_stdin_and_file(client, addr, tmp_path):
    key = uid("stdin")
    out = gravity("kv", "put", "-http-addr", addr, key, "-", stdin="piped\nvalue")
    assert out.returncode == 0, out.stderr
    assert client.kv.get(key)[1]["Value"] == b"piped\nvalue"
    f = tmp_path / "value.bin"
    f.write_bytes(b"from a file")
    out = gravity("kv", "put", "-http-addr", addr, key, f"@{f}")
    assert out.returncode == 0, out.stderr
    assert client.kv.get(key)[1]["Value"] == b"from a file"


def test_kv_put_flags_option(client, addr):
    key = uid("flags")
    out = gravity("kv", "put", "-http-addr", addr, "-flags", "42", key, "v")
    assert out.returncode == 0, out.stderr
    assert client.kv.get(key)[1]["Flags"] == 42


def test_kv_get_recurse_and_delete_recurse(client, addr):
    p = uid("tree") + "/"
    client.kv.put(p + "a", "1")
    client.kv.put(p + "b/c", "2")
    out = gravity("kv", "get", "-http-addr", addr, "-recurse", p)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [f"{p}a:1", f"{p}b/c:2"]
    out = gravity("kv", "delete", "-http-addr", addr, "-recurse", p)
    assert out.returncode == 0, out.stderr
    assert client.kv.get(p, recurse=True)[1] is None


def test_kv_put_cas_failure_is_an_error(client, addr):
    key = uid("cas")
    client.kv.put(key, "v")
    _, entry = client.kv.get(key)
    out = gravity("kv", "put", "-http-addr", addr, "-cas", "-modify-index", str(entry["ModifyIndex"] + 5), key, "w")
    assert out.returncode == 1 and "CAS failed" in out.stderr
    assert client.kv.get(key)[1]["Value"] == b"v"
    out = gravity("kv", "put", "-http-addr", addr, "-cas", "-modify-index", str(entry["ModifyIndex"]), key, "w")
    assert out.returncode == 0, out.stderr
    assert client.kv.get(key)[1]["Value"] == b"w"


def test_catalog_services(client, addr):
    name = uid("clisvc")
    client.agent.service.register(name, tags=["t1"])
    out = gravity("catalog", "services", "-http-addr", addr)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "consul" in lines and name in lines
    assert lines == sorted(lines)
    out = gravity("catalog", "services", "-http-addr", addr, "-tags")
    line = [x for x in out.stdout.splitlines() if x.startswith(name)][0]
    assert line.split() == [name, "t1"]


def test_catalog_nodes(client, addr):
    out = gravity("catalog", "nodes", env={"CONSUL_HTTP_ADDR": addr})
    assert out.returncode == 0, out.stderr
    header, *rows = out.stdout.splitlines()
    assert header.split() == ["Node", "ID", "Address", "DC"]
    mine = [r.split() for r in rows if r.split()[0] == "bb-node"]
    node_id = client.agent.self()["Config"]["NodeID"]
    assert mine == [["bb-node", node_id[:8], "127.0.0.1", "dc1"]]


def test_members(addr, node):
    out = gravity("members", "-http-addr", addr)
    assert out.returncode == 0, out.stderr
    header, *rows = out.stdout.splitlines()
    assert header.split()[:4] == ["Node", "Address", "Status", "Type"]
    assert "DC" in header.split()
    assert len(rows) == 1
    cols = rows[0].split()
    assert cols[0] == "bb-node" and cols[1].startswith("127.0.0.1:") and cols[2] == "alive" and cols[3] == "server"
    assert "dc1" in cols


def test_unreachable_agent_is_a_clear_error():
    out = gravity("kv", "get", "-http-addr", "127.0.0.1:1", "some-key")
    assert out.returncode != 0
    assert out.stderr.strip() and "127.0.0.1:1" in out.stderr


def test_cli_help_lists_the_subcommands():
    out = gravity("--help")
    assert out.returncode == 0
    for word in ("kv", "catalog", "members"):
        assert word in out.stdout
    out = gravity("kv", "--help")
    assert out.returncode == 0 and "put" in out.stdout and "get" in out.stdout and "delete" in out.stdout
