"""Script checks on a real agent: with enable_script_checks a config-file check runs a real
script whose exit code (read from a file) takes the check passing -> warning -> critical, and
the HTTP API accepts scripts too; with enable_local_script_checks only the file's check runs and
the API refuses; with neither the API refuses with Consul's text and a file with a script fails
the start naming the entry."""
import json
import os
import stat
import urllib.error
import urllib.request

import consul
import pytest
from consul import Check

from support import uid, wait_until

REMOTE_REFUSAL = "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true"
LOCAL_REFUSAL = "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true"


def flip_script(folder):
    """A check script that exits with the number in its state file (0 at first) and says so."""
    state = os.path.join(folder, "state")
    script = os.path.join(folder, "check.sh")
    with open(state, "w") as f:
        f.write("0\n")
    with open(script, "w") as f:
        f.write('#!/bin/sh\nread s < "$1"\necho "state $s"\nexit "$s"\n')
    os.chmod(script, os.stat(script).st_mode | stat.S_IXUSR)
    return script, state


def service_with_script(script, state):
    return {"services": [{"name": "scripted", "id": "scripted-1", "port": 9000,
                          "checks": [{"id": "flip", "name": "flip", "args": [script, state],
                                      "interval": "1s", "timeout": "5s"}]}]}


def put(node, path, body):
    request = urllib.request.Request(node.consul + path, data=json.dumps(body).encode(), method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def checks(node):
    with urllib.request.urlopen(node.consul + "/v1/agent/checks", timeout=5) as response:
        return json.load(response)


def test_config_file_script_flips_passing_warning_critical(make_node, tmp_path):
    script, state = flip_script(str(tmp_path))
    node = make_node(config={"enable_script_checks": True, **service_with_script(script, state)})
    status = lambda: checks(node).get("flip", {}).get("Status")
    wait_until(lambda: status() == "passing", timeout=8, what="exit 0 -> passing")
    flip = checks(node)["flip"]
    assert flip["Output"] == "state 0\n"
    assert flip["ServiceID"] == "scripted-1"
    assert flip["Type"] == "script"
    for code, expected in ((1, "warning"), (2, "critical"), (0, "passing")):
        with open(state, "w") as f:
            f.write(f"{code}\n")
        wait_until(lambda: status() == expected, timeout=5, what=f"exit {code} -> {expected}")
        assert checks(node)["flip"]["Output"] == f"state {code}\n"
    # With enable_script_checks the HTTP API takes scripts too (the Go client's ScriptArgs here).
    code, text = put(node, "/v1/agent/check/register",
                     {"Name": "api-script", "ScriptArgs": ["/bin/sh", "-c", "echo from api; exit 1"], "Interval": "1s"})
    assert (code, text) == (200, "")
    wait_until(lambda: checks(node).get("api-script", {}).get("Status") == "warning", timeout=8, what="API script run")
    assert checks(node)["api-script"]["Output"] == "from api\n"


def test_without_the_setting_the_api_refuses_with_consuls_text(client, node):
    sid = uid("script")
    code, text = put(node, "/v1/agent/service/register",
                     {"Name": "s", "ID": sid, "Check": {"Args": ["/bin/true"], "Interval": "10s"}})
    assert (code, text) == (400, REMOTE_REFUSAL)
    code, text = put(node, "/v1/agent/check/register", {"Name": sid, "Args": ["/bin/true"], "Interval": "10s"})
    assert (code, text) == (400, REMOTE_REFUSAL)
    with pytest.raises(consul.ConsulException) as refused:
        client.agent.service.register("s", service_id=sid, check=Check.script(["/bin/true"], "10s"))
    assert REMOTE_REFUSAL in str(refused.value)
    assert sid not in client.agent.services()
    assert sid not in client.agent.checks()


def test_local_script_checks_run_the_files_check_and_refuse_the_api(make_node, tmp_path):
    script, state = flip_script(str(tmp_path))
    node = make_node(config={"enable_local_script_checks": True, **service_with_script(script, state)})
    wait_until(lambda: checks(node).get("flip", {}).get("Status") == "passing", timeout=8, what="the file's script runs")
    code, text = put(node, "/v1/agent/check/register", {"Name": "api-script", "Args": ["/bin/true"], "Interval": "1s"})
    assert (code, text) == (400, REMOTE_REFUSAL)
    assert "api-script" not in checks(node)


def test_a_file_with_a_script_but_neither_setting_fails_the_start(make_node, tmp_path):
    script, state = flip_script(str(tmp_path))
    with pytest.raises(RuntimeError) as failed:
        make_node(config=service_with_script(script, state))
    assert f"services[0]: {LOCAL_REFUSAL}" in str(failed.value)


def test_a_bad_definition_fails_the_start_naming_the_field(make_node, tmp_path):
    script, state = flip_script(str(tmp_path))
    config = service_with_script(script, state)
    config["enable_script_checks"] = True
    del config["services"][0]["checks"][0]["interval"]
    with pytest.raises(RuntimeError) as failed:
        make_node(config=config)
    assert "services[0]: Invalid check: Interval must be > 0" in str(failed.value)
