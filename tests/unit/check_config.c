/*
 * check_config.c: loading configurations (module/config*.c): every example
 * of yang/examples and tests/data/config/valid loads and round-trips
 * through rtrmod_config_print in JSON and XML; every instance of
 * tests/data/config/invalid is refused with the return code, data path and
 * line its EXPECTED manifest names; the values read, the line locator, the
 * compiled-in modules, and allocation failure at every step of a load.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rtrmod/config.h>

#include "check_main.h"
#include "config_internal.h"
#include "test_alloc.h"

#define CFG_DIR  TEST_DATA_DIR "/config/"
#define EXAMPLES TEST_TOP_DIR "/yang/examples/"

/* Every test's context (the allocation failure test makes its own). */
static struct {
	struct rtrmod_ctx *ctx;
} T;

static void
setup(void)
{
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &T.ctx), 0);
}

static void
teardown(void)
{
	rtrmod_ctx_free(T.ctx);
	T.ctx = NULL;
}

static struct rtrmod_config *
load_ok(struct rtrmod_ctx *ctx, const char *path)
{
	struct rtrmod_config *c = NULL;
	struct rtrmod_config_diag d;
	int rc = rtrmod_config_load_file(ctx, path, RTRMOD_CONFIG_AUTO, &c, &d);

	ck_assert_msg(rc == 0, "%s: %d %s", path, rc, d.text);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* load(print(c)) == c in `format`, and printing that again gives the same text. */
static void
check_roundtrip(struct rtrmod_ctx *ctx, const struct rtrmod_config *c, const char *name,
		enum rtrmod_config_format format)
{
	struct rtrmod_config *back = NULL;
	struct rtrmod_config_diag d;
	char *text = NULL, *again = NULL;
	int rc;

	ck_assert_int_eq(rtrmod_config_print(c, format, &text), 0);
	rc = rtrmod_config_load_mem(ctx, text, strlen(text), format, name, &back, &d);
	ck_assert_msg(rc == 0, "%s: reloading the printed text: %s\n%s", name, d.text, text);
	ck_assert_msg(rtrmod_config_equal(c, back), "%s: not equal after printing:\n%s", name,
		      text);
	ck_assert_msg(rtrmod_config_equal(back, c), "%s: equality not symmetric", name);
	ck_assert_int_eq(rtrmod_config_print(back, format, &again), 0);
	ck_assert_str_eq(text, again);
	rtrmod_ctx_mfree(ctx, text);
	rtrmod_ctx_mfree(ctx, again);
	rtrmod_config_free(back);
}

static unsigned
roundtrip_dir(const char *dir)
{
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(dir);
	char path[1024];

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		struct rtrmod_config *c;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s%s", dir, de->d_name);
		c = load_ok(T.ctx, path);
		check_roundtrip(T.ctx, c, path, RTRMOD_CONFIG_JSON);
		check_roundtrip(T.ctx, c, path, RTRMOD_CONFIG_XML);
		rtrmod_config_free(c);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_examples_roundtrip)
{
	/* a standalone cache, a router client, an FRR relay, one in XML */
	ck_assert_uint_ge(roundtrip_dir(EXAMPLES), 4);
}
END_TEST

START_TEST(test_valid_roundtrip)
{
	ck_assert_uint_ge(roundtrip_dir(CFG_DIR "valid/"), 4);
}
END_TEST

/* ---- the invalid instances ------------------------------------------------ */

static int
rc_named(const char *name)
{
	if (strcmp(name, "RTRMOD_EPARSE") == 0)
		return RTRMOD_EPARSE;
	if (strcmp(name, "RTRMOD_ENOTSUP") == 0)
		return RTRMOD_ENOTSUP;
	if (strcmp(name, "RTRMOD_EIO") == 0)
		return RTRMOD_EIO;
	ck_abort_msg("unknown return code %s in EXPECTED", name);
	return 0;
}

START_TEST(test_invalid_manifest)
{
	FILE *f = fopen(CFG_DIR "invalid/EXPECTED", "r");
	char line[2048], path[1024];
	unsigned n = 0, files = 0;
	struct dirent *de;
	DIR *dir;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *file, *lineno, *rcname, *save;
		const char *xpath;
		struct rtrmod_config *c = (struct rtrmod_config *)1;
		struct rtrmod_config_diag d;
		unsigned want_line;
		int rc;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		file = strtok_r(line, "\t", &save);
		xpath = strtok_r(NULL, "\t", &save);
		lineno = strtok_r(NULL, "\t", &save);
		rcname = strtok_r(NULL, "\t", &save);
		ck_assert_msg(rcname != NULL, "EXPECTED: malformed line for %s", file);
		if (strcmp(xpath, "-") == 0)
			xpath = "";
		want_line = (unsigned)strtoul(lineno, NULL, 10);
		snprintf(path, sizeof(path), CFG_DIR "invalid/%s", file);
		rc = rtrmod_config_load_file(T.ctx, path, RTRMOD_CONFIG_AUTO, &c, &d);
		ck_assert_msg(rc == rc_named(rcname), "%s: rc %d, want %s (%s)", file, rc, rcname,
			      d.text);
		ck_assert_ptr_null(c);
		ck_assert_msg(strcmp(d.path, xpath) == 0, "%s: path\n  %s\nwant\n  %s", file,
			      d.path, xpath);
		if (want_line != 0)
			ck_assert_msg(d.line == want_line, "%s: line %u, want %u", file, d.line,
				      want_line);
		ck_assert_msg(strstr(d.text, file) != NULL, "%s: text lacks the file: %s", file,
			      d.text);
		ck_assert_msg(strchr(d.text, '\n') == NULL && strlen(d.text) < 600,
			      "%s: not one short line: %s", file, d.text);
		n++;
	}
	fclose(f);
	ck_assert_uint_ge(n, 25);
	/* every file there is in the manifest */
	dir = opendir(CFG_DIR "invalid");
	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.' && strcmp(de->d_name, "EXPECTED") != 0)
			files++;
	closedir(dir);
	ck_assert_uint_eq(files, n);
}
END_TEST

START_TEST(test_message_format)
{
	struct rtrmod_config *c = NULL;
	struct rtrmod_config_diag d;
	const char *text =
	    "{\n \"rtrmod:rtrmod\": {\n  \"sources\": {\n   \"refresh-interval\": -1\n"
	    "  }\n }\n}\n";

	ck_assert_int_eq(rtrmod_config_load_mem(T.ctx, text, strlen(text), RTRMOD_CONFIG_AUTO,
						"my.conf", &c, &d),
			 RTRMOD_EPARSE);
	ck_assert_uint_eq(d.line, 4);
	ck_assert_str_eq(d.path, "/rtrmod:rtrmod/sources/refresh-interval");
	ck_assert_msg(strncmp(d.text, "my.conf:4: /rtrmod:rtrmod/sources/refresh-interval: ",
			      strlen("my.conf:4: /rtrmod:rtrmod/sources/refresh-interval: ")) == 0,
		      "%s", d.text);
	/* without a name */
	ck_assert_int_eq(rtrmod_config_load_mem(T.ctx, "{", 1, RTRMOD_CONFIG_JSON, NULL, &c, NULL),
			 RTRMOD_EPARSE);
}
END_TEST

START_TEST(test_load_errors)
{
	struct rtrmod_config *c = NULL;
	struct rtrmod_config_diag d;

	ck_assert_int_eq(
	    rtrmod_config_load_file(T.ctx, CFG_DIR "no-such-file.json", RTRMOD_CONFIG_AUTO, &c, &d),
	    RTRMOD_EIO);
	ck_assert_ptr_nonnull(strstr(d.text, "no-such-file.json"));
	ck_assert_int_eq(
	    rtrmod_config_load_mem(T.ctx, "{}\0{}", 5, RTRMOD_CONFIG_JSON, "nul", &c, &d),
	    RTRMOD_EPARSE);
	ck_assert_ptr_nonnull(strstr(d.text, "NUL"));
	ck_assert_int_eq(rtrmod_config_load_mem(NULL, "{}", 2, RTRMOD_CONFIG_JSON, "x", &c, &d),
			 RTRMOD_EINVAL);
	ck_assert_int_eq(
	    rtrmod_config_load_mem(T.ctx, "{}", 2, (enum rtrmod_config_format)7, "x", &c, &d),
	    RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_config_load_file(T.ctx, NULL, RTRMOD_CONFIG_AUTO, &c, &d),
			 RTRMOD_EINVAL);
	/* JSON given as XML and the other way round */
	ck_assert_int_eq(rtrmod_config_load_mem(T.ctx, "{}", 2, RTRMOD_CONFIG_XML, "x", &c, &d),
			 RTRMOD_EPARSE);
	ck_assert_int_eq(rtrmod_config_load_mem(T.ctx, "<rtrmod xmlns=\"urn:rtrmod:yang:rtrmod\"/>",
						39, RTRMOD_CONFIG_JSON, "x", &c, &d),
			 RTRMOD_EPARSE);
}
END_TEST

/* AUTO: by name, else by the first non-blank byte. */
START_TEST(test_format_auto)
{
	struct rtrmod_config *c = NULL;
	const char *xml = "\n  <rtrmod xmlns=\"urn:rtrmod:yang:rtrmod\"><control><socket>s</socket>"
			  "</control></rtrmod>";
	const char *json = " {\"rtrmod:rtrmod\": {\"control\": {\"socket\": \"s\"}}}";

	ck_assert_int_eq(
	    rtrmod_config_load_mem(T.ctx, xml, strlen(xml), RTRMOD_CONFIG_AUTO, "conf", &c, NULL),
	    0);
	ck_assert_str_eq(rtrmod_config_control_socket(c), "s");
	rtrmod_config_free(c);
	ck_assert_int_eq(
	    rtrmod_config_load_mem(T.ctx, json, strlen(json), RTRMOD_CONFIG_AUTO, "conf", &c, NULL),
	    0);
	ck_assert_str_eq(rtrmod_config_control_socket(c), "s");
	rtrmod_config_free(c);
	/* a name ending in .xml wins over the content */
	ck_assert_int_eq(rtrmod_config_load_mem(T.ctx, json, strlen(json), RTRMOD_CONFIG_AUTO,
						"a.xml", &c, NULL),
			 RTRMOD_EPARSE);
	ck_assert_ptr_null(rtrmod_config_control_socket(NULL));
}
END_TEST

/* ---- values --------------------------------------------------------------- */

START_TEST(test_values_router_client)
{
	struct rtrmod_config *c = load_ok(T.ctx, EXAMPLES "router-client.json");

	ck_assert_uint_eq(c->ncaches, 4);
	ck_assert_str_eq(c->caches[0].address, "127.0.0.1");
	ck_assert_uint_eq(c->caches[0].port, 3323);
	ck_assert_uint_eq(c->caches[1].port, 3324); /* same host, other port */
	ck_assert_uint_eq(c->caches[0].preference, 1);
	ck_assert_uint_eq(c->caches[0].refresh, 600);
	ck_assert_uint_eq(c->caches[0].retry, 60);
	ck_assert_uint_eq(c->caches[0].expire, 3600);
	ck_assert_uint_eq(c->caches[1].refresh, 3600); /* defaults */
	ck_assert_uint_eq(c->caches[1].retry, 600);
	ck_assert_uint_eq(c->caches[1].expire, 7200);
	ck_assert_uint_eq(c->caches[1].timeout_ms, 10000);
	ck_assert_uint_eq(c->caches[0].timeout_ms, 30000);
	ck_assert_uint_eq(c->caches[1].version_max, 2);
	ck_assert_str_eq(c->caches[2].address, "2001:db8::10");
	ck_assert_str_eq(c->caches[2].local_address, "2001:db8::1");
	ck_assert_uint_eq(c->caches[2].version_max, 1);
	ck_assert_uint_eq(c->caches[2].preference, 2);
	ck_assert_str_eq(c->caches[1].local_address, "");
	ck_assert_int_eq(c->caches[3].transport, CFG_TRANSPORT_TCP);
	ck_assert(!c->server.enabled);
	ck_assert_uint_eq(c->sources.n, 0);
	ck_assert_uint_eq(c->validation.local_as, 0);
	ck_assert(!c->validation.aspa);
	ck_assert(!c->http.enabled);
	ck_assert_ptr_null(c->control_socket);
	ck_assert_str_eq(c->name, EXAMPLES "router-client.json");
	rtrmod_config_free(c);
}
END_TEST

START_TEST(test_values_cache)
{
	struct rtrmod_config *c = load_ok(T.ctx, EXAMPLES "standalone-cache.json");
	char buf[64];

	ck_assert(c->server.enabled);
	ck_assert_uint_eq(c->server.nlisteners, 2);
	ck_assert_str_eq(c->server.listeners[0].address, "::");
	ck_assert_uint_eq(c->server.listeners[0].port, 3323);
	ck_assert_uint_eq(c->server.history, 64);
	ck_assert_uint_eq(c->server.max_sessions, 512);
	ck_assert_uint_eq(c->server.nacl, 4);
	rtrmod_prefix_format(&c->server.acl[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::/32");
	ck_assert_uint_eq(c->server.refresh, 900);
	ck_assert_uint_eq(c->server.retry, 300);
	ck_assert_uint_eq(c->server.expire, 7200);
	ck_assert_uint_eq(c->server.send_timeout_ms, 60000);
	ck_assert_uint_eq(c->server.handshake_timeout_ms, 10000);
	ck_assert_uint_eq(c->server.version_min, 0);
	ck_assert_uint_eq(c->server.version_max, 2);
	ck_assert_uint_eq(c->sources.n, 2);
	ck_assert_str_eq(c->sources.list[1].name, "routinator");
	ck_assert_str_eq(c->sources.list[1].file, "/var/lib/routinator/export.json");
	ck_assert_ptr_null(c->sources.list[1].url);
	ck_assert_uint_eq(c->sources.nslurm, 2);
	ck_assert_str_eq(c->sources.slurm[0], "/etc/rtrmod/slurm-local.json"); /* in order */
	ck_assert_str_eq(c->sources.slurm[1], "/etc/rtrmod/slurm-customers.json");
	ck_assert(c->sources.check_time);
	ck_assert_uint_eq(c->sources.max_age, 7200);
	ck_assert_uint_eq(c->sources.refresh, 300);
	ck_assert_str_eq(rtrmod_config_control_socket(c), "/run/rtrmod/control.sock");
	rtrmod_config_free(c);
}
END_TEST

/* An empty file is the model's defaults: cfg_new_default. */
START_TEST(test_defaults)
{
	struct rtrmod_config *c = load_ok(T.ctx, CFG_DIR "valid/empty.json"),
			     *d = cfg_new_default(T.ctx);
	struct rtrmod_config *e = NULL;

	ck_assert(rtrmod_config_equal(c, d));
	ck_assert_int_eq(
	    rtrmod_config_load_mem(T.ctx, "", 0, RTRMOD_CONFIG_AUTO, "empty", &e, NULL), 0);
	ck_assert(rtrmod_config_equal(e, d));
	/* the relay example without values: the server's defaults */
	rtrmod_config_free(c);
	c = load_ok(T.ctx, CFG_DIR "valid/relay-defaults.json");
	ck_assert(c->server.enabled);
	ck_assert_uint_eq(c->server.history, d->server.history);
	ck_assert_uint_eq(c->server.max_sessions, d->server.max_sessions);
	ck_assert_uint_eq(c->server.expire, d->server.expire);
	ck_assert(cfg_sources_equal(&c->sources, &d->sources));
	rtrmod_config_free(c);
	rtrmod_config_free(d);
	rtrmod_config_free(e);
}
END_TEST

START_TEST(test_equal)
{
	struct rtrmod_config *a = load_ok(T.ctx, EXAMPLES "router-client.json");
	struct rtrmod_config *b = load_ok(T.ctx, EXAMPLES "router-client.json");
	struct cfg_cache tmp;

	ck_assert(rtrmod_config_equal(a, b));
	/* caches are a keyed list: order does not matter */
	tmp = b->caches[0];
	b->caches[0] = b->caches[3];
	b->caches[3] = tmp;
	ck_assert(rtrmod_config_equal(a, b));
	b->caches[3].retry++;
	ck_assert(!rtrmod_config_equal(a, b));
	b->caches[3].retry--;
	b->validation.aspa = true;
	ck_assert(!rtrmod_config_equal(a, b));
	b->validation.aspa = false;
	b->http.enabled = true;
	ck_assert(!rtrmod_config_equal(a, b));
	b->http.enabled = false;
	ck_assert(rtrmod_config_equal(a, b));
	ck_assert(!rtrmod_config_equal(a, NULL));
	ck_assert(rtrmod_config_equal(NULL, NULL));
	rtrmod_config_free(a);
	rtrmod_config_free(b);
}
END_TEST

static char *
dup_path(struct rtrmod_ctx *ctx, const char *s)
{
	char *p = rtrmod_ctx_malloc(ctx, strlen(s) + 1);

	ck_assert_ptr_nonnull(p);
	strcpy(p, s);
	return p;
}

/* TLS and SSH are printed (the model has them) and refused on load. */
START_TEST(test_print_transports)
{
	struct rtrmod_config *c = cfg_new_default(T.ctx), *back = NULL;
	struct rtrmod_config_diag d;
	char *text = NULL;

	ck_assert_ptr_nonnull(c);
	c->caches = rtrmod_ctx_malloc(T.ctx, sizeof(*c->caches));
	memset(c->caches, 0, sizeof(*c->caches));
	c->ncaches = 1;
	strcpy(c->caches[0].address, "192.0.2.9");
	c->caches[0].port = 324;
	c->caches[0].preference = 1;
	c->caches[0].version_max = 2;
	c->caches[0].refresh = 3600;
	c->caches[0].retry = 600;
	c->caches[0].expire = 7200;
	c->caches[0].timeout_ms = 30000;
	c->caches[0].transport = CFG_TRANSPORT_TLS;
	c->caches[0].tls.ca_file = dup_path(T.ctx, "ca.pem");
	c->caches[0].tls.server_name = dup_path(T.ctx, "rpki.example.net");
	c->server.enabled = true;
	c->server.listeners = rtrmod_ctx_malloc(T.ctx, sizeof(*c->server.listeners));
	memset(c->server.listeners, 0, sizeof(*c->server.listeners));
	c->server.nlisteners = 1;
	strcpy(c->server.listeners[0].address, "::1");
	c->server.listeners[0].port = 22;
	c->server.listeners[0].transport = CFG_TRANSPORT_SSH;
	c->server.listeners[0].ssh.host_key_file = dup_path(T.ctx, "host_key");
	c->server.listeners[0].ssh.authorized_keys_file = dup_path(T.ctx, "authorized_keys");

	ck_assert_int_eq(rtrmod_config_print(c, RTRMOD_CONFIG_JSON, &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "\"server-name\": \"rpki.example.net\""));
	ck_assert_ptr_nonnull(strstr(text, "\"authorized-keys-file\": \"authorized_keys\""));
	ck_assert_int_eq(
	    rtrmod_config_load_mem(T.ctx, text, strlen(text), RTRMOD_CONFIG_JSON, "t", &back, &d),
	    RTRMOD_ENOTSUP);
	ck_assert_str_eq(d.path, "/rtrmod:rtrmod/client/cache-servers/"
				 "cache-server[address='192.0.2.9'][server-port='324']/tls");
	ck_assert_ptr_nonnull(strstr(d.text, "modelled but not implemented in this build"));
	rtrmod_ctx_mfree(T.ctx, text);
	rtrmod_config_free(c);
}
END_TEST

START_TEST(test_yang_modules)
{
	const char *text = NULL;
	bool seen_main = false;
	size_t i;

	for (i = 0; rtrmod_config_yang_module(i, &text) != NULL; i++) {
		const char *name = rtrmod_config_yang_module(i, NULL);
		char head[128];

		snprintf(head, sizeof(head), "module %s {", name);
		ck_assert_msg(strncmp(text, head, strlen(head)) == 0, "%s", name);
		seen_main |= strcmp(name, "rtrmod") == 0;
	}
	ck_assert_uint_eq(i, 2);
	ck_assert(seen_main);
	ck_assert_ptr_null(rtrmod_config_yang_module(i, &text));
}
END_TEST

START_TEST(test_locate)
{
	const char *json =
	    "{\n \"m:a\": {\n  \"l\": [\n   {\"k\": \"x\", \"v\": 1},\n"
	    "   {\"k\": \"y\",\n    \"v\": 2}\n  ],\n  \"ll\": [\"p\", \"q/1\"]\n }\n}\n";
	const char *xml =
	    "<?xml version=\"1.0\"?>\n<!-- c -->\n<a xmlns=\"u\">\n <l><k>x</k><v>1</v></l>\n"
	    " <l>\n  <k>y</k>\n  <v>2</v>\n </l>\n <ll>p</ll>\n <ll>q/1</ll>\n</a>\n";
	bool exact;

	ck_assert_uint_eq(cfg_locate_line(json, strlen(json), false, "/m:a/l[k='y']/v", &exact), 6);
	ck_assert(exact);
	ck_assert_uint_eq(cfg_locate_line(json, strlen(json), false, "/m:a/l[k='x']", &exact), 4);
	ck_assert_uint_eq(cfg_locate_line(json, strlen(json), false, "/m:a/ll[.='q/1']", &exact),
			  8);
	ck_assert(exact);
	/* a default leaf: the nearest ancestor written */
	ck_assert_uint_eq(cfg_locate_line(json, strlen(json), false, "/m:a/l[k='x']/w", &exact), 4);
	ck_assert(!exact);
	ck_assert_uint_eq(cfg_locate_line(json, strlen(json), false, "/m:a/l[k='z']", &exact), 3);
	ck_assert_uint_eq(cfg_locate_line(json, strlen(json), false, "/n:b", &exact), 0);
	ck_assert_uint_eq(cfg_locate_line(xml, strlen(xml), true, "/m:a/l[k='y']/v", &exact), 7);
	ck_assert(exact);
	ck_assert_uint_eq(cfg_locate_line(xml, strlen(xml), true, "/m:a/l[k='x']/v", &exact), 4);
	ck_assert_uint_eq(cfg_locate_line(xml, strlen(xml), true, "/m:a/ll[.='q/1']", &exact), 10);
	ck_assert_uint_eq(cfg_locate_line(xml, strlen(xml), true, "/m:a/x", &exact), 3);
	ck_assert(!exact);
}
END_TEST

/* ---- allocation failure ---------------------------------------------------- */

START_TEST(test_alloc_failure)
{
	struct failing_alloc fa = {0, 0};
	struct rtrmod_allocator a = failing_alloc_allocator(&fa);
	bool done = false;
	long i;

	for (i = 1; !done && i < 10000; i++) {
		struct rtrmod_ctx *ctx;
		struct rtrmod_config *c = NULL;
		struct rtrmod_config_diag d;
		char *text = NULL;
		int rc;

		fa.calls = 0;
		fa.fail_at = 0;
		ck_assert_int_eq(rtrmod_ctx_new(&a, &ctx), 0);
		fa.calls = 0;
		fa.fail_at = i;
		rc = rtrmod_config_load_file(ctx, EXAMPLES "standalone-cache.json",
					     RTRMOD_CONFIG_AUTO, &c, &d);
		if (rc == 0)
			rc = rtrmod_config_print(c, RTRMOD_CONFIG_XML, &text);
		if (rc == 0) {
			done = fa.calls < i; /* every allocation has been failed once */
			rtrmod_ctx_mfree(ctx, text);
		} else {
			ck_assert_msg(rc == RTRMOD_ENOMEM, "step %ld: %d %s", i, rc, d.text);
		}
		rtrmod_config_free(c);
		rtrmod_ctx_free(ctx);
	}
	ck_assert(done);
	ck_assert_int_gt(i, 10);
}
END_TEST

/* Load time of the largest example (a context per load). */
START_TEST(test_load_time)
{
	struct timespec t0, t1;
	double ms;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (n = 0; n < 20; n++)
		rtrmod_config_free(load_ok(T.ctx, EXAMPLES "standalone-cache.json"));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / n;
	printf("check_config: standalone-cache.json loads in %.2f ms\n", ms);
	ck_assert(ms < 1000.0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_examples_roundtrip);
	tcase_add_test(tc, test_valid_roundtrip);
	tcase_add_test(tc, test_invalid_manifest);
	tcase_add_test(tc, test_message_format);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_format_auto);
	tcase_add_test(tc, test_values_router_client);
	tcase_add_test(tc, test_values_cache);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_print_transports);
	tcase_add_test(tc, test_yang_modules);
	tcase_add_test(tc, test_locate);
	tcase_add_test(tc, test_alloc_failure);
	tcase_add_test(tc, test_load_time);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
