/*
 * check_client_conn.c: a client cache's connection layer with a fake
 * transport (an in-memory stream the test feeds and reads) and a fake loop
 * whose clock the test moves: the query goes out on connect, a response
 * read from the stream is committed, a closed stream is dropped and the
 * retry timer opens a new one, and blocked writes wait for writability.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache_fixture.h"
#include "check_main.h"
#include "client_internal.h"

static struct {
	struct rtrmod_ctx *ctx;
	struct fx_loop loop;
	struct fx_stream fs;
	struct rtrmod_client *client;
	struct client_cache *cc;
	unsigned connects;
} T;

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static int
fake_connect(struct client_cache *cc, struct rtrmod_stream **out)
{
	T.connects++;
	fx_stream_fini(&T.fs);
	fx_stream_init(&T.fs, 40 + (int)T.connects, "127.0.0.1");
	return rtrmod_stream_new(T.ctx, &fx_stream_ops, &T.fs, out);
}

static void
setup(void)
{
	struct rtrmod_client_cache *h;

	memset(&T, 0, sizeof(T));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &T.ctx), 0);
	rtrmod_ctx_set_log(T.ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	fx_loop_init(&T.loop);
	ck_assert_int_eq(rtrmod_ctx_set_loop(T.ctx, &fx_loop_ops, &T.loop), 0);
	ck_assert_int_eq(rtrmod_client_new(T.ctx, &T.client), 0);
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "192.0.2.1", 323, 1, NULL, &h), 0);
	T.cc = (struct client_cache *)(void *)h;
	T.cc->connect = fake_connect;
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	fx_loop_advance(&T.loop, 0);
}

static void
teardown(void)
{
	rtrmod_client_free(T.client);
	fx_stream_fini(&T.fs);
	ck_assert_int_eq(rtrmod_ctx_set_loop(T.ctx, NULL, NULL), 0);
	rtrmod_ctx_free(T.ctx);
}

static void
input(const struct rtrmod_pdu *p)
{
	uint8_t b[64];
	size_t w;

	ck_assert_int_eq(rtrmod_pdu_encode(p, b, sizeof(b), &w), 0);
	fx_stream_input(&T.fs, b, w);
}

/* Cache Response, one VRP, End of Data with retry `retry`. */
static void
respond(uint16_t sid, uint32_t serial, uint8_t a, uint32_t retry)
{
	struct rtrmod_pdu p = {.version = 2, .type = RTRMOD_PDU_CACHE_RESPONSE};

	p.u.cache_response.session_id = sid;
	input(&p);
	memset(&p, 0, sizeof(p));
	p.version = 2;
	p.type = RTRMOD_PDU_IPV4_PREFIX;
	p.u.prefix.flags = RTRMOD_PDU_FLAG_ANNOUNCE;
	p.u.prefix.prefix_len = p.u.prefix.max_len = 8;
	p.u.prefix.asn = 65001;
	p.u.prefix.addr[0] = a;
	input(&p);
	memset(&p, 0, sizeof(p));
	p.version = 2;
	p.type = RTRMOD_PDU_END_OF_DATA;
	p.u.eod.session_id = sid;
	p.u.eod.serial = serial;
	p.u.eod.refresh = 60;
	p.u.eod.retry = retry;
	p.u.eod.expire = 600;
	input(&p);
	ck_assert(fx_loop_fire(&T.loop, T.fs.fd, RTRMOD_IO_READ));
}

START_TEST(test_query_response_commit)
{
	size_t n;

	ck_assert_uint_eq(T.connects, 1);
	ck_assert_uint_eq(T.fs.out_len, 8); /* v2 Reset Query */
	ck_assert_uint_eq(T.fs.out[0], 2);
	ck_assert_uint_eq(T.fs.out[1], RTRMOD_PDU_RESET_QUERY);
	ck_assert(fx_loop_watching(&T.loop, T.fs.fd, RTRMOD_IO_READ));
	ck_assert(!fx_loop_watching(&T.loop, T.fs.fd, RTRMOD_IO_WRITE));
	respond(7, 1, 10, 5);
	ck_assert_int_eq(T.cc->sess.state, RTRMOD_CLIENT_ESTABLISHED);
	fx_loop_advance(&T.loop, 0); /* group evaluation */
	(void)rtrmod_set_vrps(rtrmod_client_set(T.client), &n);
	ck_assert_uint_eq(n, 1);
	ck_assert(rtrmod_client_cache_serving((struct rtrmod_client_cache *)(void *)T.cc));
}
END_TEST

START_TEST(test_closed_stream_retry_reconnects)
{
	respond(7, 1, 5, 5);
	T.fs.in_eof = true;
	ck_assert(fx_loop_fire(&T.loop, T.fs.fd, RTRMOD_IO_READ));
	ck_assert_int_eq(T.cc->sess.state, RTRMOD_CLIENT_IDLE);
	ck_assert(T.fs.closed);
	ck_assert_ptr_null(T.cc->stream);
	ck_assert(!fx_loop_watching(&T.loop, T.fs.fd, RTRMOD_IO_READ));
	fx_loop_advance(&T.loop, 4999);
	ck_assert_uint_eq(T.connects, 1);
	fx_loop_advance(&T.loop, 1);
	ck_assert_uint_eq(T.connects, 2);
	/* The committed data survives and the new connection asks for more. */
	ck_assert_uint_eq(T.fs.out_len, 12);
	ck_assert_uint_eq(T.fs.out[1], RTRMOD_PDU_SERIAL_QUERY);
	ck_assert_ptr_nonnull(T.cc->sess.set);
}
END_TEST

START_TEST(test_blocked_write_waits)
{
	struct rtrmod_pdu n = {.version = 2, .type = RTRMOD_PDU_SERIAL_NOTIFY};

	respond(7, 1, 10, 5);
	T.fs.budget = 0;
	n.u.serial.session_id = 7;
	n.u.serial.serial = 2;
	input(&n);
	ck_assert(fx_loop_fire(&T.loop, T.fs.fd, RTRMOD_IO_READ));
	ck_assert_int_eq(T.cc->sess.state, RTRMOD_CLIENT_QUERYING);
	ck_assert(fx_loop_watching(&T.loop, T.fs.fd, RTRMOD_IO_WRITE));
	ck_assert_uint_eq(T.fs.out_len, 8);
	T.fs.budget = SIZE_MAX;
	ck_assert(fx_loop_fire(&T.loop, T.fs.fd, RTRMOD_IO_WRITE));
	ck_assert_uint_eq(T.fs.out_len, 20);
	ck_assert_uint_eq(T.fs.out[9], RTRMOD_PDU_SERIAL_QUERY);
	ck_assert(!fx_loop_watching(&T.loop, T.fs.fd, RTRMOD_IO_WRITE));
}
END_TEST

START_TEST(test_write_error_drops_connection)
{
	struct rtrmod_pdu n = {.version = 2, .type = RTRMOD_PDU_SERIAL_NOTIFY};

	respond(7, 1, 10, 5);
	T.fs.write_error = true;
	n.u.serial.session_id = 7;
	n.u.serial.serial = 2;
	input(&n);
	ck_assert(fx_loop_fire(&T.loop, T.fs.fd, RTRMOD_IO_READ));
	ck_assert_int_eq(T.cc->sess.state, RTRMOD_CLIENT_IDLE);
	ck_assert_int_eq(T.cc->sess.last.origin, RTRMOD_CLIENT_ERR_TRANSPORT);
	ck_assert(T.fs.closed);
}
END_TEST

START_TEST(test_timeout_while_querying)
{
	fx_loop_advance(&T.loop, CSESS_TIMEOUT_DEFAULT);
	ck_assert_int_eq(T.cc->sess.state, RTRMOD_CLIENT_IDLE);
	ck_assert(T.fs.closed);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("client_conn");
	TCase *tc = tcase_create("conn");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_query_response_commit);
	tcase_add_test(tc, test_closed_stream_retry_reconnects);
	tcase_add_test(tc, test_blocked_write_waits);
	tcase_add_test(tc, test_write_error_drops_connection);
	tcase_add_test(tc, test_timeout_while_querying);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
