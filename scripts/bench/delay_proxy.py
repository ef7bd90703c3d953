#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that holds every chunk DELAY_MS milliseconds in each direction, in
order: PostgreSQL as if on another host (this machine has no netem), for issue 17's server
benchmarks (scripts/bench/server_pair.sh with a desk address whose port is the proxy's).

    python3 scripts/bench/delay_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS
"""
import asyncio
import sys

listen_port, target_port, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000.0


async def pipe(reader, writer):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def forward():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(forward())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((loop.time() + delay, data))
    finally:
        queue.put_nowait((0, None))
        await sender


async def handle(client_reader, client_writer):
    server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer), return_exceptions=True)


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    print(f"delaying 127.0.0.1:{listen_port} -> {target_port} by {delay * 1000:.1f} ms each way", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
