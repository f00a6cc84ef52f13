"""The modes the python engine runs, one module each, one line each in
MODES, in the idioms the course teaches. Each module's run(wl, state,
tasks, workers) returns the merged partial of every task (a task is
(first, count), a chunk of items); graph(wl, state, workers) runs a
workload whose items depend on others (wl.DEPS), one node a task.

Workers find the workload and its prepared input in common.CURRENT, set
before any pool starts: forked processes share it copy-on-write, as bench's
process executor shares its input, so only (first, count) and the partial
results are pickled. A mode that needs a library (dask) imports it on its
first sample, so the server starts, and runs the others, without it.
"""
from . import serial, thread, process, async_mode, dask_mode

MODES = {m.NAME: m for m in (serial, thread, process, async_mode, dask_mode)}
