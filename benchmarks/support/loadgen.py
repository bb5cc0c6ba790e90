"""A small HTTP/1.1 keep-alive load generator, for machines without wrk.

Runs in its own process (httpbench.py starts it), so the client never shares a
server's interpreter. Prints one JSON line: requests per second and non-2xx count.

    python benchmarks/loadgen.py URL --seconds 3 --connections 16 [--header H]... [--bodies FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from urllib.parse import urlsplit


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def client(
    host: str, port: int, requests: list[bytes], stop: float, counts: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    n = 0
    while time.perf_counter() < stop:
        writer.write(requests[n % len(requests)])
        n += 1
        status = await read_response(reader)
        counts[0] += 1
        if not 200 <= status < 300:
            counts[1] += 1
    writer.close()


def build(url: str, method: str, headers: list[str], bodies: list[bytes]) -> list[bytes]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    head = f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n" + "".join(
        h + "\r\n" for h in headers
    )
    if not bodies:
        return [(head + "\r\n").encode()]
    return [
        (head + f"Content-Type: application/json\r\nContent-Length: {len(b)}\r\n\r\n").encode() + b
        for b in bodies
    ]


async def run(args: argparse.Namespace) -> dict[str, float]:
    bodies: list[bytes] = []
    if args.bodies:
        with open(args.bodies, "rb") as handle:
            bodies = [line.rstrip(b"\n") for line in handle if line.strip()]
    requests = build(args.url, "POST" if bodies else "GET", args.header, bodies)
    parts = urlsplit(args.url)
    counts = [0, 0]
    started = time.perf_counter()
    stop = started + args.seconds
    await asyncio.gather(
        *(
            client(parts.hostname or "127.0.0.1", parts.port or 80, requests, stop, counts)
            for _ in range(args.connections)
        )
    )
    elapsed = time.perf_counter() - started
    return {"ok_rps": (counts[0] - counts[1]) / elapsed, "total": counts[0], "errors": counts[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--bodies")
    print(json.dumps(asyncio.run(run(parser.parse_args()))))


if __name__ == "__main__":
    main()
