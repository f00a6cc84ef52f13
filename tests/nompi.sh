#!/bin/sh
# nompi.sh - a bench built without Open MPI (make MPI=no) still builds,
# runs every other mode, and says how to get mode mpi.
# usage: tests/nompi.sh PATH/TO/bench-built-with-MPI=no
set -u
BENCH=$1
ok=0
bad=0
check() { # WHAT: runs the rest, judged by the last command's status
	what=$1
	shift
	if "$@"; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "nompi: FAIL: $what"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check "no libmpi linked" sh -c "! ldd '$BENCH' | grep -q libmpi"
check "other modes run" sh -c "'$BENCH' run hash -n 2000 --mode serial,thread,process --no-save -q -r 1 >/dev/null"
"$BENCH" run hash -n 2000 --mode mpi --workers 2 --no-save -q >"$tmp/out" 2>"$tmp/err"
rc=$?
check "mode mpi exits 1" test "$rc" = 1
check "one line saying how to install Open MPI" sh -c \
	"test \$(wc -l <'$tmp/err') = 1 && grep -q 'built without Open MPI: install it (make deps' '$tmp/err'"
check "nothing on stdout" test ! -s "$tmp/out"
echo "nompi: $ok checks passed, $bad failed"
[ "$bad" = 0 ]
