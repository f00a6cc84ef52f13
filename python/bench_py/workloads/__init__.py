"""The workloads the python engine runs: one module each, one line each in
WORKLOADS, named as bench names them. A workload module defines:

  NAME, SUMMARY          as bench's C row
  OPTIONS                {option: default} of its own options (--max-ms ...)
  WAITS                  its items wait (the executor waits, then runs)
  prepare(size, seed, opts) -> state      untimed; the input, drawn from
                                          the same generator as the C side
  count(state) -> items
  init() -> partial; run(state, first, count) -> partial (items first ..
  first + count - 1); merge(acc, partial) -> acc; checksum(acc) -> text
  wait_s(state, i)       for WAITS: how long item i waits, seconds
  show(state, i) -> line the line `bench show` prints for item i
  node(state, i, deps) -> (done, partial)  for a task graph (DEPS True):
                         item i from its dependencies' done records
  show_all(state, limit) -> lines          instead of show, for a workload
                         whose lines are not one an item (events' first
                         lines, wordcount's top words)
  STAGES, stage(state, k, acc)   for a workload run in stages (wordcount's
                         map, then reduce): stage k's items are count(state)
                         after stage(state, k, merged result of stage k-1)
  check(state, acc) -> complaint or None   after a pass (events' --strict,
                         an --input file changed under the run)

OPTIONS' defaults say each option's kind: a number, or text (a str, or
None for none, as events' and wordcount's --input).
"""
from . import hash as _hash, search, range as _range, sleep, events, wordcount, graph

WORKLOADS = {w.NAME: w for w in (_hash, search, _range, sleep, events, wordcount, graph)}
