"""hash - "CPF hashing": SHA-256 of "aaaaa" + cpf + pepper per item, as the
course writes it: hashlib once per item, the message built once as bytes.
cpf and pepper are drawn in prepare() (untimed), as bench's C does."""
import hashlib

from .. import rng

NAME = "hash"
SUMMARY = "SHA-256 of salted, peppered fake CPFs (CPU-bound)"
OPTIONS = {}
WAITS = False
DEPS = False
BLOCK = 1 << 16  # digests folded at a time (bounds memory, not speed)


class State:
    def __init__(self, cpf, pepper):
        self.cpf, self.pepper = cpf, pepper


def prepare(size, seed, opts):
    cpf, pepper = rng.draws(seed, size, ((1, 999999999), (1000, 9999)))
    return State(cpf, pepper)


def count(state):
    return len(state.cpf)


def init():
    return rng.Fold()


def run(state, first, count):
    sha256 = hashlib.sha256
    cpf, pepper = state.cpf, state.pepper
    f = rng.Fold()
    end = first + count
    for lo in range(first, end, BLOCK):
        hi = min(lo + BLOCK, end)
        digests = [sha256(b"aaaaa%d%d" % (cpf[i], pepper[i])).digest()
                   for i in range(lo, hi)]
        f.sum = (f.sum + rng.fold_digests(lo, digests)) & rng.M64
    f.items = count
    return f


def merge(acc, partial):
    return acc.merge(partial)


def checksum(acc):
    return acc.checksum()


def show(state, i):
    msg = b"aaaaa%d%d" % (state.cpf[i], state.pepper[i])
    return "%d %d %s" % (state.cpf[i], state.pepper[i],
                         hashlib.sha256(msg).hexdigest())
