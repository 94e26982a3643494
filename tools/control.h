/*
 * control.h: the control socket of `rtrmod serve --config`, a unix stream
 * socket served on the program's loop, and the client side that `rtrmod
 * config state|running|reload` uses.  The server never blocks the loop:
 * accepts, reads and writes are non-blocking, each connection has a
 * deadline, and a request line has a bounded size.
 *
 * The protocol, one request per connection:
 *
 *   client: one line, a request word and "\n" (at most CONTROL_REQUEST_MAX
 *           bytes with the newline; a "\r" before it is ignored), then it
 *           may shut down its sending side;
 *   server: a status line, "ok\n" or "error: TEXT\n" (TEXT on one line),
 *           then for "ok" the answer's body, then it closes the connection.
 *
 *   request  body of "ok"
 *   state    the operational state, RFC 7951 JSON of the rtrmod module
 *            (rtrmod_instance_state)
 *   config   the running configuration, RFC 7951 JSON (rtrmod_config_print)
 *   reload   none: the configuration file was read again and is in place
 *            (as SIGHUP); "error: " and the reason (the YANG path of the
 *            fault) when it was refused and the old one kept running;
 *            like SIGHUP it loads the sources on the loop, so RTR sessions
 *            wait while a large source is parsed (~0.13 s for 720k VRPs)
 *
 * An unknown or overlong request gets "error: ..."; a connection that has
 * not sent a whole line, or not taken the whole answer, within
 * CONTROL_TIMEOUT_MS is closed.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include <rtrmod/rtrmod.h>

#define CONTROL_REQUEST_MAX 64          /* bytes of a request line, newline included */
#define CONTROL_DRAIN_MAX   65536       /* unread bytes discarded at close, at most */
#define CONTROL_TIMEOUT_MS  10000       /* a connection's whole life */
#define CONTROL_CONNS_MAX   16          /* at once; more are closed at accept */
#define CONTROL_ANSWER_MAX  (64u << 20) /* the client refuses longer answers */

struct control;
struct control_listener;

/*
 * Answer `request` (the request word, without the newline).  Returns true
 * with the body in *out, or false with the error text (one line) in *out.
 * *out is malloc'd (the control frees it) and may be left NULL for an
 * empty body.  Runs on the loop; it may call control_listen_* of its own
 * control, but not control_free.
 */
typedef bool control_handler(void *arg, const char *request, char **out);

/* A control with no listener yet, answering through `fn`. */
int control_new(struct rtrmod_ctx *ctx, struct rtrmod_loop *loop, control_handler *fn, void *arg,
		struct control **out);
/* Close the listener (removing its socket file) and every connection.
 * NULL is fine.  Not from inside the handler. */
void control_free(struct control *c);

/*
 * Changing the listener in two steps, so that a configuration is put in
 * place whole or not at all: prepare binds the socket file at `path`
 * (mode 0660; a stale socket nothing listens on is removed first, anything
 * else there is refused), without accepting yet.  0, or -1 with the reason
 * in err.  Commit makes it the listener (NULL: none), closing the one
 * before and removing its file; abort undoes a prepare.
 */
int control_listen_prepare(struct control *c, const char *path, struct control_listener **out,
			   char *err, size_t errlen);
int control_listen_commit(struct control *c, struct control_listener *l);
void control_listen_abort(struct control_listener *l);
/* The socket path being served; NULL when none. */
const char *control_path(const struct control *c);

/*
 * The client: connect to `path`, send `request`, and read the answer
 * within `timeout_ms`.  0 with *ok (the status line) and the body or error
 * text in *out (malloc'd, NUL-terminated); -1 with the reason in err when
 * nothing listens there, the connection fails, or the answer is malformed.
 */
int control_request(const char *path, const char *request, unsigned timeout_ms, bool *ok,
		    char **out, char *err, size_t errlen);

#endif
