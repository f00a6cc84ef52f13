"""async - one asyncio event loop: a coroutine per chunk, asyncio.gather
over them, an asyncio.Semaphore(workers) bounding the chunks in flight.
Waits are asyncio.sleep and overlap; computing blocks the loop, so
CPU-bound chunks run one after another, as bench's own async mode does."""
import asyncio

NAME = "async"


def run(wl, state, tasks, workers):
    async def one(sem, t):
        async with sem:
            first, count = t
            if wl.WAITS:
                for i in range(first, first + count):
                    await asyncio.sleep(wl.wait_s(state, i))
            return wl.run(state, first, count)

    async def main():
        sem = asyncio.Semaphore(workers)
        return await asyncio.gather(*(one(sem, t) for t in tasks))

    acc = wl.init()
    for partial in asyncio.run(main()):
        acc = wl.merge(acc, partial)
    return acc


def graph(wl, state, workers):
    async def main():
        sem = asyncio.Semaphore(workers)
        nodes = []

        async def one(i):
            # Dependencies come first, so their tasks exist already.
            done = [(await nodes[d])[0] for d in wl.deps(state, i)]
            async with sem:
                await asyncio.sleep(wl.wait_s(state, i))
                return wl.node(state, i, done)

        for i in range(wl.count(state)):
            nodes.append(asyncio.ensure_future(one(i)))
        acc = wl.init()
        for _, partial in await asyncio.gather(*nodes):
            acc = wl.merge(acc, partial)
        return acc

    return asyncio.run(main())
