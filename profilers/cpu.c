/*
 * cpu.c - the CPU profiler of libbenchprof.so ($BENCH_PROF=cpu): SIGPROF
 * samples of every thread's stack, $BENCH_PROF_HZ times per CPU second
 * (default 997), each a REC_SAMPLE record (leaf first).
 *
 * Where allowed, each thread gets a perf_event task-clock counter that
 * signals SIGPROF every 1/hz s of its own CPU time (an hrtimer: the rate
 * asked is the rate got, and every thread is sampled for itself); new
 * threads arm theirs through a pthread_create wrapper. Where perf_event
 * is not permitted (perf_event_paranoid, seccomp, containers, or
 * BENCH_PROF_PERF=0), setitimer(ITIMER_PROF) does, at the kernel's tick
 * rate; the header says which and why, and the report repeats it.
 *
 * The design choice to know: stacks come from libunwind, which reads the
 * unwind tables and is safe in a signal handler for local unwinding, so
 * they go on through code built without frame pointers (libc, libcrypto's
 * assembly); frame pointers are only the fallback when it gets no further
 * than the leaf.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "internal.h"

static unsigned hz = 997;
static int use_perf;
static int perf_errno;             /* why not, -1: turned off by request */
static TLS int perf_fd = -1;
static _Atomic uint64_t handler_ns;  /* time spent sampling */

/* Arms the calling thread's counter; 0 or an errno. */
static int perf_thread(void)
{
	struct perf_event_attr a;
	struct f_owner_ex own;
	int fd, e;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = 1000000000ull / hz;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return errno;
	own.type = F_OWNER_TID;
	own.pid = prof__tid();
	if (fcntl(fd, F_SETOWN_EX, &own) != 0 || fcntl(fd, F_SETSIG, SIGPROF) != 0 ||
	    fcntl(fd, F_SETFL, O_ASYNC) != 0 || ioctl(fd, PERF_EVENT_IOC_REFRESH, 1) != 0) {
		e = errno;
		close(fd);
		return e;
	}
	perf_fd = fd;
	return 0;
}

/* A perf counter stops after each overflow until refreshed. */
static void rearm(const siginfo_t *si)
{
	if (use_perf && si && si->si_fd >= 0 &&
	    (si->si_code == POLL_IN || si->si_code == POLL_HUP))
		ioctl(si->si_fd, PERF_EVENT_IOC_REFRESH, 1);
}

struct tramp {
	void *(*fn)(void *);
	void *arg;
};

static void *trampoline(void *p)
{
	struct tramp t = *(struct tramp *)p;
	void *r;

	free(p);
	if (atomic_load(&prof__active))
		perf_thread();
	r = t.fn(t.arg);
	if (perf_fd >= 0) {
		close(perf_fd);
		perf_fd = -1;
	}
	return r;
}

/* New threads start their own counter first. */
EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg)
{
	static int (*real)(pthread_t *, const pthread_attr_t *,
			   void *(*)(void *), void *);
	struct tramp *tr;
	int rc;

	if (!real)
		NEXT(real, "pthread_create");
	if (prof__kind != PROF_CPU || !use_perf || !(tr = malloc(sizeof(*tr))))
		return real(t, attr, fn, arg);
	tr->fn = fn;
	tr->arg = arg;
	rc = real(t, attr, trampoline, tr);
	if (rc)
		free(tr);
	return rc;
}

static void on_prof(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint64_t pc[PROF_DEPTH_MAX], t0;
	unsigned n = 0;
	int saved = errno;
	pid_t tid;
	uint64_t *rec;

	(void)sig;
	(void)si;
	if (!atomic_load(&prof__active)) {
		errno = saved;
		return; /* not re-armed: a perf counter stays quiet */
	}
	atomic_fetch_add(&prof__writers, 1);
	t0 = prof__now_ns();
	tid = prof__tid();
	prof__name_thread(tid);
	{
		unw_cursor_t cur;

		if (unw_init_local2(&cur, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) == 0) {
			do {
				unw_word_t ip;

				if (unw_get_reg(&cur, UNW_REG_IP, &ip) != 0 || ip == 0)
					break;
				pc[n++] = (uint64_t)ip;
			} while (n < PROF_DEPTH_MAX && unw_step(&cur) > 0);
		}
	}
	if (n > 1)
		goto walked;
	n = 0;
#if defined(__x86_64__)
	pc[n++] = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	n = prof__walk((uintptr_t)uc->uc_mcontext.gregs[REG_RBP],
		       (uintptr_t)uc->uc_mcontext.gregs[REG_RSP], pc, n, PROF_DEPTH_MAX);
#elif defined(__aarch64__)
	pc[n++] = (uint64_t)uc->uc_mcontext.pc;
	pc[n++] = (uint64_t)uc->uc_mcontext.regs[30];
	n = prof__walk((uintptr_t)uc->uc_mcontext.regs[29], (uintptr_t)uc->uc_mcontext.sp,
		       pc, n, PROF_DEPTH_MAX);
#endif
walked:
	if ((rec = prof__reserve(REC_SAMPLE, 16 + 8 * (size_t)n))) {
		rec[0] = prof__now_ns();
		((uint32_t *)(rec + 1))[0] = (uint32_t)tid;
		((uint32_t *)(rec + 1))[1] = n;
		memcpy(rec + 2, pc, 8 * (size_t)n);
	}
	atomic_fetch_add(&handler_ns, prof__now_ns() - t0);
	atomic_fetch_sub(&prof__writers, 1);
	rearm(si);
	errno = saved;
}

static void start_timer(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_prof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
	if (use_perf)
		return; /* each thread's counter signals by itself */
	it.it_interval.tv_usec = (suseconds_t)(1000000 / hz);
	if (it.it_interval.tv_usec == 0)
		it.it_interval.tv_usec = 1;
	it.it_value = it.it_interval;
	setitimer(ITIMER_PROF, &it, NULL);
}

static void stop_timer(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_PROF, &it, NULL);
}

/* ---- the row ------------------------------------------------------------------ */

static void cpu_load(void)
{
	const char *rate = getenv("BENCH_PROF_HZ");

	if (rate && atoi(rate) > 0 && atoi(rate) <= 100000)
		hz = (unsigned)atoi(rate);
}

/* perf_event if allowed (this thread's counter armed now), else setitimer. */
static void cpu_prepare(void)
{
	const char *perf = getenv("BENCH_PROF_PERF");

	if (perf && strcmp(perf, "0") == 0)
		perf_errno = -1;
	else
		perf_errno = perf_thread();
	use_perf = perf_errno == 0;
}

static void cpu_forked(void)
{
	atomic_store(&handler_ns, 0);
	if (use_perf) {
		/* The inherited counter is the parent thread's. */
		if (perf_fd >= 0)
			close(perf_fd);
		perf_fd = -1;
		perf_thread();
	}
}

static void cpu_header(struct prof_header *h)
{
	h->hz = hz;
	h->overhead_ns = atomic_load(&handler_ns);
	h->mechanism = use_perf ? 1 : 0;
	h->perf_errno = perf_errno;
}

const struct prof_profiler prof__cpu = {
	.name = "cpu",
	.kind = PROF_CPU,
	.load = cpu_load,
	.prepare = cpu_prepare,
	.start = start_timer,
	.forked = cpu_forked,
	.resume = start_timer,
	.stop = stop_timer,
	.header = cpu_header,
};
