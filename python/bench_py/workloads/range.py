"""range - "how many within range": a size x 5 matrix of integers in
[0, 10); per row, how many values lie in [4, 8], written as the course's
howmany_within_range(row, minimum, maximum)."""
from .. import rng

NAME = "range"
SUMMARY = "count values in [4, 8] per row of a --size x 5 matrix"
OPTIONS = {}
WAITS = False
DEPS = False


def prepare(size, seed, opts):
    cols = rng.draws(seed, size, ((0, 9),) * 5)
    return [list(row) for row in zip(*cols)]


def count(state):
    return len(state)


def init():
    return rng.Fold()


def howmany_within_range(row, minimum=4, maximum=8):
    count = 0
    for n in row:
        if minimum <= n <= maximum:
            count = count + 1
    return count


def run(state, first, count):
    counts = [howmany_within_range(row) for row in state[first:first + count]]
    return rng.Fold(count, rng.fold(first, counts), sum(counts))


def merge(acc, partial):
    return acc.merge(partial)


def checksum(acc):
    return acc.checksum()


def show(state, i):
    row = state[i]
    return " ".join(str(v) for v in row) + " %d" % howmany_within_range(row)
