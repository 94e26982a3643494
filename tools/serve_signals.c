/*
 * serve_signals.c: SIGHUP, SIGINT and SIGTERM of `rtrmod serve` read from
 * a signalfd on the loop (serve_signals.h).  The signals stay blocked for
 * the process once started; every pending one is read and handled in the
 * loop's own turn, in the order the kernel gives them.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "serve_signals.h"

static void
serve_signals_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	struct serve_signals *sig = arg;
	struct signalfd_siginfo si;

	(void)event;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			sig->on_hup(sig->arg);
		} else {
			rtrmod_ctx_log(sig->ctx, RTRMOD_LOG_INFO, "%s: shutting down",
				       si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
			rtrmod_loop_break(sig->loop);
		}
	}
}

int
serve_signals_start(struct serve_signals *sig, struct rtrmod_ctx *ctx, struct rtrmod_loop *loop,
		    void (*on_hup)(void *arg), void *arg)
{
	sigset_t set;
	int rc;

	sig->ctx = ctx;
	sig->loop = loop;
	sig->on_hup = on_hup;
	sig->arg = arg;
	sig->fd = -1;
	sig->watch = NULL;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
	    (sig->fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		rtrmod_ctx_log(ctx, RTRMOD_LOG_ERR, "signalfd: %s", strerror(errno));
		return RTRMOD_EIO;
	}
	rc = rtrmod_loop_watch(loop, sig->fd, RTRMOD_IO_READ, serve_signals_cb, sig, &sig->watch);
	if (rc != 0)
		rtrmod_ctx_log(ctx, RTRMOD_LOG_ERR, "watching signals: %s", rtrmod_strerror(rc));
	return rc;
}

int
serve_signals_run(struct serve_signals *sig)
{
	int rc = rtrmod_loop_run(sig->loop);

	if (rc == 0)
		return EXIT_SUCCESS;
	rtrmod_ctx_log(sig->ctx, RTRMOD_LOG_ERR, "rtrmod serve: the loop failed: %s",
		       rtrmod_strerror(rc));
	return EXIT_FAILURE;
}

void
serve_signals_stop(struct serve_signals *sig)
{
	if (sig->loop == NULL)
		return; /* never started */
	if (sig->watch != NULL)
		rtrmod_loop_unwatch(sig->loop, sig->watch);
	sig->watch = NULL;
	if (sig->fd >= 0)
		close(sig->fd);
	sig->fd = -1;
}
