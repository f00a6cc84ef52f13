"""process - multiprocessing.Pool(workers) with imap_unordered over the
chunks (a chunk is the items Pool.map's chunksize would hand a worker);
the workers are forked, so the prepared input is shared, not pickled. A
task graph runs on concurrent.futures.ProcessPoolExecutor, its nodes
submitted as their dependencies finish."""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from . import common

NAME = "process"


def _context():
    # fork: workers inherit common.CURRENT (3.14 defaults to forkserver).
    return multiprocessing.get_context("fork")


def run(wl, state, tasks, workers):
    acc = wl.init()
    with _context().Pool(workers) as pool:
        for partial in pool.imap_unordered(common.task, tasks):
            acc = wl.merge(acc, partial)
    return acc


def graph(wl, state, workers):
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        return common.graph_futures(pool, wl, state)
