"""bench_py - the python engine of bench: the course's workloads in Python,
in the course's idioms (a loop, ThreadPoolExecutor, multiprocessing.Pool,
asyncio), on the same input as bench's C (SplitMix64 keyed by (seed,
item)), folded into the same checksums.

bench starts `python3 -m bench_py serve` once per run and asks it for one
sample at a time, interleaved with its own samples; see server.py.
"""
