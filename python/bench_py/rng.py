"""rng.py - the counter-based generator and the checksum fold, as bench's C.

Item i's random values are a pure function of (seed, i): SplitMix64 whose
starting state is derived from (seed, i) (bench/lib/rng.h), and a uniform
integer in [lo, hi] by Lemire's multiply-and-shift with rejection. Every
workload folds its items into the sum of mix64(value ^ mix64(item ^ K))
modulo 2**64 (bench/workloads/common.h), so a Python checksum equals the
C engine's bit for bit.

The one choice to know: when numpy is installed, preparing inputs and
folding a block of results run vectorised (uint64 arithmetic wraps as C's
does), so that the fold, which is bench's verification and not the
course's workload, does not dominate a Python loop that hashes; without
numpy the same numbers come from plain integer code, only slower.
"""

from array import array

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
SEED_KEY = 0x632BE59BD9B4E019
ITEM_KEY = 0xA0761D6478BD642F

try:  # optional: see the module's comment
    import numpy as _np
except ImportError:  # pragma: no cover - depends on the machine
    _np = None


def have_numpy():
    """Whether folds and draws run vectorised."""
    return _np is not None


def mix64(z):
    """SplitMix64's output finaliser, on a Python int in [0, 2**64)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class Stream:
    """The random stream of one item under one seed."""

    __slots__ = ("state",)

    def __init__(self, seed, item):
        self.state = mix64((mix64((seed + SEED_KEY) & M64) + item * GOLDEN) & M64)

    def next(self):
        self.state = (self.state + GOLDEN) & M64
        return mix64(self.state)

    def range(self, lo, hi):
        span = hi - lo + 1
        threshold = ((1 << 64) - span) % span
        while True:
            m = self.next() * span
            if m & M64 >= threshold:
                return lo + (m >> 64)


def draws(seed, n, spans):
    """Column k of the result holds, for items 0..n-1, the k-th draw
    from [lo, hi] = spans[k], each item drawing in order from its own
    stream, as the C workloads' prepare() do. Returns a list of
    array('q'): one block of machine integers a column, as the C's, not
    n int objects. A forked pool worker reads them without writing to
    them; reading a list's items writes each int's reference count, so
    every page of them is copied into each worker, which made hash's
    process mode of 2 workers barely faster than serial (1.2x, against
    1.3-1.7x with arrays; serial itself 1.3x faster from contiguous
    values)."""
    if _np is None or n < 64:
        cols = [array("q", [0]) * n for _ in spans]
        for i in range(n):
            r = Stream(seed, i)
            for k, (lo, hi) in enumerate(spans):
                cols[k][i] = r.range(lo, hi)
        return cols
    np = _np
    u = np.uint64
    idx = np.arange(n, dtype=u)
    state = _mix64_np(u(mix64((seed + SEED_KEY) & M64)) + idx * u(GOLDEN))
    cols, bad = [], np.zeros(n, dtype=bool)
    for k, (lo, hi) in enumerate(spans):
        span = hi - lo + 1
        threshold = ((1 << 64) - span) % span
        x = _mix64_np(state + u((GOLDEN * (k + 1)) & M64))
        # The 128-bit product x * span (span < 2**32) from 32-bit halves.
        a = (x & u(0xFFFFFFFF)) * u(span)
        t = (x >> u(32)) * u(span) + (a >> u(32))
        low = ((t & u(0xFFFFFFFF)) << u(32)) | (a & u(0xFFFFFFFF))
        bad |= low < u(threshold)
        cols.append((t >> u(32)) + u(lo))
    out = []
    for c in cols:
        a = array("q")
        a.frombytes(c.astype(np.int64).tobytes())
        out.append(a)
    # A rejected draw shifts that item's stream: redo those items (about
    # one in 2**32) one by one.
    for i in np.nonzero(bad)[0].tolist():
        r = Stream(seed, i)
        for k, (lo, hi) in enumerate(spans):
            out[k][i] = r.range(lo, hi)
    return out


def _mix64_np(z):
    u = _np.uint64
    z = (z ^ (z >> u(30))) * u(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> u(27))) * u(0x94D049BB133111EB)
    return z ^ (z >> u(31))


def _rotl_np(v, k):
    u = _np.uint64
    return (v << u(k)) | (v >> u(64 - k))


def fold(first, values):
    """Sum over k of mix64(values[k] ^ mix64((first + k) ^ ITEM_KEY)),
    modulo 2**64: the fold of consecutive items starting at `first`."""
    n = len(values)
    if _np is None or n < 32:
        s = 0
        for k, v in enumerate(values):
            s += mix64(v ^ mix64((first + k) ^ ITEM_KEY))
        return s & M64
    np = _np
    u = np.uint64
    idx = np.arange(first, first + n, dtype=u)
    v = np.array(values, dtype=u)
    return int(_mix64_np(v ^ _mix64_np(idx ^ u(ITEM_KEY))).sum(dtype=u))


def fold_digests(first, digests):
    """fold() of SHA-256 digests, each taken as one word the way
    bench__digest_word() does (four big-endian words, rotated)."""
    n = len(digests)
    if _np is None or n < 32:
        vals = []
        for d in digests:
            w = [int.from_bytes(d[k:k + 8], "big") for k in (0, 8, 16, 24)]
            vals.append(w[0] ^ _rotl(w[1], 17) ^ _rotl(w[2], 31) ^ _rotl(w[3], 47))
        return fold(first, vals)
    np = _np
    u = np.uint64
    w = np.frombuffer(b"".join(digests), dtype=">u8").astype(u).reshape(n, 4)
    word = w[:, 0] ^ _rotl_np(w[:, 1], 17) ^ _rotl_np(w[:, 2], 31) ^ _rotl_np(w[:, 3], 47)
    idx = np.arange(first, first + n, dtype=u)
    return int(_mix64_np(word ^ _mix64_np(idx ^ u(ITEM_KEY))).sum(dtype=u))


def _rotl(v, k):
    return ((v << k) | (v >> (64 - k))) & M64


class Fold:
    """What every workload's partial result is: items, sum, total."""

    __slots__ = ("items", "sum", "total")

    def __init__(self, items=0, s=0, total=0):
        self.items, self.sum, self.total = items, s, total

    def merge(self, other):
        self.items += other.items
        self.sum = (self.sum + other.sum) & M64
        self.total = (self.total + other.total) & M64
        return self

    def __reduce__(self):  # pickled back from a process pool
        return (Fold, (self.items, self.sum, self.total))

    def checksum(self):
        return "%016x" % (mix64(self.sum ^ mix64(self.items)) ^ self.total)
