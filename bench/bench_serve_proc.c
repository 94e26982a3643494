/*
 * bench_serve_proc.c: the servers under test as child processes, and what
 * /proc says of their CPU time and memory.  Every child is started on
 * 127.0.0.1 on a free port, dies with the bench (PR_SET_PDEATHSIG), and is
 * stopped by its PID only: SIGTERM, then SIGKILL after a bounded wait.  A
 * registry of the running children lets an error path or a signal stop
 * them all.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bench_serve.h"

#define STOP_WAIT_S 5.0 /* after SIGTERM, before SIGKILL */
#define MAX_SERVERS 4
#define MAX_ARGS    24

static struct server *running[MAX_SERVERS];

/* ---- helpers ------------------------------------------------------------ */

double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size > 0 ? size : 1);

	if (p == NULL) {
		fprintf(stderr, "%s: out of memory (%zu bytes)\n", BENCH_NAME, size);
		server_stop_all();
		exit(1);
	}
	return p;
}

/* A port nobody listens on now: bind port 0 and give it back. */
static int
free_port(uint16_t *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0) {
		*port = ntohs(sa.sin_port);
		rc = 0;
	}
	close(fd);
	return rc;
}

/* ---- /proc -------------------------------------------------------------- */

static int
read_proc(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* utime + stime of /proc/PID/stat, in clock ticks (10 ms). */
static double
proc_stat_cpu_s(pid_t pid)
{
	char buf[2048], *p;
	unsigned long long utime, stime;

	if (read_proc(pid, "stat", buf, sizeof(buf)) != 0)
		return -1;
	/* The command name may hold spaces: fields count from its ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				&utime, &stime) != 2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * The run time of every thread of the process, in nanoseconds, from
 * /proc/PID/task/TID/schedstat: the same clock as utime + stime, without
 * their 10 ms ticks.  Threads that ended are missing, so this is for
 * deltas over servers whose threads live on (Go keeps its threads).
 */
double
proc_cpu_s(pid_t pid)
{
	char path[64], what[64], buf[256];
	unsigned long long ns, sum = 0;
	struct dirent *d;
	size_t seen = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	dir = opendir(path);
	if (dir == NULL)
		return proc_stat_cpu_s(pid);
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(what, sizeof(what), "task/%.20s/schedstat", d->d_name);
		/* A thread that just ended is skipped. */
		if (read_proc(pid, what, buf, sizeof(buf)) == 0 && sscanf(buf, "%llu", &ns) == 1) {
			sum += ns;
			seen++;
		}
	}
	closedir(dir);
	return seen > 0 ? (double)sum / 1e9 : proc_stat_cpu_s(pid);
}

long
proc_rss_kib(pid_t pid)
{
	char buf[256];
	unsigned long size, resident;

	if (read_proc(pid, "statm", buf, sizeof(buf)) != 0 ||
	    sscanf(buf, "%lu %lu", &size, &resident) != 2)
		return -1;
	return (long)(resident * (unsigned long)sysconf(_SC_PAGESIZE) / 1024);
}

long
proc_hwm_kib(pid_t pid)
{
	char buf[4096], *p;

	if (read_proc(pid, "status", buf, sizeof(buf)) != 0)
		return -1;
	p = strstr(buf, "VmHWM:");
	return p != NULL ? strtol(p + 6, NULL, 10) : -1;
}

long long
proc_write_calls(pid_t pid)
{
	char buf[1024], *p;

	if (read_proc(pid, "io", buf, sizeof(buf)) != 0)
		return -1;
	p = strstr(buf, "syscw:");
	return p != NULL ? strtoll(p + 6, NULL, 10) : -1;
}

bool
proc_hwm_reset(pid_t pid)
{
	char path[64];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%ld/clear_refs", (long)pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = write(fd, "5", 1) == 1;
	close(fd);
	return ok;
}

/* ---- children ----------------------------------------------------------- */

/* The command line of a server: rtrmod serve or stayrtr with its metrics
 * listener off, on 127.0.0.1:port. */
static void
server_argv(const struct server *s, const char *json, int refresh_s, char *bind, size_t bsize,
	    char *refresh, size_t rsize, const char **argv)
{
	int n = 0;

	snprintf(bind, bsize, "127.0.0.1:%u", (unsigned int)s->port);
	snprintf(refresh, rsize, "%d", refresh_s);
	argv[n++] = s->bin;
	if (s->kind == SERVER_RTRMOD)
		argv[n++] = "serve"; /* takes StayRTR's flags */
	argv[n++] = "-bind";
	argv[n++] = bind;
	argv[n++] = "-cache";
	argv[n++] = json;
	argv[n++] = "-refresh";
	argv[n++] = refresh;
	if (s->kind == SERVER_STAYRTR) {
		argv[n++] = "-metrics.addr";
		argv[n++] = "";
		argv[n++] = "-log.verbose=false";
	}
	argv[n] = NULL;
}

static void
registry_set(struct server *s, bool add)
{
	int i;

	for (i = 0; i < MAX_SERVERS; i++) {
		if (add && running[i] == NULL) {
			running[i] = s;
			return;
		}
		if (!add && running[i] == s)
			running[i] = NULL;
	}
}

/* In the child: die with the bench, output to the log, then exec. */
static void
child_exec(const struct server *s, const char **argv)
{
	int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1 || fd < 0 || null < 0)
		_exit(126);
	dup2(null, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	signal(SIGPIPE, SIG_DFL);
	execv(s->bin, (char *const *)argv);
	fprintf(stderr, "%s: cannot run %s: %s\n", BENCH_NAME, s->bin, strerror(errno));
	_exit(127);
}

int
server_start(struct server *s, const char *json, int refresh_s)
{
	const char *argv[MAX_ARGS];
	char bind[64], refresh[16];
	pid_t pid;

	if (free_port(&s->port) != 0) {
		fprintf(stderr, "%s: no free port on 127.0.0.1: %s\n", BENCH_NAME, strerror(errno));
		return -1;
	}
	snprintf(s->log, sizeof(s->log), "%s/%s-%u.log", s->dir,
		 s->kind == SERVER_RTRMOD ? "rtrmod" : "stayrtr", (unsigned int)s->port);
	server_argv(s, json, refresh_s, bind, sizeof(bind), refresh, sizeof(refresh), argv);
	fflush(NULL);
	s->t_start = now_s();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", BENCH_NAME, strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(s, argv);
	s->pid = pid;
	registry_set(s, true);
	return 0;
}

bool
server_alive(struct server *s)
{
	int st;
	pid_t r;

	if (s->pid <= 0)
		return false;
	r = waitpid(s->pid, &st, WNOHANG);
	if (r == 0)
		return true;
	if (r == s->pid) {
		if (WIFEXITED(st))
			fprintf(stderr, "%s: %s (pid %ld) exited with status %d\n", BENCH_NAME,
				s->name, (long)s->pid, WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			fprintf(stderr, "%s: %s (pid %ld) killed by signal %d\n", BENCH_NAME,
				s->name, (long)s->pid, WTERMSIG(st));
		registry_set(s, false);
		s->pid = 0;
	}
	return false;
}

void
server_stop(struct server *s)
{
	double deadline;
	int st;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	deadline = now_s() + STOP_WAIT_S;
	while (waitpid(s->pid, &st, WNOHANG) == 0) {
		if (now_s() > deadline) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &st, 0);
			break;
		}
		sleep_s(0.01);
	}
	registry_set(s, false);
	s->pid = 0;
}

void
server_stop_all(void)
{
	int i;

	for (i = 0; i < MAX_SERVERS; i++) {
		if (running[i] != NULL)
			server_stop(running[i]);
	}
}

void
server_kill_all(void)
{
	int i;

	for (i = 0; i < MAX_SERVERS; i++) {
		if (running[i] != NULL && running[i]->pid > 0)
			kill(running[i]->pid, SIGKILL);
	}
}

void
server_log_tail(const struct server *s)
{
	char line[512], *lines[8] = {0};
	unsigned int n = 0, i;
	FILE *f = fopen(s->log, "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		free(lines[n % 8]);
		lines[n++ % 8] = strdup(line);
	}
	fclose(f);
	fprintf(stderr, "%s: last lines of %s:\n", BENCH_NAME, s->log);
	for (i = n > 8 ? n - 8 : 0; i < n; i++) {
		fprintf(stderr, "  %s", lines[i % 8] != NULL ? lines[i % 8] : "\n");
		free(lines[i % 8]);
	}
}
