"""serial - a plain loop over the chunks, in order, in this thread."""
from . import common

NAME = "serial"


def run(wl, state, tasks, workers):
    acc = wl.init()
    for t in tasks:
        acc = wl.merge(acc, common.task(t))
    return acc


def graph(wl, state, workers):
    acc = wl.init()
    done = []
    for i in range(wl.count(state)):  # dependencies come first
        rec, partial = common.node(i, [done[d] for d in wl.deps(state, i)])
        done.append(rec)
        acc = wl.merge(acc, partial)
    return acc
