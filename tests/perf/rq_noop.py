#!/usr/bin/python3
"""rq_noop.py - the yardstick for mode queue's per-task cost: Python rq
(python3-rq) running N no-op tasks on a given Redis, as the course's rq
lecture does, with one worker that runs jobs in its own process
(SimpleWorker: no fork per job, rq's fastest setting). rq keeps its
registries and worker records in the Redis: give it a private one.

Times, per round, from the first enqueue to the worker's end in burst mode
(the queue drained), and prints the median wall time per task in ns.
Debian's python3-rq runs under /usr/bin/python3.

usage: /usr/bin/python3 tests/perf/rq_noop.py UNIX_SOCKET TASKS [ROUNDS]
"""
import statistics
import sys
import time

from redis import Redis
from rq import Queue, SimpleWorker


def noop(i):
    return i


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    sock, tasks = sys.argv[1], int(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    conn = Redis(unix_socket_path=sock)
    per_task = []
    for r in range(rounds):
        q = Queue("rq-noop-%d" % r, connection=conn)
        t0 = time.perf_counter()
        with conn.pipeline() as pipe:
            q.enqueue_many([Queue.prepare_data(noop, (i,), result_ttl=60)
                            for i in range(tasks)], pipeline=pipe)
            pipe.execute()
        SimpleWorker([q], connection=conn).work(burst=True,
                                                logging_level="ERROR")
        per_task.append((time.perf_counter() - t0) / tasks * 1e9)
        q.delete(delete_jobs=True)
    print("%.0f" % statistics.median(per_task))


if __name__ == "__main__":
    main()
