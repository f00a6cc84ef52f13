"""errors.py - the two ways a request fails, as bench tells them apart.

Bad: a request bench should not have sent (a workload or mode this package
lacks, an option it does not know): a usage error, bench exits 2.
Failed: a right request that could not be done (an --input file changed
under the run, a bad line under --strict, answers that differ between
calls, a module the mode needs missing): bench exits 1. kind says which,
so bench reports it as its C would: "input", "verify" or "failed".
Any other exception a workload raises is a Failed of kind "failed".
"""


class Bad(Exception):
    """A request bench should not have sent: its message is the answer."""


class Failed(Exception):
    """A request that could not be done: its message is the answer."""

    def __init__(self, message, kind="failed"):
        super().__init__(message)
        self.kind = kind
