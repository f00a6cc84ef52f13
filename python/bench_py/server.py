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
  a request bench should not have sent -> {"error": "one line", "usage": true}
  one that failed -> {"error": "one line", "kind": "input"|"verify"|"failed"}

A sample is timed here with the rules bench's C follows: the input is
prepared once per (workload, size, seed, options), untimed; the wall time is
CLOCK_MONOTONIC around the mode's run, pools started and stopped inside
it; CPU time is getrusage of this process and of the children it reaped
(pool workers), peak RSS the larger of the two. Warmup and the order of
samples are bench's.

Options come as bench sends them: numbers, and text (an --input file, an
event --type), which a workload's OPTIONS tells apart by its default (a
number, or text or None). A workload of several STAGES (wordcount's map,
then its reduce) runs them one after the other in the same mode, within
the same timed pass.
"""
import importlib.util
import json
import os
import platform
import resource
import sys
import time

from . import rng, timing
from .errors import Bad, Failed
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
        opts[k] = _option(wl.OPTIONS[k], v)
    size, seed = int(req["size"]), int(req["seed"])
    key = (name, size, seed, tuple(sorted(opts.items())))
    state = _inputs.get(key)
    if state is None:
        state = _inputs[key] = wl.prepare(size, seed, opts)
    return wl, state


def _option(default, v):
    """An option's value, of its default's kind: a number, or text (bytes
    that are not UTF-8 come as {"hex": ...}, and are decoded as Python
    decodes file names, so that open() gets the same bytes back)."""
    if isinstance(default, int):
        return int(v)
    if isinstance(v, dict):
        return os.fsdecode(bytes.fromhex(v["hex"]))
    return str(v)


def _chunks(n, chunk):
    return [(f, min(chunk, n - f)) for f in range(0, n, chunk)]


def _runner(wl, state, mode, workers, chunk):
    """A call that runs one pass of wl in mode and returns its merged
    result, and a list the call fills with the tasks of each stage. The
    first stage's chunks are cut here, outside any timing. A workload of
    several STAGES runs them in turn, wl.stage() handing stage k the merged
    result of stage k - 1 (None for the first) before its pool starts, so
    forked workers see it, as bench's C keeps the shuffle in shared memory."""
    if wl.DEPS:
        return (lambda: mode.graph(wl, state, workers)), [wl.count(state)]
    stages = getattr(wl, "STAGES", 1)
    if stages > 1:
        wl.stage(state, 0, None)
    n = wl.count(state)
    chunk = max(1, int(chunk or n or 1))
    first = _chunks(n, chunk)
    tasks = [len(first)]
    if stages == 1:
        return (lambda: mode.run(wl, state, first, workers)), tasks

    def call():
        wl.stage(state, 0, None)
        acc = mode.run(wl, state, first, workers)
        del tasks[1:]
        for k in range(1, stages):
            wl.stage(state, k, acc)
            later = _chunks(wl.count(state), chunk)
            tasks.append(len(later))
            acc = mode.run(wl, state, later, workers)
        return acc

    return call, tasks


def _check(wl, state, acc):
    """A workload's check after a pass (events' --strict, an --input file
    that changed under the run): its complaint fails the request."""
    why = wl.check(state, acc) if hasattr(wl, "check") else None
    if why:
        raise Failed("engine python: %s" % why, "input")


def _cpu_ns(ru):
    return int((ru.ru_utime + ru.ru_stime) * 1e9)


def sample(req):
    wl, state = _workload(req)
    mode = MODES.get(req.get("mode"))
    if mode is None:
        raise Bad("engine python does not run mode %s (it runs %s)"
                  % (req.get("mode"), ", ".join(sorted(MODES))))
    workers = max(1, int(req.get("workers", 1)))
    body, tasks = _runner(wl, state, mode, workers, req.get("chunk"))
    n = wl.count(state)
    common.CURRENT = (wl, state)
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic_ns()
    acc = body()
    t1 = time.monotonic_ns()
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    common.CURRENT = None
    _check(wl, state, acc)
    return {
        "wall_ns": t1 - t0,
        "cpu_ns": _cpu_ns(self1) - _cpu_ns(self0) + _cpu_ns(kids1) - _cpu_ns(kids0),
        "maxrss_kb": max(self1.ru_maxrss, kids1.ru_maxrss),
        "checksum": wl.checksum(acc),
        "tasks": sum(tasks),
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
    one_pass, _ = _runner(wl, state, mode, workers, req.get("chunk"))

    def call():
        common.CURRENT = (wl, state)
        try:
            acc = one_pass()
        finally:
            common.CURRENT = None
        _check(wl, state, acc)
        return wl.checksum(acc)

    try:
        return timing.timeit(call, int(req.get("number") or 0),
                             max(1, int(req.get("repeat") or 6)),
                             int(req.get("min_time_ns") or 200_000_000))
    except timing.Mismatch as e:
        raise Failed("engine python: %s" % e, "verify")


def show(req):
    wl, state = _workload(req)
    limit = int(req.get("limit", 10))
    if hasattr(wl, "show_all"):  # its own lines (wordcount's top words)
        return {"lines": list(wl.show_all(state, limit))}
    return {"lines": [wl.show(state, i) for i in range(min(limit, wl.count(state)))]}


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
            ans = {"error": str(e), "usage": True}
        except Failed as e:
            ans = {"error": str(e), "kind": e.kind}
        except Exception as e:  # a failing workload is reported, not fatal
            ans = {"error": "engine python: %s: %s" % (type(e).__name__, e),
                   "kind": "failed"}
        out.write(json.dumps(ans) + "\n")
        out.flush()
    return 0
