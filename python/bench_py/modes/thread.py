"""thread - concurrent.futures.ThreadPoolExecutor(max_workers=workers),
its map over the chunks: under the GIL, CPU-bound chunks take turns."""
from concurrent.futures import ThreadPoolExecutor

from . import common

NAME = "thread"


def run(wl, state, tasks, workers):
    acc = wl.init()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for partial in pool.map(common.task, tasks):
            acc = wl.merge(acc, partial)
    return acc


def graph(wl, state, workers):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return common.graph_futures(pool, wl, state)
