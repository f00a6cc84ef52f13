"""dask - the course's dask.delayed: each task wrapped in dask.delayed,
the lazy graph then run by dask.compute on Dask's threaded scheduler with
num_workers=workers, as the notes' Client(n_workers=1,
threads_per_worker=N) does on one machine.

A task graph is the course's example as written: every node one delayed
call whose arguments are the delayed nodes it depends on, so Dask, not
this module, decides what is ready (the graph's order is Dask's). Other
workloads are dask.delayed over the chunks, one delayed call a chunk and
one delayed merge of them all, computed together: what a student writes
to run a loop under Dask, and what makes `--mode dask` work for any
workload, each checksum verified against native serial as every mode's.

The threaded scheduler, not dask.distributed: it needs only python3-dask,
starts no processes (a Client starts a scheduler and workers, seconds a
sample, and pickles every value between them), and runs nodes on threads
as the course's single-worker Client does. Under the GIL that means the
same as thread mode: waits overlap, CPU-bound work takes turns.

Dask keeps the pool of a num_workers for later computes, so only the first
sample (the warmup) starts its threads; importing Dask (about 0.3 s) also
happens once, at the first sample. Without Dask the sample fails with one
line saying how to get it.
"""
from . import common
from ..errors import Failed

NAME = "dask"
NEEDS = "mode dask needs Dask, which %s cannot import (%s): apt-get install python3-dask, or pip install dask"

_dask = None


def _import():
    """Dask's module, imported on first use: the server starts without it,
    and runs the other modes where it is missing."""
    global _dask
    if _dask is None:
        try:
            import dask
        except ImportError as e:
            import sys

            # Its message is the whole answer, one line; bench exits 1.
            raise Failed(NEEDS % (sys.executable, e)) from None
        _dask = dask
    return _dask


def _compute(dask, *nodes, workers):
    return dask.compute(*nodes, scheduler="threads", num_workers=workers)


def _node(i, *deps):
    """Node i from its dependencies' (done, partial) results."""
    return common.node(i, [d[0] for d in deps])


def _merge(partials):
    wl, _ = common.CURRENT
    acc = wl.init()
    for p in partials:
        acc = wl.merge(acc, p)
    return acc


def run(wl, state, tasks, workers):
    dask = _import()
    task = dask.delayed(common.task)
    parts = [task(t, dask_key_name="chunk-%d" % k) for k, t in enumerate(tasks)]
    total = dask.delayed(_merge)(parts, dask_key_name="merge")
    (acc,) = _compute(dask, total, workers=workers)
    return acc


def graph(wl, state, workers):
    dask = _import()
    node = dask.delayed(_node)
    nodes = []
    for i in range(wl.count(state)):  # dependencies come first
        deps = [nodes[d] for d in wl.deps(state, i)]
        nodes.append(node(i, *deps, dask_key_name="node-%d" % i))
    acc = wl.init()
    for _, partial in _compute(dask, *nodes, workers=workers):
        acc = wl.merge(acc, partial)
    return acc
