"""Config watchers over real WebSockets (the `websockets` client): every version, in order, to
every watcher of the service and to no one else; the current version on connect; deletes."""
import asyncio
import json

import pytest

httpx = pytest.importorskip("httpx")
websockets = pytest.importorskip("websockets")


async def receive(ws, count, timeout=10):
    return [json.loads(await asyncio.wait_for(ws.recv(), timeout)) for _ in range(count)]


def test_every_watcher_gets_every_version_in_order(node):
    base = f"ws://127.0.0.1:{node.discovery_port}/api/v1/config/watch"

    async def scenario():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{node.discovery_port}", timeout=10) as http:
            watchers = [await websockets.connect(f"{base}/orders") for _ in range(5)]
            other = await websockets.connect(f"{base}/billing")
            # Writes race the watchers' reads on purpose: pushes queue per connection.
            for version in range(1, 31):
                r = await http.put("/api/v1/config/orders", json={"config": {"replicas": version}, "environment": "prod"})
                assert r.status_code == 200, r.text
            for ws in watchers:
                messages = await receive(ws, 30)
                assert [m["event"] for m in messages] == ["updated"] * 30
                assert [m["data"]["version"] for m in messages] == [str(v) for v in range(1, 31)]
                assert [m["data"]["config"]["replicas"] for m in messages] == list(range(1, 31))
                assert all(m["data"]["environment"] == "prod" and m["data"]["service_name"] == "orders" for m in messages)
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(other.recv(), 0.3)

            late = await websockets.connect(f"{base}/orders")
            current = await receive(late, 1)
            assert current[0]["event"] == "current" and current[0]["data"]["version"] == "30"

            assert (await http.delete("/api/v1/config/orders")).status_code == 204
            for ws in watchers + [late]:
                deleted = await receive(ws, 1)
                assert deleted == [{"event": "deleted", "data": {"service_name": "orders"}}]
            for ws in watchers + [late, other]:
                await ws.close()

    asyncio.run(scenario())


def test_watch_of_a_bad_name_is_refused_with_the_envelope(node):
    r = httpx.get(f"http://127.0.0.1:{node.discovery_port}/api/v1/config/watch/orders")
    assert r.status_code == 426
    assert r.json()["error"]["code"] == "upgrade_required"
