"""server.py - the python engine's side of bench's protocol.

bench writes one JSON request a line on stdin; the server answers each with
one JSON line on stdout. The first line it writes, before reading anything,
says what this Python is (implementation, version, whether the GIL is on),
so that bench can time the interpreter's start-up apart and record it.

  {"op": "sample", "workload": "hash", "mode": "thread", "workers": 2,
   "size": 1000, "chunk": 125, "seed": 1, "options": {"max-ms": 50}}
  -> {"wall_ns": N, "cpu_ns": N, "maxrss_kb": N, "checksum": "hex",
      "tasks": N, "items": N}
  {"op": "show", "workload": ..., "size": ..., "seed": ..., "options": ...,
   "limit": N} -> {"lines": [...]}
  anything wrong -> {"error": "one line"}

A sample is timed here with the rules bench's C follows: the input is
prepared once per (workload, size, seed, options), untimed; the wall time is
CLOCK_MONOTONIC around the mode's run, pools started and stopped inside
it; CPU time is getrusage of this process and of the children it reaped
(pool workers), peak RSS the larger of the two. Warmup and the order of
samples are bench's.
"""
import importlib.util
import json
import platform
import resource
import sys
import time

from . import rng, timing
from .modes import MODES, common
from .workloads import WORKLOADS

_inputs = {}


def about():
    """This interpreter, for bench's context."""
    gil = getattr(sys, "_is_gil_enabled", None)
    return {
        "implementation": platform.python_implementation(),
        "version": platform.python_version(),
        "gil": bool(gil()) if gil else True,
        "executable": sys.executable,
        "numpy": rng.have_numpy(),
        "dask": importlib.util.find_spec("dask") is not None,
        "workloads": sorted(WORKLOADS),
        "modes": sorted(MODES),
    }


class Bad(Exception):
    """A request bench should not have sent: its message is the answer."""


def _workload(req):
    name = req.get("workload")
    wl = WORKLOADS.get(name)
    if wl is None:
        raise Bad("engine python has no workload '%s' (it has %s)"
                  % (name, ", ".join(sorted(WORKLOADS))))
    opts = dict(wl.OPTIONS)
    for k, v in (req.get("options") or {}).items():
        if k not in opts:
            raise Bad("engine python: workload %s has no option --%s" % (name, k))
        opts[k] = int(v)
    size, seed = int(req["size"]), int(req["seed"])
    key = (name, size, seed, tuple(sorted(opts.items())))
    state = _inputs.get(key)
    if state is None:
        state = _inputs[key] = wl.prepare(size, seed, opts)
    return wl, state


def _cpu_ns(ru):
    return int((ru.ru_utime + ru.ru_stime) * 1e9)


def sample(req):
    wl, state = _workload(req)
    mode = MODES.get(req.get("mode"))
    if mode is None:
        raise Bad("engine python does not run mode %s (it runs %s)"
                  % (req.get("mode"), ", ".join(sorted(MODES))))
    workers = max(1, int(req.get("workers", 1)))
    n = wl.count(state)
    chunk = max(1, int(req.get("chunk") or n or 1))
    common.CURRENT = (wl, state)
    if wl.DEPS:
        tasks = n

        def body():
            return mode.graph(wl, state, workers)
    else:
        chunks = [(f, min(chunk, n - f)) for f in range(0, n, chunk)]
        tasks = len(chunks)

        def body():
            return mode.run(wl, state, chunks, workers)
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic_ns()
    acc = body()
    t1 = time.monotonic_ns()
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    common.CURRENT = None
    return {
        "wall_ns": t1 - t0,
        "cpu_ns": _cpu_ns(self1) - _cpu_ns(self0) + _cpu_ns(kids1) - _cpu_ns(kids0),
        "maxrss_kb": max(self1.ru_maxrss, kids1.ru_maxrss),
        "checksum": wl.checksum(acc),
        "tasks": tasks,
        "items": n,
    }


def timeit(req):
    """timeit's loop around one pass of the mode (timing.py), here: every
    call runs the mode over the prepared input and returns its checksum."""
    wl, state = _workload(req)
    mode = MODES.get(req.get("mode"))
    if mode is None or wl.DEPS and not hasattr(mode, "graph"):
        raise Bad("engine python does not run mode %s (it runs %s)"
                  % (req.get("mode"), ", ".join(sorted(MODES))))
    workers = max(1, int(req.get("workers", 1)))
    n = wl.count(state)
    chunk = max(1, int(req.get("chunk") or n or 1))
    chunks = [(f, min(chunk, n - f)) for f in range(0, n, chunk)]

    def call():
        common.CURRENT = (wl, state)
        try:
            if wl.DEPS:
                acc = mode.graph(wl, state, workers)
            else:
                acc = mode.run(wl, state, chunks, workers)
        finally:
            common.CURRENT = None
        return wl.checksum(acc)

    try:
        return timing.timeit(call, int(req.get("number") or 0),
                             max(1, int(req.get("repeat") or 6)),
                             int(req.get("min_time_ns") or 200_000_000))
    except timing.Mismatch as e:
        raise Bad("engine python: %s" % e)


def show(req):
    wl, state = _workload(req)
    limit = min(int(req.get("limit", 10)), wl.count(state))
    if hasattr(wl, "show_all"):
        return {"lines": list(wl.show_all(state, limit))}
    return {"lines": [wl.show(state, i) for i in range(limit)]}


def serve(inp=sys.stdin, out=sys.stdout):
    out.write(json.dumps(about()) + "\n")
    out.flush()
    for line in inp:
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "sample":
                ans = sample(req)
            elif op == "show":
                ans = show(req)
            elif op == "timeit":
                ans = timeit(req)
            else:
                raise Bad("engine python: unknown request '%s'" % op)
        except Bad as e:
            ans = {"error": str(e)}
        except (ValueError, KeyError, TypeError) as e:
            ans = {"error": "engine python: bad request: %s" % e}
        except Exception as e:  # a failing workload is reported, not fatal
            ans = {"error": "engine python: %s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(ans) + "\n")
        out.flush()
    return 0
