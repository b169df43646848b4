"""The benchmark's baseline: uvicorn with an ASGI app that answers 202 and does nothing else.

Run as its own process like the collector (`python -m benchmarks.null_collector`),
so the same load against it shows what the machine, the loopback and the load
generator cost by themselves.
"""

from __future__ import annotations

import socket

import uvicorn

_HEADERS = [(b"content-length", b"0")]


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 202, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": b""})


def main() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4096)
    print(f"baseline: collecting at http://127.0.0.1:{sock.getsockname()[1]}/collect", flush=True)
    config = uvicorn.Config(
        app, loop="uvloop", http="httptools", lifespan="off", access_log=False, log_level="warning"
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
