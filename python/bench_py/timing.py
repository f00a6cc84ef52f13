"""timing.py - `bench timeit WORKLOAD --engine python`: Python's timeit loop
around one call of a workload, timed inside this interpreter.

The loop is timeit's own shape, as bench's C follows it (bench/lib/timeit.c):
autorange grows the calls per loop 1, 2, 5, 10, 20, 50, ... until one loop
takes the target time (timeit.Timer.autorange, 0.2 s), then `repeat` loops
of that many calls are timed with time.perf_counter_ns around the loop
alone. bench computes the statistics from the per-call times returned, so
both engines print the same lines. Every call's checksum is compared with
the first one's: a call that computed something else stops the loop.
"""
import time

NUMBER_MAX = 10_000_000_000  # as BENCH_TIMEIT_NUMBER_MAX


class Mismatch(Exception):
    """A call's checksum differed from the first call's."""


def _loop(call, number, first):
    """Times number calls; returns (ns, checksum of the last call)."""
    t0 = time.perf_counter_ns()
    for _ in range(number):
        got = call()
        if got != first[0]:
            if first[0] is None:
                first[0] = got
            else:
                raise Mismatch("checksum mismatch between calls: %s then %s"
                               % (first[0], got))
    return time.perf_counter_ns() - t0


def timeit(call, number=0, repeat=6, min_time_ns=200_000_000):
    """call() runs one pass and returns its checksum. Returns the figures
    bench prints: number, per_call_ns (one per loop), autorange_ns,
    over_budget (one call alone took longer than the target) and the
    checksum."""
    first = [None]
    over = False
    t0 = time.perf_counter_ns()
    if not number:
        base = 1
        while not number:
            for step in (1, 2, 5):
                n = base * step
                t = _loop(call, n, first)
                if n == 1 and t > min_time_ns:
                    over = True
                if t >= min_time_ns or n >= NUMBER_MAX:
                    number = n
                    break
            base *= 10
    autorange_ns = time.perf_counter_ns() - t0
    per_call = [_loop(call, number, first) / number for _ in range(repeat)]
    return {
        "number": number,
        "per_call_ns": per_call,
        "autorange_ns": autorange_ns,
        "over_budget": over,
        "checksum": first[0],
    }
