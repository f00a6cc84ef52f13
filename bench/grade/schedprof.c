/*
 * schedprof.c - a run's work and parallelism from /proc/TID/schedstat,
 * sampled from outside (schedprof.h says what is estimated and why).
 *
 * Written by hand: no library reads schedstat, and the walk is a few
 * dozen lines. The process tree is followed through
 * /proc/PID/task/TID/children (the box's pid namespace keeps every
 * orphan under its first process, so the walk from the root sees all).
 */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schedprof.h"

/* Processes followed per sample: the box's pids.max is far lower. */
#define WALK_MAX 256
/* Processes whose CPU time is kept, ended ones included. */
#define PROCS_MAX 256

void schedprof_start(struct schedprof *sp, bench_ns now)
{
	struct schedprof_thread *t = sp->t;
	size_t cap = sp->cap;

	double factor[SCHEDPROF_CPUS_MAX];

	/* The thread table's memory and the CPUs' speeds are kept. */
	memcpy(factor, sp->cpu_factor, sizeof(factor));
	memset(sp, 0, sizeof(*sp));
	memcpy(sp->cpu_factor, factor, sizeof(factor));
	sp->t = t;
	sp->cap = cap;
	sp->last = now;
}

/* Iterations of the calibration loop: a millisecond or two. */
#define CALIBRATE_LOOP 1000000

struct calibration {
	int cpu;
	double ns;      /* thread CPU time of the loop, 0: not measured */
};

static double thread_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void *calibrate_one(void *arg)
{
	struct calibration *c = arg;
	cpu_set_t set;
	volatile uint64_t x = 1;
	double best = 0;

	CPU_ZERO(&set);
	CPU_SET(c->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		return NULL;
	/* Three tries, the middle one: the host may take the CPU away in
	 * bursts (no steal time is reported here), which a single short
	 * try can miss or catch whole. */
	double t[3];

	for (int k = 0; k < 3; k++) {
		double t0 = thread_cpu_ns();

		for (int i = 0; i < CALIBRATE_LOOP; i++)
			x = x * 6364136223846793005u + 1442695040888963407u;
		t[k] = thread_cpu_ns() - t0;
	}
	best = t[0] > t[1] ? (t[1] > t[2] ? t[1] : t[0] > t[2] ? t[2] : t[0]) :
			     (t[0] > t[2] ? t[0] : t[1] > t[2] ? t[2] : t[1]);
	c->ns = best;
	return NULL;
}

void schedprof_calibrate(struct schedprof *sp)
{
	struct calibration c[SCHEDPROF_CPUS_MAX];
	cpu_set_t set;
	double fastest = 0;
	int n = 0;

	for (int i = 0; i < SCHEDPROF_CPUS_MAX; i++)
		sp->cpu_factor[i] = 1;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return;
	/* One CPU at a time, so that the loops do not slow each other. */
	for (int cpu = 0; cpu < SCHEDPROF_CPUS_MAX; cpu++) {
		pthread_t t;

		if (!CPU_ISSET(cpu, &set))
			continue;
		c[n] = (struct calibration){ cpu, 0 };
		if (pthread_create(&t, NULL, calibrate_one, &c[n]) != 0)
			continue;
		pthread_join(t, NULL);
		if (c[n].ns > 0 && (fastest == 0 || c[n].ns < fastest))
			fastest = c[n].ns;
		n++;
	}
	for (int i = 0; i < n; i++)
		if (c[i].ns > 0 && fastest > 0)
			sp->cpu_factor[c[i].cpu] = c[i].ns / fastest;
}

void schedprof_free(struct schedprof *sp)
{
	free(sp->t);
	sp->t = NULL;
	sp->n = sp->cap = 0;
}

/* The whole small file at path into buf (NUL-terminated); its length or
 * -1. */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* A process's CPU time, its ended threads' included, from
 * /proc/PID/stat (utime + stime, in clock ticks), into sp->procs. */
static void proc_sample(struct schedprof *sp, pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (slurp(path, buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
		return;
	/* After the name: state, then fields 4 to 13, then utime, stime. */
	if (sscanf(p + 1, " %*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu",
		   &ut, &st) != 2)
		return;
	for (i = 0; i < sp->nprocs && sp->procs[i].pid != pid; i++)
		;
	if (i == sp->nprocs) {
		if (sp->nprocs == PROCS_MAX)
			return;
		sp->nprocs++;
		sp->procs[i].pid = pid;
	}
	sp->procs[i].ticks = ut + st;
}

static struct schedprof_thread *find(struct schedprof *sp, pid_t tid)
{
	for (size_t i = 0; i < sp->n; i++)
		if (sp->t[i].tid == tid)
			return &sp->t[i];
	if (sp->n == sp->cap) {
		size_t cap = sp->cap ? 2 * sp->cap : 32;
		struct schedprof_thread *t = realloc(sp->t, cap * sizeof(*t));

		if (!t)
			return NULL;
		sp->t = t;
		sp->cap = cap;
	}
	sp->t[sp->n] = (struct schedprof_thread){ .tid = tid };
	sp->threads++;
	sp->win_churn = 1;
	return &sp->t[sp->n++];
}

/* Reads one thread: adds what it gained since the last sample. */
/* The CPU a thread last ran on: field 39 of its stat line, counted
 * from the state (field 3) just after the name; -1 when unreadable. */
static int stat_cpu(const char *after_name)
{
	const char *p = after_name;

	for (int field = 3; field < 39 && *p; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	return *p ? atoi(p + 1) : -1;
}

static void thread_sample(struct schedprof *sp, pid_t pid, pid_t tid,
			  uint64_t *run, double *norm, uint64_t *wait,
			  unsigned *ready, pid_t *kids, size_t *nkids)
{
	char path[96], buf[512];
	unsigned long long r, w;
	struct schedprof_thread *t;
	char *p, *end;
	int cpu = -1, is_ready = 0;
	double factor;

	/* Running or ready now ('R'): the kernel's word, with no lag (the
	 * schedstat counters grow only when the thread gets a CPU). */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (slurp(path, buf, sizeof(buf)) >= 0 && (p = strrchr(buf, ')')) &&
	    p[1] == ' ') {
		is_ready = p[2] == 'R';
		cpu = stat_cpu(p + 1);
	}

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	if (slurp(path, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%llu %llu", &r, &w) != 2)
		return;  /* it ended meanwhile */
	if (!(t = find(sp, tid)))
		return;
	/* Seen once per sample, however the walk reached it. */
	if (t->gen == sp->gen)
		return;
	*ready += is_ready;
	/* A tid reused by a new thread starts again from zero. */
	if (r < t->run_ns || w < t->wait_ns)
		t->run_ns = t->wait_ns = 0;
	*run += r - t->run_ns;
	/* The time taken at the speed of the fastest CPU: work on a CPU
	 * that runs slower (one the host shares with others) counts as
	 * the work it is, not as the time it took there. */
	factor = cpu >= 0 && cpu < SCHEDPROF_CPUS_MAX && sp->cpu_factor[cpu] >= 1 ?
		 sp->cpu_factor[cpu] : 1;
	*norm += (double)(r - t->run_ns) / factor;
	*wait += w - t->wait_ns;
	t->run_ns = r;
	t->wait_ns = w;
	t->gen = sp->gen;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tid);
	if (slurp(path, buf, sizeof(buf)) < 0)
		return;
	for (p = buf; *nkids < WALK_MAX; p = end) {
		long kid = strtol(p, &end, 10);

		if (end == p || kid <= 0)
			break;
		kids[(*nkids)++] = (pid_t)kid;
	}
}

/*
 * Adds a window's estimates. k is its parallelism: how many threads were
 * running or ready, on average over its samples. Its work is done at
 * min(P, k) CPUs (one at least); the share of the window in which none
 * was (1 - k, below one: asleep, waiting for I/O or a timer) takes as
 * long on any machine. In a window where a thread began or ended, one
 * may have come and gone between samples, working while the window
 * looked asleep: that time is kept apart (churn_idle), and work the
 * samples missed is first taken to have filled it (schedprof_ideal).
 */
static void account(struct schedprof *sp, double dt, double run,
		    unsigned ready, unsigned samples, int churn)
{
	double k = samples ? (double)ready / samples : 0;

	if (k > sp->k_max)
		sp->k_max = k;
	for (unsigned p = 1; p <= SCHEDPROF_CPUS_MAX; p++) {
		double div = k < 1 ? 1 : k < p ? k : p;

		sp->ideal_ns[p] += run / div + (k >= 1 ? 0 : dt * (1 - k));
	}
	if (churn && k < 1)
		sp->churn_idle_ns += dt * (1 - k);
}

void schedprof_sample(void *arg, pid_t root)
{
	struct schedprof *sp = arg;
	pid_t kids[WALK_MAX];
	size_t nkids = 0, at = 0;
	uint64_t run = 0, wait = 0;
	double norm = 0;
	unsigned ready = 0;
	bench_ns now;
	double dt;

	sp->gen++;
	kids[nkids++] = root;
	while (at < nkids) {
		pid_t pid = kids[at++];
		char path[64];
		struct dirent *e;
		DIR *d;
		size_t seen = 0;

		/* A process listed twice is walked once. */
		while (seen < at - 1 && kids[seen] != pid)
			seen++;
		if (seen < at - 1)
			continue;

		proc_sample(sp, pid);
		snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
		if (!(d = opendir(path))) {
			if (errno != ENOENT && errno != ESRCH)
				sp->broken = 1;
			continue;
		}
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				thread_sample(sp, pid, (pid_t)atoi(e->d_name), &run,
					      &norm, &wait, &ready, kids, &nkids);
		closedir(d);
	}
	/* Threads not seen this time have ended: forget them. */
	for (size_t i = 0; i < sp->n;)
		if (sp->t[i].gen != sp->gen) {
			sp->t[i] = sp->t[--sp->n];
			sp->win_churn = 1;
		} else {
			i++;
		}
	/* The time once every thread is read: what they gained belongs
	 * before it. */
	now = bench_clock_now();
	dt = (double)(now - sp->last);
	sp->last = now;
	sp->samples++;
	sp->run_ns += run;
	sp->norm_ns += norm;
	sp->wait_ns += wait;
	sp->span_ns += dt;
	/* Parallelism is judged over windows of several samples: a sample
	 * the grader takes late moves a little time from one interval to
	 * the next, which over a window hardly shows. */
	sp->win_dt += dt;
	sp->win_run += norm;
	sp->win_wait += (double)wait;
	sp->win_ready += ready;
	sp->ready_sum += ready;
	sp->win_samples++;
	if (sp->win_dt >= SCHEDPROF_WINDOW_NS) {
		account(sp, sp->win_dt, sp->win_run, sp->win_ready,
			sp->win_samples, sp->win_churn);
		sp->win_dt = sp->win_run = sp->win_wait = 0;
		sp->win_ready = sp->win_samples = 0;
		sp->win_churn = 0;
	}
}

bench_ns schedprof_ideal(const struct schedprof *sp, unsigned cpus)
{
	double ideal;

	if (!sp->samples || sp->broken || sp->run_ns == 0)
		return 0;
	cpus = cpus < 1 ? 1 : cpus > SCHEDPROF_CPUS_MAX ? SCHEDPROF_CPUS_MAX : cpus;
	ideal = sp->ideal_ns[cpus];
	/* Work no sample saw: threads that began and ended between two
	 * (a thread per small chunk), the last moments of others. Each
	 * process's CPU time, ended threads included, says how much. It is
	 * added at the run's mean parallelism: never hidden, and never more
	 * parallel than the program was seen to be (a serial program made
	 * of short threads one after another shows about one). */
	{
		double ticks = 0, missing, k = schedprof_parallelism(sp);
		long hz = sysconf(_SC_CLK_TCK);

		for (size_t i = 0; i < sp->nprocs; i++)
			ticks += (double)sp->procs[i].ticks;
		missing = hz > 0 ? ticks * 1e9 / (double)hz - (double)sp->run_ns : 0;
		/* At the speed the seen work ran at, on average. */
		if (sp->run_ns > 0 && sp->norm_ns > 0)
			missing *= sp->norm_ns / (double)sp->run_ns;
		/* Some of it was done while a window that saw threads come
		 * and go looked asleep: that time is counted already. */
		missing -= sp->churn_idle_ns;
		/* Clock ticks are coarse: less than two of them is noise. */
		if (hz > 0 && missing > 2e9 / (double)hz)
			ideal += missing / (k < 1 ? 1 : k < cpus ? k : cpus);
	}
	/* The last window, not yet accounted. */
	if (sp->win_dt > 0) {
		struct schedprof last = *sp;

		memset(last.ideal_ns, 0, sizeof(last.ideal_ns));
		account(&last, sp->win_dt, sp->win_run, sp->win_ready,
			sp->win_samples, sp->win_churn);
		ideal += last.ideal_ns[cpus];
	}
	return (bench_ns)ideal;
}

double schedprof_parallelism(const struct schedprof *sp)
{
	if (!sp->samples || sp->broken)
		return 0;
	return (double)sp->ready_sum / sp->samples;
}
