/*
 * bench_serve.h: the parts of the cache server benchmark (bench_serve.c)
 * shared between its files: server child processes and what /proc says of
 * them (bench_serve_proc.c), the RTR clients that load them, many at once
 * on one epoll set (bench_serve_client.c), and the measurement steps with
 * the figures they fill (bench_serve_measure.c).  Clients speak RTR
 * version 1 (RFC 8210) on 127.0.0.1 only and keep no records: they count
 * PDUs and bytes and note how the response ended.
 */
#ifndef BENCH_SERVE_H
#define BENCH_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_NAME "bench_serve"

#define DEFAULT_CLIENTS 100 /* concurrent full resyncs */
#define MAX_CLIENTS     1000
#define CPU_RUNS        5 /* single full responses whose CPU is averaged */
#define CHANGE_RUNS     3 /* 1% changes with SIGHUP, every other one back */

struct rtrmod_ctx;

/* ---- server processes --------------------------------------------------- */

enum server_kind {
	SERVER_RTRMOD,
	SERVER_STAYRTR,
};

/* A server under test, run as a child process on a free loopback port. */
struct server {
	enum server_kind kind;
	const char *name; /* "rtrmod", "StayRTR" */
	const char *bin;  /* the program */
	const char *dir;  /* the bench's temporary folder: logs go there */
	pid_t pid;        /* 0 when not running */
	uint16_t port;
	double t_start; /* monotonic, just before fork */
	char log[4096]; /* its standard output and error */
};

/* Start `s` serving the JSON file `json`; `refresh_s` is StayRTR's reload
 * timer.  0, or -1 (reported). */
int server_start(struct server *s, const char *json, int refresh_s);
/* SIGTERM, then SIGKILL after a bounded wait; reaps the child.  Safe when
 * not running. */
void server_stop(struct server *s);
/* Whether the child is still running; reports an exit it finds. */
bool server_alive(struct server *s);
/* Stop every server still running (atexit). */
void server_stop_all(void);
/* SIGKILL every server still running, from a signal handler. */
void server_kill_all(void);
/* Print the last lines of the server's log to standard error. */
void server_log_tail(const struct server *s);

/* CPU time (user + system) the process has used, in seconds; -1 on error. */
double proc_cpu_s(pid_t pid);
/* Resident set size in KiB, from /proc/PID/statm; -1 on error. */
long proc_rss_kib(pid_t pid);
/* VmHWM (peak RSS) in KiB; -1 on error. */
long proc_hwm_kib(pid_t pid);
/* Write system calls made so far (syscw of /proc/PID/io); -1 on error. */
long long proc_write_calls(pid_t pid);
/* Reset the peak RSS to the current RSS (/proc/PID/clear_refs "5"). */
bool proc_hwm_reset(pid_t pid);

double now_s(void);
void sleep_s(double s);
void *xmalloc(size_t size);

/* ---- RTR clients -------------------------------------------------------- */

enum client_job {
	JOB_RESET,  /* Reset Query, read to End of Data */
	JOB_SERIAL, /* Serial Query, read to End of Data */
	JOB_NOTIFY, /* send nothing, wait for a Serial Notify */
};

/* How a job ended. */
enum client_end {
	END_NONE,        /* still running (timed out if the run is over) */
	END_EOD,         /* End of Data */
	END_ERROR,       /* Error Report received (code in error_code) */
	END_CACHE_RESET, /* Cache Reset */
	END_NOTIFY,      /* Serial Notify (JOB_NOTIFY) */
	END_REFUSED,     /* connect failed */
	END_CLOSED,      /* the server closed the connection */
	END_PROTOCOL,    /* a PDU we cannot frame */
	END_IO,          /* another socket error */
};

struct client {
	int fd;
	bool connected;
	enum client_job job;
	enum client_end end;
	uint8_t out[12];
	size_t out_len, out_off;
	uint8_t *buf; /* CLIENT_BUF bytes: a partial PDU carried over */
	size_t have;
	/* what came back for the current job */
	uint64_t bytes, pdus;
	size_t ann, wd; /* prefix PDUs announcing and withdrawing */
	size_t keys, aspas, other;
	bool cache_response;
	uint16_t session, error_code;
	uint32_t serial; /* of End of Data or Serial Notify */
	double t_query, t_first, t_end;
};

/* Most of a PDU a client frames (Error Reports may carry text). */
#define CLIENT_BUF (256u * 1024u)

/* Open a non-blocking connection to 127.0.0.1:port (fd -1 before). */
int client_open(struct client *c, uint16_t port);
/* Close the connection; client_free() also frees the buffer. */
void client_close(struct client *c);
void client_free(struct client *c);
/* Set the next job; for JOB_SERIAL, `session` and `serial` go in the query. */
void client_job(struct client *c, enum client_job job, uint16_t session, uint32_t serial);

/* Peak RSS of a process seen while clients run: sampled every few ms. */
struct rss_watch {
	pid_t pid;
	long peak_kib;
};

/* Run every client's job together until each has ended or `timeout_s` has
 * passed.  Returns how many ended (any way); -1 if epoll failed. */
int clients_run(struct client **cs, size_t n, double timeout_s, struct rss_watch *w);
const char *client_end_name(enum client_end end);

/* ---- the benchmark ------------------------------------------------------ */

/* What a full response and the 1% change's delta must hold (RTR v1: VRPs
 * and router keys), from rtrmod's own load of the same files. */
struct expect {
	size_t vrps, keys;
	size_t delta_ann, delta_wd;
};

/* A batch of concurrent full resyncs; a batch cut at its time bound keeps
 * what had arrived. */
struct batch {
	size_t n;
	double wall_s; /* until the last End of Data, or the bound */
	long peak_kib; /* the server's RSS peak meanwhile */
	size_t done;   /* responses that ended in time */
	double got;    /* the part of all the expected PDUs that arrived */
};

/* One server's figures; times in seconds, memory in KiB. */
struct figures {
	const char *skip;   /* why it was not measured, or NULL */
	const char *failed; /* the step that failed, or NULL */
	double start_s;     /* start to the Cache Response of its first full answer */
	double start_eod_s; /* ... to that answer's End of Data (best start of 2) */
	long rss_empty, rss_loaded;
	double cpu_s[CPU_RUNS], cpu_mean_s, cpu_min_s, cpu_max_s;
	double writes;          /* write system calls per full response */
	struct batch one, many; /* 1 and N full resyncs at once */
	bool hwm;               /* peaks from VmHWM reset by clear_refs, else sampled */
	double change_s, change_max_s, delta_s, timer_s;
	size_t empty_notifies, timer_empty; /* notified serials with nothing new */
	size_t resyncs, bad;                /* full responses checked, and wrong */
	char bad_what[200];
};

struct bench {
	const char *data;
	char vrp_path[4096], dir[4096];
	char base[4200], change[4200], empty[4200], served[4200];
	char stayrtr_path[4096], stayrtr_version[64];
	size_t clients, roas, changed, dropped;
	double load_s, load_cpu_s; /* rtrmod's library load: best wall and CPU time */
	struct rtrmod_ctx *ctx;
	struct expect want;
	struct server srv[2]; /* rtrmod, StayRTR */
	struct server timer;  /* StayRTR again, reloading on a 1 s timer */
	struct figures fig[2];
};

/* bench_serve_measure.c */
void find_servers(struct bench *b);
/* Every measurement of one server; failures are kept in f->failed. */
void measure_server(struct bench *b, struct server *s, struct figures *f);
/* StayRTR reloading on its 1 s refresh timer: the 1% change again. */
void measure_timer(struct bench *b, struct server *s, struct figures *f);

#endif
