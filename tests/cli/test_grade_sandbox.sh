#!/bin/sh
# test_grade_sandbox.sh - command-line tests of the grader's sandbox as a
# whole box (bench/grade/sandbox.c), beside test_grade.sh's per-process
# ones, on a toy exercise each test writes itself (99-add):
#
#   limits    a box is bounded as a whole, by its cgroup's memory.max
#             (2 x RLIMIT_AS: 1024 MiB for a test run), not per process:
#             a submission that fills every tmpfs it can reach and then
#             SysV shared memory, one whose 8 children hold 400 MB each,
#             one that makes empty files without end; each is stopped,
#             the first two named as "used more than 1024 MiB", and the
#             submission after it in the batch (same slot, same uid) is
#             graded right; /, /dev and the tmpfs sizes are checked from
#             inside; no cgroup is left behind;
#   channels  two submissions graded at once (-j 2) try to pass bits
#             through the inodes boxes share (byte-range locks, OFD
#             locks and flock on /usr/include/stdio.h, a lease, inotify):
#             every call fails and nothing crosses, while the same pair
#             run outside the sandbox does pass them (the probe works);
#   normal    a correct submission, and one that uses /tmp, /dev/null,
#             /dev/shm, fork and a thread the way students' code does,
#             still get full marks.
#
# usage: tests/cli/test_grade_sandbox.sh PATH/TO/bench [TEST...]
#
# Same runner as the other suites (lib.sh). Grading needs bubblewrap; the
# limit tests need a cgroup for the boxes (bench warns when there is none:
# they are then skipped, since a box without one would take the host's
# memory). No assertion is on timing: the limits are generous and each
# check is on what stopped a run, not when.

set -u
SUITE="grade_sandbox"
SUITE_TIMEOUT=300
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=toy_add.sh
. "$(dirname "$0")/toy_add.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

t normal_submissions
t tmpfs_flood_stopped
t children_memory_stopped
t inode_flood_stopped
t lock_channel_closed

# ---------------------------------------------------------------------------
# Helpers (as in test_grade.sh).

need_sandbox() {
	[ -x /usr/bin/bwrap ] || skip "bubblewrap (/usr/bin/bwrap) is not installed"
}

# bench grade ARGS under the subreaper: stdout ./out, stderr ./err, RC.
grade() { run_reaped "$BENCH" grade "$@"; }

# Writes a submission folder DIR holding add.c from standard input.
sub() { # DIR
	mkdir -p "$1"
	cat >"$1/add.c"
}

good() { sub "$1" <"$BENCH_EXERCISES/99-add/reference/add.c"; }

# The report (-o report.json) flattened into ./flat.
flat_report() { json_flat report.json >flat; }

msg_of() { # S T
	flat flat "submissions.$1.tests.$2.message"
}

# The message of test T of submission S matches ERE.
expect_msg() { # S T ERE WHAT
	_m=$(msg_of "$1" "$2")
	printf '%s\n' "$_m" | grep -Eq -e "$3" ||
		fail "$4: expected a message matching /$3/, got '$_m'"
}

expect_score() { # S SCORE
	assert_num "$(flat flat "submissions.$1.student")'s score" \
		"$(flat flat "submissions.$1.score")" -eq "$2"
}

# As root, sandboxes run as uid 61000 + slot: none may outlive bench
# (those of another bench running beside the tests are spared).
no_sandbox_procs() {
	[ "$(id -u)" = 0 ] || return 0
	_left=$(ps -e -o pid= -o ppid= -o uid= -o stat= -o comm= | awk '
		{ ppid[$1] = $2; comm[$1] = $5
		  if ($3 >= 61000 && $3 < 61000 + 64 * 256 && $4 !~ /^Z/) cand[$1] = $0 }
		END {
			for (p in cand) {
				q = ppid[p]
				for (n = 0; q > 1 && n < 64 && comm[q] != "bench"; n++)
					q = ppid[q]
				if (comm[q] != "bench")
					printf "%s; ", cand[p]
			}
		}')
	[ -z "$_left" ] || fail "sandbox processes left behind: $_left"
}

# The boxes' cgroups of the bench just run (its pid in ./reaper.pid) are
# all gone: bench-box-PID-SLOT-N, anywhere under /sys/fs/cgroup.
no_box_cgroups() {
	[ -s reaper.pid ] || return 0
	_pid=$(cat reaper.pid)
	_left=$(find /sys/fs/cgroup -maxdepth 12 -type d -name "bench-box-$_pid-*" 2>/dev/null)
	[ -z "$_left" ] || fail "cgroups left behind: $(echo "$_left" | tr '\n' ' ')"
}

# After `grade ... -f json -o report.json` on a batch: bench exited 0 and
# graded N submissions, the last (zgood, graded after the hostile ones in
# the same slot with -j 1) with full marks, and left nothing behind.
batch_ok() { # N
	expect_rc 0
	flat_report
	assert_eq "submissions in the report" "$1" "$(flat flat submissions.#)"
	_last=$(($1 - 1))
	assert_eq "the last submission" zgood "$(flat flat "submissions.$_last.student")"
	assert_eq "zgood's status" graded "$(flat flat "submissions.$_last.status")"
	expect_score "$_last" 3
	expect_reaped
	no_sandbox_procs
	no_box_cgroups
}

# The VALUE of KEY=VALUE among the words of LINE (a submission's report).
field() { # LINE KEY
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# Skips unless bench gives each box a cgroup: it warns once, on stderr,
# when it cannot. A hostile submission without one would take the host's
# memory. Grades a correct submission in ./probe to find out.
need_box_cgroup() {
	good probe/alice
	grade 99 probe/alice --seed 1
	expect_rc 0
	if grep -q 'warning: the sandboxes get no cgroup' err; then
		skip "no cgroup for the sandboxes here: $(sed -n 's/.*no cgroup (\(.*\)): each.*/\1/p' err | cut -c 1-200)"
	fi
	expect_empty err
}

# ---------------------------------------------------------------------------
# The toy exercise, in ./ex (BENCH_EXERCISES): 99-add, whose tests call
# add(2, 3) first (test small, 1 point), then random numbers (test random,
# 2 points).

make_exercise() {
	_d=ex/99-add
	toy_add "$_d"
	printf '# Toy exercises\n' >ex/README.md
	cp "$_d/reference/add.c" "$_d/starter/add.c"
	BENCH_EXERCISES=$PWD/ex
	export BENCH_EXERCISES
}

# ---------------------------------------------------------------------------
# Submissions (add.c on stdout).

# Right, and busy the way students' code is: a file in /tmp written and
# read back, /dev/null, a POSIX shared-memory object in /dev/shm, a child
# process and a thread. Any of them failing makes add() wrong.
src_busy() {
	cat <<'EOF'
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "add.h"

static void *twice(void *arg)
{
	long *v = arg;

	*v *= 2;
	return NULL;
}

static long busy(void)
{
	char buf[16] = "";
	long v = 21;
	int status = -1;
	pthread_t tid;
	FILE *f = fopen("/tmp/busy.txt", "w+");
	FILE *null = fopen("/dev/null", "w");
	int shm = shm_open("/busy", O_RDWR | O_CREAT, 0600);
	pid_t pid = fork();

	if (pid == 0)
		_exit(7);
	if (!f || fputs("42", f) < 0 || fseek(f, 0, SEEK_SET) || !fgets(buf, sizeof(buf), f) ||
	    strcmp(buf, "42") != 0 || !null || fputs("x", null) < 0 || shm < 0 ||
	    ftruncate(shm, 4096) != 0 || pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 7 ||
	    pthread_create(&tid, NULL, twice, &v) != 0 || pthread_join(tid, NULL) != 0)
		return -1;
	fclose(f);
	fclose(null);
	close(shm);
	shm_unlink("/busy");
	return v == 42 ? 0 : -1;
}

long add(long a, long b)
{
	static long ok = 1;

	if (ok == 1)
		ok = busy();
	return a + b + ok;
}
EOF
}

# Fills every tmpfs it can reach with files of 8 MiB (under RLIMIT_FSIZE,
# so that only the file system stops them), saying on one line of stderr
# how many MiB each took and the errno that stopped it ("tmp=16:28": 16
# MiB, ENOSPC), then puts 4 GiB into SysV shared memory (tmpfs pages no
# file system size bounds: a segment outlives its mapping, so no rlimit
# sees them either), 256 MiB at a time.
src_tmpfs_flood() {
	cat <<'EOF'
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>
#include "add.h"

static char chunk[1 << 20];

static void fill(const char *name, const char *dir)
{
	char path[64];
	int mib = 0, fd = 0;

	for (int i = 0; fd >= 0 && mib < 4096; i++) {
		snprintf(path, sizeof(path), "%s/flood%d", dir, i);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
			break;
		for (int k = 0; k < 8; k++, mib++)
			if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk)) {
				close(fd);
				fd = -1;
				break;
			}
		if (fd >= 0)
			close(fd);
	}
	fprintf(stderr, "%s=%d:%d ", name, mib, errno);
}

long add(long a, long b)
{
	static int done;

	if (!done) {
		done = 1;
		setvbuf(stderr, NULL, _IONBF, 0);
		memset(chunk, 'x', sizeof(chunk));
		fill("tmp", "/tmp");
		fill("shm", "/dev/shm");
		fill("dev", "/dev");
		fill("root", "");
		fill("work", "/work");
		fprintf(stderr, "sysv=");
		for (int i = 0; i < 16; i++) {
			int id = shmget(IPC_PRIVATE, 256u << 20, IPC_CREAT | 0600);
			char *p = id < 0 ? NULL : shmat(id, NULL, 0);

			if (!p || p == (void *)-1) {
				fprintf(stderr, "E%d", errno);
				break;
			}
			memset(p, 'x', 256u << 20);
			shmdt(p);
			fputc('+', stderr);
		}
		fputc('\n', stderr);
	}
	return a + b;
}
EOF
}

# 8 children each touching 400 MB, page by page through a volatile
# pointer (a memset of memory never read may be optimised away), within
# RLIMIT_AS (512 MiB) one by one but 3.2 GB together; the parent then
# waits for them and returns the right sum, so only the box's limit can
# fail it.
src_children() {
	cat <<'EOF'
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "add.h"

long add(long a, long b)
{
	static int done;

	if (!done) {
		int killed = 0, status;

		done = 1;
		for (int i = 0; i < 8; i++)
			if (fork() == 0) {
				volatile char *p = malloc(400u << 20);

				for (size_t k = 0; p && k < 400u << 20; k += 4096)
					p[k] = 'x';
				sleep(3);
				_exit(p ? 0 : 1);
			}
		while (wait(&status) > 0)
			killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		fprintf(stderr, "children killed: %d of 8\n", killed);
	}
	return a + b;
}
EOF
}

# Empty files in /tmp without end, by 4 processes at once: no blocks, so
# the tmpfs size does not stop them, only their inodes and dentries,
# kernel memory charged to the box. Four, so that each spends a quarter
# of the CPU time it takes (RLIMIT_CPU is per process: 10 s), however
# slow the machine. The parent says how many were killed and why the
# others stopped.
src_inode_flood() {
	cat <<'EOF'
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "add.h"

/* Files until one cannot be made: the errno, as exit status. */
static int files(int k)
{
	char name[64];
	int fd;

	for (long n = 0; n < 20000000; n++) {
		snprintf(name, sizeof(name), "/tmp/f%d-%ld", k, n);
		if ((fd = open(name, O_WRONLY | O_CREAT, 0600)) < 0)
			return errno;
		close(fd);
	}
	return 0;
}

long add(long a, long b)
{
	static int done;

	if (!done) {
		int status, why = 0, killed = 0;

		done = 1;
		for (int k = 0; k < 4; k++)
			if (fork() == 0)
				_exit(files(k));
		while (wait(&status) > 0) {
			if (WIFEXITED(status) && WEXITSTATUS(status))
				why = WEXITSTATUS(status);
			killed += WIFSIGNALED(status);
		}
		fprintf(stderr, "files: %d killed: %s\n", killed, strerror(why));
	}
	return a + b;
}
EOF
}

# The two ends of the channel test: on add(2, 3) (test small), for 8 s,
# the sender holds a POSIX read lock on byte 4242 of
# /usr/include/stdio.h, an OFD read lock on byte 4343, a shared flock
# and a lease on it, and opens it every 20 ms (inotify's IN_OPEN); the
# receiver asks F_GETLK and F_OFD_GETLK for a write lock there, tries an
# exclusive flock without blocking, and watches the file with inotify.
# Each then prints one line and exits 3 (the grader shows that line):
#   S lk=E ofd=E fl=E le=E t=T0-T1
#   R lk=E ofd=E fl=E in=E saw=MASK t=T0-T1
# E is the errno of the first such call (0: it worked), MASK what the
# receiver saw of the sender (1 its lock, 2 its OFD lock, 4 its flock, 8
# an open of the file), T0-T1 the window in seconds of CLOCK_REALTIME.
src_channel() { # send|recv
	printf '#define _GNU_SOURCE 1\n#define ROLE_%s 1\n' "$1"
	cat <<'EOF'
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include "add.h"

#define FILE_ "/usr/include/stdio.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)(t.tv_sec % 100000) + (double)t.tv_nsec / 1e9;
}

/* errno of a call that failed, 0 when it worked; the first one kept. */
static void keep(int *e, int rc)
{
	if (*e < 0)
		*e = rc < 0 ? errno : 0;
}

static void channel(void)
{
	int fd = open(FILE_, O_RDONLY), lk = -1, ofd = -1, fl = -1, x = -1;
	double t0 = now(), t1;
#ifdef ROLE_recv
	int saw = 0, in = inotify_init1(IN_NONBLOCK);

	x = in < 0 ? errno : 0;
	if (in >= 0 && inotify_add_watch(in, FILE_, IN_OPEN | IN_ACCESS) < 0)
		x = errno;
#endif
	if (fd < 0) {
		fprintf(stderr, "cannot open " FILE_ "\n");
		exit(4);
	}
	while ((t1 = now()) < t0 + 8) {
#ifdef ROLE_send
		struct flock p = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 4242, .l_len = 1 };
		struct flock o = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 4343, .l_len = 1 };
		int again = open(FILE_, O_RDONLY);

		keep(&lk, fcntl(fd, F_SETLK, &p));
		keep(&ofd, fcntl(fd, F_OFD_SETLK, &o));
		keep(&fl, flock(fd, LOCK_SH | LOCK_NB));
		keep(&x, fcntl(fd, F_SETLEASE, F_RDLCK));
		if (again >= 0)
			close(again);
#else
		struct flock p = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
		struct flock o = p;
		char ev[4096];
		int rc;

		rc = fcntl(fd, F_GETLK, &p);
		keep(&lk, rc);
		if (rc == 0 && p.l_type != F_UNLCK)
			saw |= 1;
		rc = fcntl(fd, F_OFD_GETLK, &o);
		keep(&ofd, rc);
		if (rc == 0 && o.l_type != F_UNLCK)
			saw |= 2;
		rc = flock(fd, LOCK_EX | LOCK_NB);
		if (rc < 0 && errno == EWOULDBLOCK) {
			saw |= 4;
			rc = 0;
		} else if (rc == 0) {
			flock(fd, LOCK_UN);
		}
		keep(&fl, rc);
		if (in >= 0 && read(in, ev, sizeof(ev)) > 0)
			saw |= 8;
#endif
		usleep(20000);
	}
#ifdef ROLE_send
	fprintf(stderr, "S lk=%d ofd=%d fl=%d le=%d t=%.1f-%.1f\n", lk, ofd, fl, x, t0, t1);
#else
	fprintf(stderr, "R lk=%d ofd=%d fl=%d in=%d saw=%d t=%.1f-%.1f\n", lk, ofd, fl, x, saw,
		t0, t1);
#endif
	exit(3);
}

long add(long a, long b)
{
	if (a == 2 && b == 3)
		channel();
	return a + b;
}
EOF
}

# ---------------------------------------------------------------------------
# Tests.

test_normal_submissions() {
	need_sandbox
	make_exercise
	good subs/alice
	src_busy | sub subs/bob
	grade 99 subs -j 2 --seed 7 -f json -o report.json
	expect_rc 0
	flat_report
	assert_eq "submissions in the report" 2 "$(flat flat submissions.#)"
	for _s in 0 1; do
		assert_eq "$(flat flat "submissions.$_s.student")'s status" graded \
			"$(flat flat "submissions.$_s.status")"
		expect_score $_s 3
	done
	expect_reaped
	no_sandbox_procs
	no_box_cgroups
}

test_tmpfs_flood_stopped() {
	need_sandbox
	make_exercise
	need_box_cgroup
	src_tmpfs_flood | sub batch/flood
	good batch/zgood
	grade 99 batch -j 1 --timeout 60 --seed 42 -f json -o report.json
	batch_ok 2
	for _t in 0 1; do
		expect_msg 0 $_t '^it used more than 1024 MiB of memory, its processes and files together, and was killed' \
			"the box's memory limit named"
	done
	expect_score 0 0
	# What the tmpfs mounts said before the box's limit: /tmp, /dev/shm
	# and /work full at 16 MiB (ENOSPC, 28), / and /dev read-only (EROFS,
	# 30); at least one SysV segment was made before the kill.
	_m=$(msg_of 0 0)
	for _fs in tmp shm work; do
		_v=$(field "$_m" $_fs)
		case $_v in *:*) ;; *) fail "the message names no $_fs=MIB:ERRNO: '$_m'" ;; esac
		assert_num "MiB written into /$_fs" "${_v%:*}" -le 16
		assert_eq "errno that stopped /$_fs" 28 "${_v#*:}"
	done
	assert_eq "MiB:errno of /dev (read-only)" "0:30" "$(field "$_m" dev)"
	assert_eq "MiB:errno of / (read-only)" "0:30" "$(field "$_m" root)"
	case $(field "$_m" sysv) in
	+*) ;;
	*) fail "expected a SysV segment filled before the kill (sysv=+...), got '$_m'" ;;
	esac
}

test_children_memory_stopped() {
	need_sandbox
	make_exercise
	need_box_cgroup
	src_children | sub batch/kids
	good batch/zgood
	grade 99 batch -j 1 --timeout 60 --seed 42 -f json -o report.json
	batch_ok 2
	# The parent returned the right sums: only the box's limit fails it.
	for _t in 0 1; do
		expect_msg 0 $_t '^it used more than 1024 MiB of memory, its processes and files together, and was killed' \
			"the box's memory limit named"
	done
	expect_score 0 0
}

test_inode_flood_stopped() {
	need_sandbox
	make_exercise
	need_box_cgroup
	src_inode_flood | sub batch/inodes
	good batch/zgood
	grade 99 batch -j 1 --timeout 120 --seed 42 -f json -o report.json
	batch_ok 2
	# Stopped by the box's memory (the kernel's inodes are charged to it),
	# by the kill or by a failed create, never by the clock.
	for _t in 0 1; do
		expect_msg 0 $_t '^it used more than 1024 MiB of memory|files: [0-9] killed: (Cannot allocate memory|No space left on device)' \
			"what stopped the files"
	done
	expect_score 0 0
}

test_lock_channel_closed() {
	need_sandbox
	has gcc || skip "gcc is not installed"
	[ -r /usr/include/stdio.h ] || skip "/usr/include/stdio.h is missing"
	make_exercise
	src_channel send | sub subs/send
	src_channel recv | sub subs/recv
	# The probe works: outside the sandbox, the receiver sees the sender.
	for _r in send recv; do
		printf '#include "add.h"\nint main(void) { return (int)add(2, 3); }\n' >main_$_r.c
		gcc -I ex/99-add -o $_r main_$_r.c subs/$_r/add.c || fail "cannot build the $_r control"
	done
	./send 2>send.err &
	_send=$!
	sleep 1
	./recv 2>recv.err
	wait "$_send"
	_line=$(cat recv.err)
	assert_eq "locks seen outside the sandbox (1 lock, 2 OFD lock, 4 flock, 8 open)" 15 \
		"$(field "$_line" saw)"
	# In the sandbox, graded at once: every call refused, nothing seen.
	grade 99 subs -j 2 --timeout 60 --seed 42 -f json -o report.json
	expect_rc 0
	flat_report
	assert_eq "the first submission" recv "$(flat flat submissions.0.student)"
	_r=$(msg_of 0 0)
	_s=$(msg_of 1 0)
	_r=${_r#*: }
	_s=${_s#*: }
	case $_r in "R "*) ;; *) fail "the receiver's line: expected 'R ...', got '$_r'" ;; esac
	case $_s in "S "*) ;; *) fail "the sender's line: expected 'S ...', got '$_s'" ;; esac
	# ENOLCK (37) for every lock call, EPERM (1) for the lease and inotify.
	for _k in lk ofd fl; do
		assert_eq "errno of the sender's $_k" 37 "$(field "$_s" $_k)"
		assert_eq "errno of the receiver's $_k" 37 "$(field "$_r" $_k)"
	done
	assert_eq "errno of the sender's lease" 1 "$(field "$_s" le)"
	assert_eq "errno of the receiver's inotify" 1 "$(field "$_r" in)"
	assert_eq "what the receiver saw of the sender" 0 "$(field "$_r" saw)"
	# Both ran at once (else nothing could have crossed anyway).
	_st=$(field "$_s" t)
	_rt=$(field "$_r" t)
	awk -v a="${_st%-*}" -v b="${_st#*-}" -v c="${_rt%-*}" -v d="${_rt#*-}" \
		'BEGIN { exit !(a < d && c < b) }' ||
		fail "the two runs did not overlap (sender $_st, receiver $_rt): -j 2 should run them at once"
	expect_reaped
	no_sandbox_procs
	no_box_cgroups
}

lib_start "$@"
