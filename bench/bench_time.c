/*
** bench_time.c -- `bench_time OUT_FILE CMD [ARG...]`: run one command and
** record its wall time and peak memory.
**
** Runs CMD (PATH search) as a child, waits for it with wait4() and writes
** one line to OUT_FILE: "WALL_SECONDS MAXRSS_KB EXIT_STATUS" -- wall time
** from CLOCK_MONOTONIC around fork/wait, the child's ru_maxrss (peak
** resident set, kB) and its exit status (128 + signal when killed).  The
** child keeps stdin/stdout/stderr.  /usr/bin/time is not needed.
** Exit status: the child's; 2 on a usage error, 127 when CMD cannot run.
*/
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Exit status of a wait4() status word. */
static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double t0, t1;
	int status, code;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_time OUT_FILE CMD [ARG...]\n");
		return 2;
	}
	t0 = now();
	pid = fork();
	if (pid < 0) {
		perror("bench_time: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "bench_time: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("bench_time: wait4");
			return 127;
		}
	t1 = now();
	code = exit_code(status);
	out = fopen(argv[1], "w");
	if (!out || fprintf(out, "%.6f %ld %d\n", t1 - t0, ru.ru_maxrss, code) < 0 ||
	    fclose(out) != 0) {
		fprintf(stderr, "bench_time: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	return code;
}
