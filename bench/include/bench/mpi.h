/*
 * mpi.h - running as one rank of an Open MPI job.
 *
 * `bench run W --mode mpi --workers N` relaunches itself as
 * `mpirun -n N bench run W --mode mpi ...`; each rank then runs the same
 * command. Every rank prepares the same input; for an mpi case the ranks
 * split the items (by index, or by byte ranges of an input file), run
 * their share one task after another, and reduce their partials onto rank
 * 0, which times the sample between a barrier and the reduction and is
 * the only rank that prints or saves anything. The other modes of the
 * same run (serial, thread, ...) run on rank 0 alone while the other
 * ranks wait without spinning, so a run compares them all, interleaved.
 *
 * Without Open MPI at build time every function here still exists:
 * bench_mpi_available() says 0 and bench_mpi_init() explains how to get
 * it.
 */
#ifndef BENCH_MPI_H
#define BENCH_MPI_H

#include "bench/clock.h"
#include "bench/error.h"

/* 1 when bench was built with Open MPI. */
int bench_mpi_available(void);

/* 1 when this process was started by mpirun (its environment says so). */
int bench_mpi_launched(void);

/*
 * Joins the MPI job (MPI_Init) when bench_mpi_launched(); a no-op
 * otherwise. Returns 0 or a BENCH_E* code with err filled (built without
 * MPI: how to install it).
 */
int bench_mpi_init(int *argc, char ***argv, struct bench_err *err);

/* Leaves the job (MPI_Finalize); a no-op when not joined. */
void bench_mpi_finalize(void);

/* 1 after bench_mpi_init() joined a job. */
int bench_mpi_active(void);

/* This process's rank (0 when not in a job) and the job's size (1). */
int bench_mpi_rank(void);
int bench_mpi_size(void);

/*
 * How long mpirun took to start the job: from the moment the launching
 * bench started mpirun (BENCH_MPI_LAUNCH_NS in the environment, wall
 * clock) to every rank having joined. 0 when unknown.
 */
bench_ns bench_mpi_launch_ns(void);

/* The environment variable the launcher sets for bench_mpi_launch_ns. */
#define BENCH_MPI_LAUNCH_ENV "BENCH_MPI_LAUNCH_NS"

#endif
