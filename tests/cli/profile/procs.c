/*
 * procs.c - the ways a profiled process ends, for `bench profile --cpu`
 * (test_profile.sh):
 *
 *   procs fork-exit N   forks a child that computes, then calls exit(N);
 *                       the parent computes too, waits and returns 0
 *   procs exec HOW      forks a child that computes, then becomes /bin/true
 *                       through HOW: execv, execve, execvp, execl, execlp
 *                       or execle; the parent waits and returns 0
 *   procs segv          computes, then writes through a null pointer
 *   procs loop          computes until a signal ends it
 *
 * Each process writes its pid to parent.pid or child.pid in the current
 * folder before it computes, so the test knows which report line is whose.
 * "Computes" is work() for about 0.1 s of CPU: some 25 samples at 250 Hz.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
volatile unsigned long sink;

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Spins for s seconds of this process's CPU time. */
void work(double s)
{
	double until = cpu_seconds() + s;

	do {
		for (unsigned i = 0; i < 200000; i++)
			sink += i;
	} while (cpu_seconds() < until);
}

static void write_pid(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

void crash(void)
{
	work(0.1);
	*(volatile int *)0 = 1;
}

/* The child of `exec HOW`: computes, then becomes /bin/true. */
void become_true(const char *how)
{
	char *argv[] = { "true", NULL };

	work(0.1);
	if (strcmp(how, "execv") == 0)
		execv("/bin/true", argv);
	else if (strcmp(how, "execve") == 0)
		execve("/bin/true", argv, environ);
	else if (strcmp(how, "execvp") == 0)
		execvp("true", argv);
	else if (strcmp(how, "execl") == 0)
		execl("/bin/true", "true", (char *)NULL);
	else if (strcmp(how, "execlp") == 0)
		execlp("true", "true", (char *)NULL);
	else if (strcmp(how, "execle") == 0)
		execle("/bin/true", "true", (char *)NULL, environ);
	else
		fprintf(stderr, "procs: unknown exec '%s'\n", how);
	_exit(127);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	int status = 0;
	pid_t pid;

	write_pid("parent.pid");
	if (strcmp(what, "segv") == 0) {
		crash();
		return 1;
	}
	if (strcmp(what, "loop") == 0) {
		for (;;)
			work(0.1);
	}
	if ((strcmp(what, "fork-exit") == 0 || strcmp(what, "exec") == 0) && argc == 3) {
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			write_pid("child.pid");
			if (strcmp(what, "exec") == 0)
				become_true(argv[2]);
			work(0.1);
			exit(atoi(argv[2]));
		}
		work(0.1);
		if (waitpid(pid, &status, 0) != pid) {
			perror("waitpid");
			return 1;
		}
		printf("child: %s %d\n", WIFEXITED(status) ? "exit" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return 0;
	}
	fprintf(stderr, "usage: procs fork-exit N | exec HOW | segv | loop\n");
	return 2;
}
