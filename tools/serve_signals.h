/*
 * serve_signals.h: the signals of `rtrmod serve`, in both of its modes
 * (flags: cmd_serve.c, --config: serve_config.c), through a signalfd
 * watched on the loop, so no handler runs asynchronously and nothing is
 * global.  SIGINT and SIGTERM end the loop; SIGHUP calls the mode's reload.
 */
#ifndef SERVE_SIGNALS_H
#define SERVE_SIGNALS_H

#include <rtrmod/rtrmod.h>

struct serve_signals {
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	void (*on_hup)(void *arg); /* SIGHUP: reload (logs its own outcome) */
	void *arg;
	int fd;      /* the signalfd, -1 when none */
	void *watch; /* its watch on the loop, NULL when none */
};

/*
 * Block SIGHUP, SIGINT and SIGTERM, read them from a signalfd on `loop`,
 * and ignore SIGPIPE (the transport sends with MSG_NOSIGNAL too).  `sig`
 * may be zeroed before; 0, or RTRMOD_EIO / the loop's error, logged
 * through ctx.  serve_signals_stop() undoes it either way.
 */
int serve_signals_start(struct serve_signals *sig, struct rtrmod_ctx *ctx, struct rtrmod_loop *loop,
			void (*on_hup)(void *arg), void *arg);

/* Run the loop until SIGINT or SIGTERM ends it: the exit status,
 * EXIT_SUCCESS, or EXIT_FAILURE when the loop fails (logged). */
int serve_signals_run(struct serve_signals *sig);

/* Stop watching and close the signalfd; nothing when never started. */
void serve_signals_stop(struct serve_signals *sig);

#endif
