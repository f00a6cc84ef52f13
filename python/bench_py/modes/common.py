"""What every mode shares: the current workload and input, one task's body,
and the dependency bookkeeping of a task graph."""
import time

CURRENT = None  # (workload module, state), set by the server per sample


def task(t):
    """Runs one chunk: waits each item's wait first when the workload
    waits (time.sleep lets go of the GIL, as the course shows)."""
    wl, state = CURRENT
    first, count = t
    if wl.WAITS:
        for i in range(first, first + count):
            time.sleep(wl.wait_s(state, i))
    return wl.run(state, first, count)


def node(i, done):
    """Runs graph node i given its dependencies' done records."""
    wl, state = CURRENT
    time.sleep(wl.wait_s(state, i))
    return wl.node(state, i, done)


class Graph:
    """Which nodes are ready as others finish (Kahn's order)."""

    def __init__(self, wl, state):
        n = wl.count(state)
        self.deps = [wl.deps(state, i) for i in range(n)]
        self.left = [len(d) for d in self.deps]
        self.dependents = [[] for _ in range(n)]
        for i, ds in enumerate(self.deps):
            for d in ds:
                self.dependents[d].append(i)
        self.done = [None] * n
        self.ready = [i for i in range(n) if not self.deps[i]]

    def inputs(self, i):
        return [self.done[d] for d in self.deps[i]]

    def finish(self, i, rec):
        self.done[i] = rec
        for j in self.dependents[i]:
            self.left[j] -= 1
            if not self.left[j]:
                self.ready.append(j)


def graph_futures(executor, wl, state):
    """Runs a graph on a concurrent.futures executor: each node submitted
    once its dependencies are done, results taken as they complete."""
    from concurrent.futures import FIRST_COMPLETED, wait

    g = Graph(wl, state)
    acc = wl.init()
    running = {}
    while g.ready or running:
        while g.ready:
            i = g.ready.pop(0)
            running[executor.submit(node, i, g.inputs(i))] = i
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for f in finished:
            i = running.pop(f)
            rec, partial = f.result()
            acc = wl.merge(acc, partial)
            g.finish(i, rec)
    return acc
