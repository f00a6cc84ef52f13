/*
 * executor_list.h - the executors, one line each, in `bench list` and
 * default-run order. Adding an executor is one file in bench/executors/
 * defining `const struct bench_executor bench_executor_NAME` and one line
 * here; what makes it special goes in its row's flags and hooks.
 */
EXECUTOR(serial)
EXECUTOR(thread)
EXECUTOR(process)
EXECUTOR(async)
EXECUTOR(mpi)
EXECUTOR(spawn)
EXECUTOR(queue)
EXECUTOR(dask)
