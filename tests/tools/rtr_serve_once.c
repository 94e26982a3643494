/*
 * rtr_serve_once.c: a tiny RTR cache for the shell tests (tests/dump.sh),
 * built on the public API only: serve a JSON file with rtrmod_cache on
 * 127.0.0.1 for a bounded time, listen without ever answering (to test
 * timeouts), or compare two JSON files as the records a protocol version
 * carries (the round trip check of `rtrmod dump`).
 *
 *   rtr_serve_once serve FILE PORTFILE [SECONDS [VERSION_MAX]]
 *   rtr_serve_once mute PORTFILE [SECONDS]
 *   rtr_serve_once compare A.json B.json [VERSION]
 *
 * The port chosen is written to PORTFILE once the socket listens.  Every
 * mode ends by itself (SECONDS, default 30).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rtrmod/rtrmod.h>

static struct rtrmod_ctx *ctx;
static struct rtrmod_loop *loop;

static void
fail(const char *what, int rc)
{
	fprintf(stderr, "rtr_serve_once: %s: %s\n", what, rtrmod_strerror(rc));
	exit(2);
}

static struct rtrmod_set *
load(const char *path)
{
	struct rtrmod_source *src;
	struct rtrmod_set *set;
	int rc;

	if ((rc = rtrmod_source_new(ctx, &src)) != 0)
		fail("source", rc);
	rtrmod_source_set_ignore_expiry(src, true);
	if ((rc = rtrmod_source_load_json_file(src, path, 0, &set)) != 0) {
		fprintf(stderr, "rtr_serve_once: %s\n", rtrmod_source_error(src));
		exit(2);
	}
	rtrmod_source_free(src);
	return set;
}

static void
write_port(const char *path, uint16_t port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%u\n", (unsigned)port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		perror(path);
		exit(2);
	}
}

static void
on_deadline(void *arg)
{
	rtrmod_loop_break(loop);
}

static void
run_for(const char *seconds)
{
	void *t;
	int rc;

	rc = rtrmod_loop_timer_arm(loop, (seconds ? strtoull(seconds, NULL, 10) : 30) * 1000,
				   on_deadline, NULL, &t);
	if (rc == 0)
		rc = rtrmod_loop_run(loop);
	if (rc != 0)
		fail("loop", rc);
}

static int
serve(int argc, char **argv)
{
	struct rtrmod_cache *cache;
	struct rtrmod_set *set = load(argv[2]);
	uint16_t port;
	int rc;

	if ((rc = rtrmod_cache_new(ctx, &cache)) != 0)
		fail("cache", rc);
	if (argc > 5 && (rc = rtrmod_cache_set_versions(cache, 0, (uint8_t)atoi(argv[5]))) != 0)
		fail("versions", rc);
	if ((rc = rtrmod_cache_update(cache, set)) != 0 ||
	    (rc = rtrmod_cache_listen(cache, "127.0.0.1", 0, &port)) != 0)
		fail("serve", rc);
	write_port(argv[3], port);
	run_for(argc > 4 ? argv[4] : NULL);
	rtrmod_cache_free(cache);
	rtrmod_set_unref(set);
	return 0;
}

static int
mute(int argc, char **argv)
{
	uint16_t port;
	int fd, rc;

	if ((rc = rtrmod_tcp_listen(ctx, "127.0.0.1", 0, 8, &fd)) != 0 ||
	    (rc = rtrmod_tcp_local_port(fd, &port)) != 0)
		fail("listen", rc);
	write_port(argv[2], port);
	run_for(argc > 3 ? argv[3] : NULL);
	close(fd);
	return 0;
}

/* Whether a and b hold the same records of the kinds `version` carries. */
static bool
same(const struct rtrmod_set *a, const struct rtrmod_set *b, int version)
{
	const struct rtrmod_vrp *va, *vb;
	const struct rtrmod_router_key *ka, *kb;
	const struct rtrmod_aspa *aa, *ab;
	size_t na, nb;

	va = rtrmod_set_vrps(a, &na);
	vb = rtrmod_set_vrps(b, &nb);
	fprintf(stderr, "vrps %zu %zu\n", na, nb);
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (rtrmod_vrp_cmp(&va[i], &vb[i]) != 0)
			return false;
	ka = rtrmod_set_router_keys(a, &na);
	kb = rtrmod_set_router_keys(b, &nb);
	fprintf(stderr, "router keys %zu %zu\n", na, nb);
	if (version >= 1 && na != nb)
		return false;
	for (size_t i = 0; version >= 1 && i < na; i++)
		if (rtrmod_router_key_cmp(&ka[i], &kb[i]) != 0)
			return false;
	aa = rtrmod_set_aspas(a, &na);
	ab = rtrmod_set_aspas(b, &nb);
	fprintf(stderr, "aspas %zu %zu\n", na, nb);
	if (version >= 2 && na != nb)
		return false;
	for (size_t i = 0; version >= 2 && i < na; i++)
		if (aa[i].customer_asn != ab[i].customer_asn ||
		    aa[i].provider_count != ab[i].provider_count ||
		    memcmp(aa[i].providers, ab[i].providers,
			   aa[i].provider_count * sizeof(uint32_t)) != 0)
			return false;
	return true;
}

int
main(int argc, char **argv)
{
	int rc, status = 2;

	if ((rc = rtrmod_ctx_new(NULL, &ctx)) != 0 || (rc = rtrmod_loop_new(ctx, &loop)) != 0)
		fail("setup", rc);
	rtrmod_ctx_set_log(ctx, NULL, NULL, RTRMOD_LOG_WARN);
	if (argc >= 4 && strcmp(argv[1], "serve") == 0) {
		status = serve(argc, argv);
	} else if (argc >= 3 && strcmp(argv[1], "mute") == 0) {
		status = mute(argc, argv);
	} else if (argc >= 4 && strcmp(argv[1], "compare") == 0) {
		struct rtrmod_set *a = load(argv[2]), *b = load(argv[3]);

		status = same(a, b, argc > 4 ? atoi(argv[4]) : 2) ? 0 : 1;
		rtrmod_set_unref(a);
		rtrmod_set_unref(b);
	} else {
		fprintf(stderr, "usage: rtr_serve_once serve FILE PORTFILE [SECONDS [VMAX]]\n"
				"       rtr_serve_once mute PORTFILE [SECONDS]\n"
				"       rtr_serve_once compare A.json B.json [VERSION]\n");
	}
	rtrmod_loop_free(loop);
	rtrmod_ctx_free(ctx);
	return status;
}
