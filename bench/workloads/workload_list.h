/*
 * workload_list.h - the list of built-in workloads, one line each, in `bench
 * list` order. Adding a workload is one file and one line here.
 */
WORKLOAD(hash)
WORKLOAD(search)
WORKLOAD(range)
WORKLOAD(sleep)
WORKLOAD(events)
WORKLOAD(wordcount)
WORKLOAD(graph)
