"""graph - the course's dask.delayed example widened: --size nodes, the
first SOURCES inc(i) or dec(i) of a constant, every later one inc or dec of
one of the WINDOW nodes before it or add of two. A node waits (the course's
time.sleep), then computes its value from its dependencies' values, then
COMPUTE_ROUNDS rounds of mixing, the part no overlap of waits shortens.
Values wrap modulo 2**64 as bench's C does. The executor hands each node
the done records (value, chain of waits) of its dependencies."""
from .. import rng

NAME = "graph"
SUMMARY = "dask.delayed-style inc/dec/add task graph: waits, then computes, by dependencies"
OPTIONS = {"max-ms": 50}
WAITS = True
DEPS = True
SOURCES = 4
WINDOW = 6
COMPUTE_ROUNDS = 100000
INC, DEC, ADD = 0, 1, 2
NAMES = ("inc", "dec", "add")
M64 = rng.M64


class Node:
    __slots__ = ("op", "deps", "constant", "wait_ns")


class Result:
    """The fold of the nodes, the longest chain of waits and their sum."""

    __slots__ = ("fold", "critical", "waits")

    def __init__(self, fold=None, critical=0, waits=0):
        self.fold = fold or rng.Fold()
        self.critical, self.waits = critical, waits

    def __reduce__(self):
        return (Result, (self.fold, self.critical, self.waits))


def _apply(op, x, y):
    return (x + 1) & M64 if op == INC else (x - 1) & M64 if op == DEC else (x + y) & M64


def prepare(size, seed, opts):
    max_ms = opts["max-ms"]
    nodes = []
    for i in range(size):
        r = rng.Stream(seed, i)
        nd = Node()
        nd.wait_ns = r.range(1000, max_ms * 1000) * 1000
        lo = i - WINDOW if i > WINDOW else 0
        if i < SOURCES:
            nd.op, nd.deps, nd.constant = r.range(INC, DEC), (), i + 1
        else:
            nd.op, nd.constant = r.range(INC, ADD), 0
            d0 = r.range(lo, i - 1)
            d1 = r.range(lo, i - 1)
            while nd.op == ADD and d1 == d0:
                d1 = r.range(lo, i - 1)
            nd.deps = (d0, d1) if nd.op == ADD else (d0,)
        nodes.append(nd)
    return nodes


def count(state):
    return len(state)


def deps(state, i):
    return state[i].deps


def wait_s(state, i):
    return state[i].wait_ns / 1e9


def init():
    return Result()


def node(state, i, done):
    """Runs node i (its wait already waited) from done, its dependencies'
    (value, chain) records in order. Returns (its record, a partial)."""
    nd = state[i]
    vals = [d[0] for d in done]
    x = vals[0] if vals else nd.constant
    y = vals[1] if len(vals) > 1 else 0
    value = _apply(nd.op, x, y)
    chain = max((d[1] for d in done), default=0) + nd.wait_ns
    h = value
    mix = rng.mix64
    for k in range(COMPUTE_ROUNDS):
        h = mix((h + k) & M64)
    f = rng.Fold(1, rng.fold(i, [h]), 0)
    return (value, chain), Result(f, chain, nd.wait_ns)


def merge(acc, p):
    acc.fold.merge(p.fold)
    acc.waits += p.waits
    acc.critical = max(acc.critical, p.critical)
    return acc


def checksum(acc):
    f = rng.Fold(acc.fold.items, acc.fold.sum, acc.fold.total)
    f.sum = (f.sum + rng.mix64(acc.critical ^ rng.GOLDEN)) & M64
    f.sum = (f.sum + rng.mix64(acc.waits ^ 0xC2B2AE3D27D4EB4F)) & M64
    return f.checksum()


def _signed(v):
    return v - (1 << 64) if v >> 63 else v


def show_all(state, limit):
    """Every node's line in order (values need the nodes before them)."""
    value = []
    for i, nd in enumerate(state):
        x = value[nd.deps[0]] if nd.deps else nd.constant
        y = value[nd.deps[1]] if len(nd.deps) > 1 else 0
        value.append(_apply(nd.op, x, y))
        if i >= limit:
            continue
        ms = nd.wait_ns / 1e6
        v = _signed(value[i])
        if not nd.deps:
            yield "%d = %s(%d) wait %.3f ms -> %d" % (i, NAMES[nd.op], nd.constant, ms, v)
        elif len(nd.deps) == 1:
            yield "%d = %s(#%d) wait %.3f ms -> %d" % (i, NAMES[nd.op], nd.deps[0], ms, v)
        else:
            yield "%d = %s(#%d, #%d) wait %.3f ms -> %d" % (i, NAMES[nd.op], nd.deps[0], nd.deps[1], ms, v)
