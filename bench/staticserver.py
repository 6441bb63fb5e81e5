"""A fast static HTTP/1.1 server for the benchmark site (asyncio, keep-alive, loopback only).

The fallback when nginx is not installed. Serves like the fixture server: ``/a/b`` from
``ROOT/a/b``, ``ROOT/a/b/page.html`` or ``ROOT/a/b/index.html``; ``Content-Type`` from the
file suffix. Run it as its own process so it does not share the crawl's interpreter:
``python bench/staticserver.py --root /tmp/bench-site --port 8800``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from urllib.parse import unquote

TYPES = {".html": b"text/html", ".xml": b"text/xml", ".txt": b"text/plain", ".json": b"application/json"}


def resolve(root: str, path: str) -> str | None:
    rel = unquote(path.split("?", 1)[0]).strip("/")
    if ".." in rel.split("/"):
        return None
    base = os.path.join(root, rel) if rel else root
    for cand in (base, base + "/page.html", base + "/index.html"):
        if os.path.isfile(cand):
            return cand
    return None


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, root: str) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = line.split(" ")
            close = b"connection: close" in head.lower()
            path = resolve(root, parts[1]) if len(parts) >= 2 else None
            if path is None:
                body = b"not found"
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            else:
                with open(path, "rb") as f:
                    body = f.read()
                ctype = TYPES.get(os.path.splitext(path)[1], b"application/octet-stream")
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (ctype, len(body)))
                writer.write(body)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def serve(root: str, port: int) -> None:
    server = await asyncio.start_server(lambda r, w: handle(r, w, root), "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(str(args.root.resolve()), args.port))


if __name__ == "__main__":
    main()
