"""Proves user events, status, members and the Raft configuration answer py-consul as Consul does (consul-api.md §2.7, §2.8, §2.1)."""
import base64

import requests

from support import later, timed, uid


def test_fire_answers_the_event(client):
    name = uid("deploy")
    ev = client.event.fire(name, "payload")
    assert len(ev["ID"]) == 36 and ev["Name"] == name
    assert base64.b64decode(ev["Payload"]) == b"payload"
    assert ev["Version"] == 1
    assert {"NodeFilter", "ServiceFilter", "TagFilter", "LTime"} <= set(ev)


def test_fire_without_payload_has_null_payload(client):
    ev = client.event.fire(uid("bare"))
    assert ev["Payload"] is None


def test_list_shows_fired_events_with_decoded_payload(client):
    name = uid("list")
    first = client.event.fire(name, "one")
    second = client.event.fire(name, "two")
    client.event.fire(uid("other"), "noise")
    index, events = client.event.list(name=name)
    assert index
    assert [e["ID"] for e in events] == [first["ID"], second["ID"]]
    assert [e["Payload"] for e in events] == [b"one", b"two"]
    _, everything = client.event.list()
    assert {first["ID"], second["ID"]} <= {e["ID"] for e in everything}


def test_fire_with_filters_records_them(client):
    ev = client.event.fire(uid("filtered"), "x", node="bb-.*", service="web", tag="prod")
    assert (ev["NodeFilter"], ev["ServiceFilter"], ev["TagFilter"]) == ("bb-.*", "web", "prod")


def test_event_list_blocks_until_a_new_event(client):
    name = uid("watch")
    client.event.fire(name, "first")
    index, _ = client.event.list(name=name)
    done = later(0.3, lambda: client.event.fire(name, "second"))
    elapsed, (new_index, events) = timed(lambda: client.event.list(name=name, index=index, wait="10s"))
    done()
    assert elapsed < 1.3
    assert new_index != index
    assert [e["Payload"] for e in events] == [b"first", b"second"]


def test_tag_filter_needs_a_service_filter(client):
    name = uid("tagonly")
    r = requests.put(f"{client.http.base_uri}/v1/event/fire/{name}", params={"tag": "prod"}, data="x")
    assert 400 <= r.status_code < 600 and "service filter" in r.text
    assert client.event.list(name=name)[1] == []


def test_status_leader_and_peers_through_py_consul(client, node):
    leader = client.status.leader()
    assert leader == f"127.0.0.1:{node.server_port}"
    assert client.status.peers() == [leader]


def test_raft_configuration(client, node):
    config = client.operator.raft_config()
    assert config["Index"] == 0  # py-consul's own test expects 0 on a dev agent
    assert len(config["Servers"]) == 1
    server = config["Servers"][0]
    assert server["Node"] == "bb-node"
    assert server["Address"] == f"127.0.0.1:{node.server_port}" == client.status.leader()
    assert server["Leader"] is True and server["Voter"] is True
    assert server["ProtocolVersion"] == "3"
    assert server["ID"] == client.agent.self()["Config"]["NodeID"]
    assert isinstance(server["LastIndex"], int) and server["LastIndex"] >= 1


def test_raft_configuration_stale_is_allowed(client):
    r = requests.get(f"{client.http.base_uri}/v1/operator/raft/configuration?stale")
    assert r.status_code == 200 and len(r.json()["Servers"]) == 1


def test_members_lists_this_agent_alive(client, node):
    members = client.agent.members()
    assert len(members) == 1
    me = members[0]
    assert me["Name"] == "bb-node" and me["Status"] == 1 and me["Addr"] == "127.0.0.1"
    assert me["Tags"]["role"] == "consul" and me["Tags"]["dc"] == "dc1"
    wan = client.agent.members(wan=True)
    assert [m["Name"] for m in wan] == ["bb-node.dc1"]


def test_datacenters(client):
    assert client.catalog.datacenters() == ["dc1"]
