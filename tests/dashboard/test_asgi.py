"""dashboard.asgi: the entry point for an ASGI server."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from asgiref.testing import ApplicationCommunicator


def test_the_asgi_entry_point_serves_the_site() -> None:
    from dashboard.asgi import application

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/manifest.webmanifest",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }

    async def get() -> tuple[dict, dict]:
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(timeout=10)
        body = await communicator.receive_output(timeout=10)
        await communicator.wait(timeout=10)
        return start, body

    # In a thread of its own: Playwright's sync API, once the browser tests have used it,
    # keeps an event loop running in this one, where asyncio.run refuses to start another.
    with ThreadPoolExecutor(max_workers=1) as pool:
        start, body = pool.submit(asyncio.run, get()).result()

    assert start["status"] == 200
    assert json.loads(body["body"])["start_url"] == "/"
