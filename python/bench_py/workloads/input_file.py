"""input_file.py - an --input file that must not change while a run reads
it, as the C workloads check theirs: its size and modification time kept
when it is opened, compared after each pass (events, wordcount)."""
import os


def stamp(fd):
    """The open file's (size, mtime in ns)."""
    st = os.fstat(fd)
    return st.st_size, st.st_mtime_ns


def changed(name, path, fd, kept):
    """The complaint of workload `name` when the file open as fd no longer
    has the stamp `kept`, or None."""
    size, mtime = stamp(fd)
    if size != kept[0]:
        return ("%s: input '%s' changed during the run (%d bytes, now %d)"
                % (name, path, kept[0], size))
    if mtime != kept[1]:
        return ("%s: input '%s' changed during the run (%d bytes, the same size but rewritten)"
                % (name, path, size))
    return None
