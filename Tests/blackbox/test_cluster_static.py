"""Proves three real `gravity` servers given one static `-initial-cluster` list (no -bootstrap-expect, no -retry-join) form one cluster: one leader, the same three peers on every server, and a write through one is read through another; servers are matched by name, so the list may name one by DNS while it advertises an IP."""
import pytest

from test_cluster import poll, running_cluster

pytestmark = pytest.mark.cluster


@pytest.fixture
def static_cluster(request):
    """Three servers started with the same -initial-cluster list; node3 is listed as
    localhost:port while it advertises 127.0.0.1:port. Killed and removed afterwards (kept, with
    their logs printed, when the test failed)."""
    def list_servers(cluster):
        listed = [f"{n.name}={n.peer_address}" for n in cluster.nodes[:-1]]
        last = cluster.nodes[-1]
        listed.append(f"{last.name}=localhost:{last.server_port}")
        for n in cluster.nodes:
            n.initial_cluster = ",".join(listed)
    with running_cluster(request, list_servers) as cluster:
        yield cluster


def test_a_static_list_forms_one_cluster_of_exactly_those_servers(static_cluster):
    cluster = static_cluster
    leader = cluster.wait_leader()
    expected = cluster.all_peer_addresses()
    for n in cluster.nodes:
        assert "-bootstrap-expect" not in n.args() and "-retry-join" not in n.args()
        poll(lambda: cluster.voters(n) == expected, 10, f"{n.name} to report the three peers",
             describe=cluster.describe)
        assert n.status_leader() == leader.peer_address
    writer, reader = cluster.followers(leader)
    assert writer.put("static/colour", "blue") == ("ack", None)
    assert reader.value("static/colour", "consistent") == "blue"
