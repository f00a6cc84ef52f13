"""sleep - I/O-bound: task i waits a random 0..--max-ms ms (the executor
waits: time.sleep, or asyncio.sleep in async mode) and returns i."""
from .. import rng

NAME = "sleep"
SUMMARY = "tasks that wait 0..--max-ms ms each (I/O-bound)"
OPTIONS = {"max-ms": 50}
WAITS = True
DEPS = False


def prepare(size, seed, opts):
    (wait_ms,) = rng.draws(seed, size, ((0, opts["max-ms"]),))
    return wait_ms


def count(state):
    return len(state)


def wait_s(state, i):
    return state[i] / 1000.0


def init():
    return rng.Fold()


def run(state, first, count):
    items = list(range(first, first + count))
    return rng.Fold(count, rng.fold(first, items), sum(items))


def merge(acc, partial):
    return acc.merge(partial)


def checksum(acc):
    return acc.checksum()


def show(state, i):
    return "%d %d %d" % (i, state[i], i)
