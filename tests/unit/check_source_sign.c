/*
 * check_source_sign.c: GoRTR/OctoRPKI signed prefix files and the time
 * checks of sources.  The committed fixtures (tests/data/sign/, see its
 * README) pin the scheme to what GoRTR's own CheckFile accepts; documents
 * signed here with a fresh key cover the corners (dropped, duplicate and
 * escaped roas, members in any order, what a signature cannot cover).
 * Every refusal must leave the caller without a set and its last one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <rtrmod/records.h>
#include <rtrmod/source.h>

#include "check_main.h"
#include "test_alloc.h"

#define SIGN TEST_DATA_DIR "/sign/"
#define VRPS TEST_DATA_DIR "/vrps/"

/* The fixtures' metadata: generated 2025-07-20T10:01:43Z, valid an hour on. */
#define GENERATED 1753005703
#define VALID     (GENERATED + 3600)

struct fixture {
	struct rtrmod_ctx *ctx;
	struct rtrmod_source *src;
	struct rtrmod_set *set;
};

static void
quiet_log(void *arg, enum rtrmod_log_level level, const char *msg)
{
	(void)arg;
	(void)level;
	(void)msg;
}

/* A source verifying with public.pem, time checks off. */
static void
fx_open(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &f->ctx), 0);
	rtrmod_ctx_set_log(f->ctx, quiet_log, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_source_new(f->ctx, &f->src), 0);
	ck_assert_int_eq(rtrmod_source_set_verify_key_file(f->src, SIGN "public.pem"), 0);
	rtrmod_source_set_verify(f->src, true);
}

static void
fx_close(struct fixture *f)
{
	rtrmod_set_unref(f->set);
	rtrmod_source_free(f->src);
	rtrmod_ctx_free(f->ctx);
}

static int
fx_load(struct fixture *f, const char *path, int64_t now)
{
	rtrmod_set_unref(f->set);
	f->set = NULL;
	return rtrmod_source_load_json_file(f->src, path, now, &f->set);
}

static int
fx_load_text(struct fixture *f, const char *text, int64_t now)
{
	rtrmod_set_unref(f->set);
	f->set = NULL;
	return rtrmod_source_load_json_buffer(f->src, "text", text, strlen(text), now, &f->set);
}

/* A refusal: the code, no set, and a message holding `what`. */
static void
fx_refused(struct fixture *f, int rc, int want, const char *what)
{
	ck_assert_int_eq(rc, want);
	ck_assert_ptr_null(f->set);
	ck_assert_msg(strstr(rtrmod_source_error(f->src), what) != NULL, "\"%s\" lacks \"%s\"",
		      rtrmod_source_error(f->src), what);
	ck_assert_uint_eq(rtrmod_source_accepted(f->src, RTRMOD_SOURCE_VRP), 0);
	ck_assert(!rtrmod_source_verified(f->src));
}

static size_t
n_vrps(const struct fixture *f)
{
	size_t n = 0;

	(void)rtrmod_set_vrps(f->set, &n);
	return n;
}

/* A whole file into a NUL-terminated buffer the caller frees. */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(1 << 16);
	size_t n;

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, (1 << 16) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* `text` with its first `old` replaced by `new`: a copy the caller frees. */
static char *
edit(const char *text, const char *old, const char *new)
{
	const char *at = strstr(text, old);
	char *out = malloc(strlen(text) + strlen(new) + 1);

	ck_assert_ptr_nonnull(at);
	ck_assert_ptr_nonnull(out);
	memcpy(out, text, (size_t)(at - text));
	strcpy(out + (at - text), new);
	strcat(out, at + strlen(old));
	return out;
}

/* ---- a signer of our own, for documents the fixtures do not cover ------ */

static EVP_PKEY *
make_key(const char *type, const char *param)
{
	EVP_PKEY *key = param != NULL ? EVP_PKEY_Q_keygen(NULL, NULL, type, param)
				      : EVP_PKEY_Q_keygen(NULL, NULL, type);

	ck_assert_ptr_nonnull(key);
	return key;
}

/* The public half as PEM, into `pem` (NUL-terminated); its length. */
static size_t
key_pem(EVP_PKEY *key, char *pem, size_t cap)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int n;

	ck_assert_ptr_nonnull(bio);
	ck_assert_int_eq(PEM_write_bio_PUBKEY(bio, key), 1);
	n = BIO_read(bio, pem, (int)cap - 1);
	ck_assert_int_gt(n, 0);
	pem[n] = '\0';
	BIO_free(bio);
	return (size_t)n;
}

/* hex(DER ECDSA over SHA-256(msg)). */
static void
sign_hex(EVP_PKEY *key, const char *msg, char *hex)
{
	unsigned char der[160];
	size_t len = sizeof(der);
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	ck_assert_ptr_nonnull(md);
	ck_assert_int_eq(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
	ck_assert_int_eq(EVP_DigestSign(md, der, &len, (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(md);
	for (size_t i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", der[i]);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A GoRTR document with `roas` (JSON members of the array), signed over
 * `lines` (what the signer saw) and the two times; `meta` adds members. */
static char *
signed_doc(EVP_PKEY *key, const char **lines, size_t n, long long generated, long long valid,
	   const char *meta, const char *roas)
{
	char s[4096] = "", dated[4200], sig[400], date[400];
	const char *sorted[16];
	char *doc = malloc(8192);

	ck_assert_uint_le(n, 16);
	memcpy(sorted, lines, n * sizeof(*lines));
	qsort(sorted, n, sizeof(*sorted), str_cmp);
	for (size_t i = 0; i < n; i++)
		strcat(s, sorted[i]);
	snprintf(dated, sizeof(dated), "%lld,%s%lld", generated, s, valid);
	sign_hex(key, s, date);
	sign_hex(key, dated, sig);
	snprintf(doc, 8192,
		 "{\"metadata\":{\"generated\":%lld,\"valid\":%lld,\"signature\":\"%s\","
		 "\"signatureDate\":\"%s\"%s},\"roas\":[%s]}",
		 generated, valid, sig, date, meta, roas);
	return doc;
}

/* A fixture verifying with a fresh P-256 key of its own. */
static EVP_PKEY *
fx_open_own(struct fixture *f)
{
	EVP_PKEY *key = make_key("EC", "P-256");
	char pem[512];
	size_t len = key_pem(key, pem, sizeof(pem));

	fx_open(f);
	ck_assert_int_eq(rtrmod_source_set_verify_key_pem(f->src, pem, len), 0);
	return key;
}

/* ---- the fixtures -------------------------------------------------------- */

START_TEST(test_good_signature)
{
	struct fixture f;
	int64_t t;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small.rpki.json", GENERATED), 0);
	ck_assert_uint_eq(n_vrps(&f), 64);
	ck_assert(rtrmod_source_verified(f.src));
	ck_assert(rtrmod_source_build_time(f.src, &t));
	ck_assert_int_eq(t, GENERATED);
	ck_assert(!rtrmod_source_fresh_until(f.src, &t)); /* time checks off */
	/* Time checks on, now inside generated..valid. */
	rtrmod_source_set_check_time(f.src, true);
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small.rpki.json", GENERATED + 60), 0);
	ck_assert_uint_eq(n_vrps(&f), 64);
	ck_assert(rtrmod_source_fresh_until(f.src, &t));
	ck_assert_int_eq(t, VALID);
	/* Verification off: loads without looking, and says so. */
	rtrmod_source_set_verify(f.src, false);
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small_TAMPERED.rpki.json", GENERATED), 0);
	ck_assert(!rtrmod_source_verified(f.src));
	fx_close(&f);
}
END_TEST

START_TEST(test_key_from_buffer)
{
	struct fixture f;
	char *pem = slurp(SIGN "public.pem");

	fx_open(&f);
	ck_assert_int_eq(rtrmod_source_set_verify_key_file(f.src, SIGN "cf.pub"), 0);
	ck_assert_int_eq(rtrmod_source_set_verify_key_pem(f.src, pem, strlen(pem)), 0);
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small.rpki.json", GENERATED), 0);
	ck_assert_uint_eq(n_vrps(&f), 64);
	free(pem);
	fx_close(&f);
}
END_TEST

START_TEST(test_tampered)
{
	struct fixture f;

	fx_open(&f);
	fx_refused(&f, fx_load(&f, SIGN "signed_small_TAMPERED.rpki.json", GENERATED),
		   RTRMOD_EVERIFY, "\"signatureDate\" (over 64 roas) does not verify");
	ck_assert(strstr(rtrmod_source_error(f.src), "signed_small_TAMPERED") != NULL);
	fx_close(&f);
}
END_TEST

START_TEST(test_other_key)
{
	struct fixture f;

	fx_open(&f);
	ck_assert_int_eq(rtrmod_source_set_verify_key_file(f.src, SIGN "cf.pub"), 0);
	fx_refused(&f, fx_load(&f, SIGN "signed_small.rpki.json", GENERATED), RTRMOD_EVERIFY,
		   "does not verify with the configured key");
	fx_close(&f);
}
END_TEST

START_TEST(test_unsigned)
{
	const char *empty =
	    "{\"metadata\":{\"signature\":\"\",\"signatureDate\":\"\"},\"roas\":[]}";
	struct fixture f;

	fx_open(&f);
	fx_refused(&f, fx_load(&f, VRPS "gortr_test.rpki.json", GENERATED), RTRMOD_EVERIFY,
		   "not signed");
	fx_refused(&f, fx_load(&f, VRPS "rpki-client_sample.json", GENERATED), RTRMOD_EVERIFY,
		   "not signed");
	fx_refused(&f, fx_load_text(&f, "{\"roas\":[]}", 0), RTRMOD_EVERIFY, "not signed");
	fx_refused(&f, fx_load_text(&f, empty, 0), RTRMOD_EVERIFY,
		   "\"signatureDate\" (over 0 roas) is missing");
	rtrmod_source_set_verify(f.src, false);
	ck_assert_int_eq(fx_load(&f, VRPS "gortr_test.rpki.json", GENERATED), 0);
	ck_assert_uint_eq(n_vrps(&f), 2);
	fx_close(&f);
}
END_TEST

/* Altered hex, DER or times: refused, each with its reason. */
START_TEST(test_corrupted_signatures)
{
	static const struct {
		const char *old, *new, *why;
	} cases[] = {
	    {"\"signatureDate\":\"30", "\"signatureDate\":\"x0",
	     "\"signatureDate\" (over 64 roas) is not hex"},
	    {"\"signatureDate\":\"30", "\"signatureDate\":\"3",
	     "\"signatureDate\" (over 64 roas) is not hex"},
	    {"\"signature\":\"3045", "\"signature\":\"3046",
	     "\"signature\" (over 64 roas, generated 1753005703, valid 1753009303) is not a DER"},
	    {"022006faf9", "022006faf8", "\"signatureDate\" (over 64 roas) does not verify"},
	    {"97508b\"", "97508b00\"", "\"signatureDate\" (over 64 roas) is not a DER"},
	    {"\"signature\":\"3045", "\"signature\":1, \"x\":\"3045", "the signature cannot cover"},
	    {"\"valid\":1753009303", "\"valid\":1853009303",
	     "\"signature\" (over 64 roas, generated 1753005703, valid 1853009303) does not "
	     "verify"},
	    {"\"generated\":1753005703", "\"generated\":1753005704",
	     "\"signature\" (over 64 roas, generated 1753005704, valid"},
	    {"\"valid\":1753009303", "\"valid\":\"1753009303\"",
	     "\"generated\" and \"valid\" must be integers"},
	};
	struct fixture f;
	char *good = slurp(SIGN "signed_small.rpki.json");

	fx_open(&f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *bad = edit(good, cases[i].old, cases[i].new);

		fx_refused(&f, fx_load_text(&f, bad, GENERATED), RTRMOD_EVERIFY, cases[i].why);
		free(bad);
	}
	ck_assert_int_eq(fx_load_text(&f, good, GENERATED), 0);
	free(good);
	fx_close(&f);
}
END_TEST

/* ---- keys ---------------------------------------------------------------- */

START_TEST(test_bad_keys)
{
	struct fixture f;
	char pem[512], *good = slurp(SIGN "public.pem"), *cut;
	EVP_PKEY *key;
	size_t len;

	fx_open(&f);
	ck_assert_int_eq(rtrmod_source_set_verify_key_pem(f.src, "hello", 5), RTRMOD_EPARSE);
	ck_assert(strstr(rtrmod_source_error(f.src), "not a PEM public key") != NULL);
	cut = edit(good, "WUHQ", "");
	ck_assert_int_eq(rtrmod_source_set_verify_key_pem(f.src, cut, strlen(cut)), RTRMOD_EPARSE);
	free(cut);
	cut = edit(good, "PUBLIC KEY-----\n", "PRIVATE KEY-----\n");
	ck_assert_int_eq(rtrmod_source_set_verify_key_pem(f.src, cut, strlen(cut)), RTRMOD_EPARSE);
	free(cut);
	ck_assert_int_eq(rtrmod_source_set_verify_key_pem(f.src, good, 0), RTRMOD_EPARSE);
	key = make_key("EC", "P-384");
	len = key_pem(key, pem, sizeof(pem));
	ck_assert_int_eq(rtrmod_source_set_verify_key_pem(f.src, pem, len), RTRMOD_EPARSE);
	ck_assert(strstr(rtrmod_source_error(f.src), "not on P-256") != NULL);
	EVP_PKEY_free(key);
	key = make_key("ED25519", NULL);
	len = key_pem(key, pem, sizeof(pem));
	ck_assert_int_eq(rtrmod_source_set_verify_key_pem(f.src, pem, len), RTRMOD_EPARSE);
	ck_assert(strstr(rtrmod_source_error(f.src), "not an ECDSA public key") != NULL);
	EVP_PKEY_free(key);
	ck_assert_int_eq(rtrmod_source_set_verify_key_file(f.src, SIGN "missing.pem"), RTRMOD_EIO);
	ck_assert(strstr(rtrmod_source_error(f.src), "missing.pem") != NULL);
	ck_assert_int_eq(rtrmod_source_set_verify_key_file(f.src, SIGN "README.md"), RTRMOD_EPARSE);
	ck_assert_int_eq(rtrmod_source_set_verify_key_file(NULL, SIGN "public.pem"), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_source_set_verify_key_file(f.src, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_source_set_verify_key_pem(f.src, NULL, 3), RTRMOD_EINVAL);
	/* Every failure kept the key that loaded. */
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small.rpki.json", GENERATED), 0);
	free(good);
	fx_close(&f);
}
END_TEST

START_TEST(test_verify_without_key)
{
	struct fixture f;

	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &f.ctx), 0);
	rtrmod_ctx_set_log(f.ctx, quiet_log, NULL, RTRMOD_LOG_ERR);
	ck_assert_int_eq(rtrmod_source_new(f.ctx, &f.src), 0);
	rtrmod_source_set_verify(f.src, true);
	fx_refused(&f, fx_load(&f, SIGN "signed_small.rpki.json", GENERATED), RTRMOD_ESTATE,
		   "no key is set");
	rtrmod_source_set_verify(NULL, true);
	rtrmod_source_set_check_time(NULL, true);
	rtrmod_source_set_max_age(NULL, 1);
	ck_assert(!rtrmod_source_verified(NULL));
	ck_assert(!rtrmod_source_fresh_until(NULL, NULL));
	fx_close(&f);
}
END_TEST

/* ---- every roa, as the signer saw it ------------------------------------ */

/* Roas that the checks drop (bad prefix, max length, AS, absent members)
 * are still covered; leaving one out of the signature refuses.  "expires"
 * is not signed, so it is not heeded either. */
START_TEST(test_dropped_roas_are_covered)
{
	static const char *lines[] = {
	    "192.0.2.0/24,24,AS64496,", "198.51.100.0/24,24,64497,", "203.0.113.0/33,33,AS1,",
	    "2001:db8::/32,16,AS2,",    "10.0.0.0/8,8,ASx,",         "192.0.2.0/25,0,,",
	};
	const char *roas =
	    "{\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"asn\":\"AS64496\",\"ta\":\"x\"},"
	    "{\"asn\":64497,\"expires\":1000,\"maxLength\":24,\"prefix\":\"198.51.100.0/24\"},"
	    "{\"prefix\":\"203.0.113.0/33\",\"maxLength\":33,\"asn\":\"AS1\"},"
	    "{\"prefix\":\"2001:db8::/32\",\"maxLength\":16,\"asn\":\"AS2\"},"
	    "{\"prefix\":\"10.0.0.0/8\",\"maxLength\":8,\"asn\":\"ASx\"},"
	    "{\"prefix\":\"192.0.2.0/25\",\"maxLength\":null}";
	struct fixture f;
	EVP_PKEY *key = fx_open_own(&f);
	char *doc = signed_doc(key, lines, 6, 100, 200, "", roas);

	ck_assert_int_eq(fx_load_text(&f, doc, 2000), 0);
	ck_assert(rtrmod_source_verified(f.src));
	ck_assert_uint_eq(n_vrps(&f), 2);
	ck_assert_uint_eq(rtrmod_source_dropped_total(f.src, RTRMOD_SOURCE_VRP), 4);
	ck_assert(!rtrmod_source_next_expiry(f.src, NULL));
	/* Unverified, "expires" counts. */
	rtrmod_source_set_verify(f.src, false);
	ck_assert_int_eq(fx_load_text(&f, doc, 2000), 0);
	ck_assert_uint_eq(n_vrps(&f), 1);
	ck_assert_uint_eq(
	    rtrmod_source_dropped(f.src, RTRMOD_SOURCE_VRP, RTRMOD_SOURCE_DROP_EXPIRED), 1);
	rtrmod_source_set_verify(f.src, true);
	free(doc);
	doc = signed_doc(key, lines, 1, 100, 200, "", roas);
	fx_refused(&f, fx_load_text(&f, doc, 2000), RTRMOD_EVERIFY,
		   "\"signatureDate\" (over 6 roas) does not verify");
	free(doc);
	EVP_PKEY_free(key);
	fx_close(&f);
}
END_TEST

/* Duplicates count twice, escapes are decoded, members and metadata may
 * come in any order: as Go's decoder hands them to GoRTR's signer. */
START_TEST(test_signer_view)
{
	static const char *lines[] = {
	    "192.0.2.0/24,24,AS64496,",
	    "192.0.2.0/24,24,AS64496,",
	    "192.0.2.0/24,24,AS6449,",
	    "192.0.2.0/24,24,AS64496 ,",
	};
	const char *roas =
	    "{\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"asn\":\"AS64496\"},"
	    "{\"prefix\":\"192.0.2\\u002e0/24\",\"maxLength\":24,\"asn\":\"AS64496\"},"
	    "{\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"asn\":\"AS6449\"},"
	    "{\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"asn\":\"AS64496 \"}";
	struct fixture f;
	EVP_PKEY *key = fx_open_own(&f);
	char *doc = signed_doc(key, lines, 4, 100, 200, ",\"counts\":4", roas), *moved;
	const char *r;

	ck_assert_int_eq(fx_load_text(&f, doc, 0), 0);
	ck_assert_uint_eq(n_vrps(&f), 2); /* one duplicate kept once, "AS64496 " dropped */
	/* The same document with "metadata" after "roas". */
	r = strstr(doc, ",\"roas\":");
	moved = malloc(strlen(doc) + 2);
	ck_assert_ptr_nonnull(moved);
	sprintf(moved, "{%.*s,%.*s}", (int)strlen(r + 2), r + 1, (int)(r - doc - 1), doc + 1);
	ck_assert_int_eq(fx_load_text(&f, moved, 0), 0);
	ck_assert_uint_eq(n_vrps(&f), 2);
	free(moved);
	free(doc);
	/* Signed as three: the duplicate is missing from S. */
	doc = signed_doc(key, lines + 1, 3, 100, 200, "", roas);
	fx_refused(&f, fx_load_text(&f, doc, 0), RTRMOD_EVERIFY, "does not verify");
	free(doc);
	EVP_PKEY_free(key);
	fx_close(&f);
}
END_TEST

/* What a GoRTR signature cannot cover refuses a verified load. */
START_TEST(test_not_coverable)
{
	static const char *lines[] = {"192.0.2.0/24,24,AS64496,"};
	struct fixture f;
	EVP_PKEY *key = fx_open_own(&f);
	char *doc, *bad;

	doc = signed_doc(key, lines, 1, 100, 200, "",
			 "{\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"asn\":\"AS64496\"}");
	ck_assert_int_eq(fx_load_text(&f, doc, 0), 0);
	bad = edit(doc, "\"maxLength\":24", "\"maxLength\":\"24\"");
	fx_refused(&f, fx_load_text(&f, bad, 0), RTRMOD_EVERIFY,
		   "a roa the signature cannot cover");
	free(bad);
	bad = edit(doc, "\"asn\":\"AS64496\"", "\"asn\":64496.0");
	fx_refused(&f, fx_load_text(&f, bad, 0), RTRMOD_EVERIFY, "cannot cover");
	free(bad);
	bad = edit(doc, "{\"prefix\"", "7,{\"prefix\"");
	fx_refused(&f, fx_load_text(&f, bad, 0), RTRMOD_EVERIFY, "cannot cover");
	free(bad);
	bad =
	    edit(doc, "\"roas\":", "\"aspas\":[{\"customer_asid\":1,\"providers\":[2]}],\"roas\":");
	fx_refused(&f, fx_load_text(&f, bad, 0), RTRMOD_EVERIFY, "router keys and ASPAs");
	free(bad);
	bad = edit(doc, "\"roas\":", "\"aspas\":[],\"bgpsec_keys\":null,\"roas\":");
	ck_assert_int_eq(fx_load_text(&f, bad, 0), 0);
	free(bad);
	free(doc);
	EVP_PKEY_free(key);
	fx_close(&f);
}
END_TEST

/* ---- time checks --------------------------------------------------------- */

/* GoRTR's "valid": the last second is still good (it refuses "after"). */
START_TEST(test_valid_expired)
{
	struct fixture f;
	int64_t t;

	fx_open(&f);
	rtrmod_source_set_check_time(f.src, true);
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small.rpki.json", VALID), 0);
	ck_assert(rtrmod_source_fresh_until(f.src, &t));
	ck_assert_int_eq(t, VALID);
	fx_refused(&f, fx_load(&f, SIGN "signed_small.rpki.json", VALID + 1), RTRMOD_ESTALE,
		   "expired: valid until 2025-07-20T11:01:43Z, now is 2025-07-20T11:01:44Z");
	/* Unverified, the same rule. */
	rtrmod_source_set_verify(f.src, false);
	fx_refused(&f, fx_load(&f, VRPS "gortr_test.rpki.json", 2000000000), RTRMOD_ESTALE,
		   "expired");
	/* Time checks off: any now. */
	rtrmod_source_set_check_time(f.src, false);
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small.rpki.json", VALID + 1000000), 0);
	ck_assert(!rtrmod_source_fresh_until(f.src, &t));
	fx_close(&f);
}
END_TEST

/* StayRTR's -checktime: no older than the maximum age (24 h by default). */
START_TEST(test_max_age)
{
	const int64_t built = GENERATED; /* the rpki-client sample's buildtime */
	struct fixture f;
	int64_t t;

	fx_open(&f);
	rtrmod_source_set_verify(f.src, false);
	rtrmod_source_set_check_time(f.src, true);
	ck_assert_int_eq(fx_load(&f, VRPS "rpki-client_sample.json", built + 86400), 0);
	ck_assert(rtrmod_source_fresh_until(f.src, &t));
	ck_assert_int_eq(t, built + 86400);
	fx_refused(&f, fx_load(&f, VRPS "rpki-client_sample.json", built + 86401), RTRMOD_ESTALE,
		   "stale: built 2025-07-20T10:01:43Z, more than 86400 seconds before now "
		   "(2025-07-21T10:01:44Z)");
	rtrmod_source_set_max_age(f.src, 3600);
	ck_assert_int_eq(fx_load(&f, VRPS "rpki-client_sample.json", built + 3600), 0);
	ck_assert(rtrmod_source_fresh_until(f.src, &t));
	ck_assert_int_eq(t, built + 3600);
	fx_refused(&f, fx_load(&f, VRPS "rpki-client_sample.json", built + 3601), RTRMOD_ESTALE,
		   "stale");
	/* Fresh from the future is fresh. */
	ck_assert_int_eq(fx_load(&f, VRPS "rpki-client_sample.json", built - 100000), 0);
	/* No build time: refused while there is an age limit. */
	fx_refused(&f, fx_load_text(&f, "{\"roas\":[]}", built), RTRMOD_ESTALE, "no build time");
	rtrmod_source_set_max_age(f.src, 0);
	ck_assert_int_eq(fx_load_text(&f, "{\"roas\":[]}", built), 0);
	ck_assert(!rtrmod_source_fresh_until(f.src, &t));
	ck_assert_int_eq(fx_load(&f, VRPS "rpki-client_sample.json", INT64_MAX), 0);
	/* The earlier of "valid" and build time + max age. */
	rtrmod_source_set_verify(f.src, true);
	rtrmod_source_set_max_age(f.src, 600);
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small.rpki.json", GENERATED + 600), 0);
	ck_assert(rtrmod_source_fresh_until(f.src, &t));
	ck_assert_int_eq(t, GENERATED + 600);
	fx_refused(&f, fx_load(&f, SIGN "signed_small.rpki.json", GENERATED + 601), RTRMOD_ESTALE,
		   "stale");
	rtrmod_source_set_max_age(f.src, UINT32_MAX);
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small.rpki.json", GENERATED), 0);
	ck_assert(rtrmod_source_fresh_until(f.src, &t));
	ck_assert_int_eq(t, VALID);
	fx_close(&f);
}
END_TEST

/* Verified, the age is the signed "generated": an unsigned "buildtime"
 * cannot make old data look new. */
START_TEST(test_signed_build_time)
{
	static const char *lines[] = {"192.0.2.0/24,24,AS64496,"};
	struct fixture f;
	EVP_PKEY *key = fx_open_own(&f);
	char *doc = signed_doc(
	    key, lines, 1, GENERATED, 2000000000, ",\"buildtime\":\"2030-01-01T00:00:00Z\"",
	    "{\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"asn\":\"AS64496\"}");
	int64_t t, now = 1893456000; /* 2030-01-01T00:00:00Z */

	rtrmod_source_set_check_time(f.src, true);
	fx_refused(&f, fx_load_text(&f, doc, now), RTRMOD_ESTALE, "built 2025-07-20T10:01:43Z");
	rtrmod_source_set_verify(f.src, false);
	ck_assert_int_eq(fx_load_text(&f, doc, now), 0);
	ck_assert(rtrmod_source_build_time(f.src, &t));
	ck_assert_int_eq(t, now);
	free(doc);
	EVP_PKEY_free(key);
	fx_close(&f);
}
END_TEST

/* A refused load leaves the caller's set alone and the source's word on
 * how long that set may be served. */
START_TEST(test_refusal_keeps_last_set)
{
	struct fixture f;
	struct rtrmod_set *next = (struct rtrmod_set *)&f;
	int64_t t;

	fx_open(&f);
	rtrmod_source_set_check_time(f.src, true);
	ck_assert_int_eq(fx_load(&f, SIGN "signed_small.rpki.json", GENERATED), 0);
	ck_assert_int_eq(rtrmod_source_load_json_file(f.src, SIGN "signed_small_TAMPERED.rpki.json",
						      GENERATED, &next),
			 RTRMOD_EVERIFY);
	ck_assert_ptr_null(next);
	ck_assert_int_eq(
	    rtrmod_source_load_json_file(f.src, SIGN "signed_small.rpki.json", VALID + 1, &next),
	    RTRMOD_ESTALE);
	ck_assert_ptr_null(next);
	ck_assert_int_eq(rtrmod_source_load_json_file(f.src, SIGN "nothing.json", GENERATED, &next),
			 RTRMOD_EIO);
	ck_assert_ptr_null(next);
	ck_assert_uint_eq(n_vrps(&f), 64);
	ck_assert(rtrmod_source_fresh_until(f.src, &t));
	ck_assert_int_eq(t, VALID);
	ck_assert(!rtrmod_source_build_time(f.src, &t)); /* statistics: the last load */
	fx_close(&f);
}
END_TEST

/* ---- allocation failure and the full file -------------------------------- */

/* Fail each allocation of a verified load in turn: ENOMEM, no set, no
 * leak (ASan). */
START_TEST(test_allocation_failure)
{
	struct failing_alloc fa = {0};
	struct rtrmod_allocator a = failing_alloc_allocator(&fa);
	struct rtrmod_ctx *ctx;
	struct rtrmod_source *src;
	struct rtrmod_set *set;
	long at;
	int rc = RTRMOD_ENOMEM;

	ck_assert_int_eq(rtrmod_ctx_new(&a, &ctx), 0);
	rtrmod_ctx_set_log(ctx, quiet_log, NULL, RTRMOD_LOG_ERR);
	ck_assert_int_eq(rtrmod_source_new(ctx, &src), 0);
	ck_assert_int_eq(rtrmod_source_set_verify_key_file(src, SIGN "public.pem"), 0);
	rtrmod_source_set_verify(src, true);
	rtrmod_source_set_check_time(src, true);
	for (at = 1; at < 1000 && rc != 0; at++) {
		fa.calls = 0;
		fa.fail_at = at;
		rc = rtrmod_source_load_json_file(src, SIGN "signed_small.rpki.json", GENERATED,
						  &set);
		ck_assert_msg(rc == 0 || rc == RTRMOD_ENOMEM, "at %ld: %d", at, rc);
		ck_assert(rc == 0 || set == NULL);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_gt(at, 5);
	ck_assert(rtrmod_source_verified(src));
	rtrmod_set_unref(set);
	rtrmod_source_free(src);
	fa.fail_at = 0;
	rtrmod_ctx_free(ctx);
}
END_TEST

/* The full signed snapshot (723,524 VRPs; not committed): set
 * RTRMOD_SIGNED_FULL to its decompressed path to verify and time it. */
START_TEST(test_full_file)
{
	const char *path = getenv("RTRMOD_SIGNED_FULL");
	struct timespec t0, t1;
	struct fixture f;

	if (path == NULL)
		return;
	fx_open(&f);
	rtrmod_source_set_check_time(f.src, true);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(fx_load(&f, path, GENERATED), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert(rtrmod_source_verified(f.src));
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 723524);
	printf("%s: %zu VRPs loaded and verified in %.3f s\n", path, n_vrps(&f),
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fx_close(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("source_sign");
	TCase *tc = tcase_create("fixtures");

	tcase_add_test(tc, test_good_signature);
	tcase_add_test(tc, test_key_from_buffer);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_other_key);
	tcase_add_test(tc, test_unsigned);
	tcase_add_test(tc, test_corrupted_signatures);
	suite_add_tcase(s, tc);
	tc = tcase_create("keys_and_coverage");
	tcase_add_test(tc, test_bad_keys);
	tcase_add_test(tc, test_verify_without_key);
	tcase_add_test(tc, test_dropped_roas_are_covered);
	tcase_add_test(tc, test_signer_view);
	tcase_add_test(tc, test_not_coverable);
	suite_add_tcase(s, tc);
	tc = tcase_create("time");
	tcase_add_test(tc, test_valid_expired);
	tcase_add_test(tc, test_max_age);
	tcase_add_test(tc, test_signed_build_time);
	tcase_add_test(tc, test_refusal_keeps_last_set);
	suite_add_tcase(s, tc);
	tc = tcase_create("resources");
	tcase_add_test(tc, test_allocation_failure);
	tcase_add_test(tc, test_full_file);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
