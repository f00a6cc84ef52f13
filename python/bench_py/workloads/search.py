"""search - linear search: a list 0..size-1, each query looks for a target
drawn from [0, size] (so some miss); list.index is the idiomatic scan."""
from .. import rng

NAME = "search"
SUMMARY = "linear search of a list of --size integers (--queries of them)"
OPTIONS = {"queries": 1000}
WAITS = False
DEPS = False


class State:
    def __init__(self, lst, target):
        self.list, self.target = lst, target


def prepare(size, seed, opts):
    (target,) = rng.draws(seed, opts["queries"], ((0, size),))
    return State(list(range(size)), target)


def count(state):
    return len(state.target)


def init():
    return rng.Fold()


def _find(lst, t):
    try:
        return lst.index(t)
    except ValueError:
        return len(lst)


def run(state, first, count):
    lst, n = state.list, len(state.list)
    pos = [_find(lst, t) for t in state.target[first:first + count]]
    return rng.Fold(count, rng.fold(first, pos), sum(p < n for p in pos))


def merge(acc, partial):
    return acc.merge(partial)


def checksum(acc):
    return acc.checksum()


def show(state, i):
    t = state.target[i]
    p = _find(state.list, t)
    return "%d found at %d" % (t, p) if p < len(state.list) else "%d not found" % t
