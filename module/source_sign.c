/*
 * source_sign.c: GoRTR/OctoRPKI signed prefix files.  While a document
 * streams past, source_json.c hands over every roa, kept as its signer
 * rendered it ("<prefix>,<maxLength>,<asn>,"), and the metadata.  Once the
 * document is read, the lines are sorted bytewise, hashed as S and as
 * "<generated>," S "<valid>", and the metadata's "signatureDate" and
 * "signature" are checked against those SHA-256 digests with the
 * configured ECDSA P-256 key.  The scheme is GoRTR's (cloudflare/gortr
 * prefixfile/prefixfile.go: GenerateDigest, CheckFile); the code is our
 * own, on the OpenSSL 3 EVP API.
 *
 * Invariants: a document passes only if both signatures verify over every
 * roa it holds, dropped ones included, and the metadata they cover; a key
 * is replaced only by one that loaded; nothing from OpenSSL outlives a call
 * but the key, and its error queue is left empty.
 */
#include "config.h"

/* No deprecated OpenSSL call can compile here. */
#define OPENSSL_API_COMPAT    30000
#define OPENSSL_NO_DEPRECATED 1

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <jansson.h>

#include <rtrmod/source.h>

#include "rtrmod_internal.h"
#include "source_internal.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "signed sources need OpenSSL 3.0 or later"
#endif

/* A DER ECDSA-Sig-Value on P-256 is at most 72 bytes; room to spare. */
#define SIG_DER_MAX 160

/* One roa's line in d->text: an offset while lines are added (the text
 * may move), a pointer once it is complete and being sorted. */
struct line {
	union {
		size_t off;
		const char *p;
	} at;
	size_t len;
};

/* The metadata as signed.  Times are 0 when absent: Go's zero value, which
 * is what GoRTR signs then.  Signatures are hex, NULL when absent. */
struct signed_meta {
	int64_t generated, valid;
	bool has_generated;
	char *signature, *signature_date;
};

struct source_digest {
	struct rtrmod_ctx *ctx;
	char *text; /* the lines, back to back, in document order */
	size_t len, cap;
	struct line *lines;
	size_t n, lines_cap;
	bool has_meta;
	struct signed_meta meta;
};

/* ---- the key ------------------------------------------------------------- */

void
source_sign_free(struct rtrmod_source *src)
{
	EVP_PKEY_free(src->verify_key);
	src->verify_key = NULL;
}

/* A PEM SubjectPublicKeyInfo for ECDSA on P-256 (what GoRTR's -verify.key
 * and OctoRPKI's key are), or RTRMOD_EPARSE saying what it is not. */
static int
key_parse(struct rtrmod_source *src, const char *name, const void *pem, size_t len, EVP_PKEY **out)
{
	char group[64];
	size_t glen = 0;
	EVP_PKEY *key;
	BIO *bio;
	int rc = 0;

	*out = NULL;
	if (len > INT_MAX)
		return source_fail(src, RTRMOD_EPARSE, name, "too large for a public key");
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return RTRMOD_ENOMEM;
	key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL)
		rc = source_fail(src, RTRMOD_EPARSE, name,
				 "not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")");
	else if (!EVP_PKEY_is_a(key, "EC") ||
		 EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) != 1)
		rc = source_fail(src, RTRMOD_EPARSE, name, "not an ECDSA public key");
	else if (OBJ_sn2nid(group) != NID_X9_62_prime256v1)
		rc = source_fail(src, RTRMOD_EPARSE, name,
				 "ECDSA key on %s, not on P-256 (prime256v1)", group);
	ERR_clear_error();
	if (rc != 0) {
		EVP_PKEY_free(key);
		return rc;
	}
	*out = key;
	return 0;
}

int
rtrmod_source_set_verify_key_pem(struct rtrmod_source *src, const void *pem, size_t len)
{
	EVP_PKEY *key;
	int rc;

	if (src == NULL || pem == NULL)
		return RTRMOD_EINVAL;
	src->error[0] = '\0';
	rc = key_parse(src, "<buffer>", pem, len, &key);
	if (rc != 0) {
		log_warn(src->ctx, "%s", src->error);
		return rc;
	}
	source_sign_free(src);
	src->verify_key = key;
	return 0;
}

int
rtrmod_source_set_verify_key_file(struct rtrmod_source *src, const char *path)
{
	EVP_PKEY *key;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (src == NULL || path == NULL)
		return RTRMOD_EINVAL;
	src->error[0] = '\0';
	rc = source_read_file(src, path, &buf, &len);
	if (rc == 0)
		rc = key_parse(src, path, buf, len, &key);
	ctx_free(src->ctx, buf);
	if (rc != 0) {
		if (src->error[0] == '\0')
			source_fail(src, rc, path, "%s", rtrmod_strerror(rc));
		log_warn(src->ctx, "%s", src->error);
		return rc;
	}
	source_sign_free(src);
	src->verify_key = key;
	return 0;
}

void
rtrmod_source_set_verify(struct rtrmod_source *src, bool on)
{
	if (src != NULL)
		src->verify = on;
}

bool
rtrmod_source_verified(const struct rtrmod_source *src)
{
	return src != NULL && src->verified;
}

/* ---- collecting the roas ------------------------------------------------- */

int
source_digest_new(struct rtrmod_source *src, struct source_digest **out)
{
	struct source_digest *d = ctx_zalloc(src->ctx, sizeof(*d));

	*out = d;
	if (d == NULL)
		return RTRMOD_ENOMEM;
	d->ctx = src->ctx;
	return 0;
}

void
source_digest_free(struct source_digest *d)
{
	if (d == NULL)
		return;
	ctx_free(d->ctx, d->text);
	ctx_free(d->ctx, d->lines);
	ctx_free(d->ctx, d->meta.signature);
	ctx_free(d->ctx, d->meta.signature_date);
	ctx_free(d->ctx, d);
}

/* Grow `*p` (of `*cap` elements of `size`) to hold `need`, doubling. */
static int
grow(struct rtrmod_ctx *ctx, void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap > 0 ? *cap : 4096;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return RTRMOD_ENOMEM;
		n *= 2;
	}
	q = ctx_realloc(ctx, *p, n * size);
	if (q == NULL)
		return RTRMOD_ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* One line, "<prefix>,<maxLength>,<asn>,", appended to the text. */
static int
digest_add(struct source_digest *d, const char *prefix, size_t prefix_len, const char *max_len,
	   size_t max_len_len, const char *asn, size_t asn_len)
{
	size_t len = prefix_len + max_len_len + asn_len + 3;
	char *p;
	int rc;

	if (len < prefix_len || len > SIZE_MAX - d->len)
		return RTRMOD_ENOMEM;
	rc = grow(d->ctx, (void **)&d->text, &d->cap, d->len + len, 1);
	if (rc == 0)
		rc = grow(d->ctx, (void **)&d->lines, &d->lines_cap, d->n + 1, sizeof(*d->lines));
	if (rc != 0)
		return rc;
	p = d->text + d->len;
	memcpy(p, prefix, prefix_len);
	p += prefix_len;
	*p++ = ',';
	memcpy(p, max_len, max_len_len);
	p += max_len_len;
	*p++ = ',';
	memcpy(p, asn, asn_len);
	p += asn_len;
	*p++ = ',';
	d->lines[d->n].at.off = d->len;
	d->lines[d->n].len = len;
	d->n++;
	d->len += len;
	return 0;
}

enum { SIGNED_STRING = 1, SIGNED_INTEGER = 2 };

/* A member as GoRTR's signer printed it (%v): a string's text, an integer
 * in decimal, Go's zero value when absent or null.  False for any other
 * type: Go's decoder refuses it, so no GoRTR signer can have signed it. */
static bool
signed_text(json_t *v, unsigned types, const char *zero, char num[24], const char **s, size_t *len)
{
	if (v == NULL || json_is_null(v)) {
		*s = zero;
		*len = strlen(zero);
	} else if ((types & SIGNED_STRING) && json_is_string(v)) {
		*s = json_string_value(v);
		*len = json_string_length(v);
	} else if ((types & SIGNED_INTEGER) && json_is_integer(v)) {
		*len = (size_t)snprintf(num, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*s = num;
	} else {
		return false;
	}
	return true;
}

/* GoRTR's ROAJson: prefix string, maxLength uint8, asn string; StayRTR
 * also takes a number for asn, which is signed as written. */
int
source_digest_roa(struct source_digest *d, json_t *rec)
{
	char max_num[24], asn_num[24];
	const char *p, *max, *asn;
	size_t p_len, max_len, asn_len;

	if (!json_is_object(rec) ||
	    !signed_text(json_object_get(rec, "prefix"), SIGNED_STRING, "", NULL, &p, &p_len) ||
	    !signed_text(json_object_get(rec, "maxLength"), SIGNED_INTEGER, "0", max_num, &max,
			 &max_len) ||
	    !signed_text(json_object_get(rec, "asn"), SIGNED_STRING | SIGNED_INTEGER, "", asn_num,
			 &asn, &asn_len))
		return RTRMOD_EINVAL;
	return digest_add(d, p, p_len, max, max_len, asn, asn_len);
}

static bool
null_or(json_t *v, bool ok)
{
	return v == NULL || json_is_null(v) || ok;
}

static int
copy_text(struct rtrmod_ctx *ctx, json_t *v, char **out)
{
	size_t len;

	*out = NULL;
	if (!json_is_string(v))
		return 0;
	len = json_string_length(v);
	*out = ctx_alloc(ctx, len + 1);
	if (*out == NULL)
		return RTRMOD_ENOMEM;
	memcpy(*out, json_string_value(v), len + 1);
	return 0;
}

/* GoRTR's MetaData: generated and valid int, signature and signatureDate
 * string. */
int
source_digest_metadata(struct source_digest *d, json_t *md)
{
	json_t *gen = json_object_get(md, "generated"), *valid = json_object_get(md, "valid");
	json_t *sig = json_object_get(md, "signature");
	json_t *date = json_object_get(md, "signatureDate");
	struct signed_meta m = {0};

	if (!null_or(gen, json_is_integer(gen)) || !null_or(valid, json_is_integer(valid)) ||
	    !null_or(sig, json_is_string(sig)) || !null_or(date, json_is_string(date)))
		return RTRMOD_EINVAL;
	m.has_generated = json_is_integer(gen);
	m.generated = m.has_generated ? (int64_t)json_integer_value(gen) : 0;
	m.valid = json_is_integer(valid) ? (int64_t)json_integer_value(valid) : 0;
	if (copy_text(d->ctx, sig, &m.signature) != 0 ||
	    copy_text(d->ctx, date, &m.signature_date) != 0) {
		ctx_free(d->ctx, m.signature);
		return RTRMOD_ENOMEM;
	}
	ctx_free(d->ctx, d->meta.signature);
	ctx_free(d->ctx, d->meta.signature_date);
	d->meta = m;
	d->has_meta = true;
	return 0;
}

/* ---- sorting and hashing ------------------------------------------------- */

/* Go's string order (sort.Strings): bytewise, a prefix first. */
static int
line_cmp(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int c = memcmp(x->at.p, y->at.p, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Offsets to pointers, then sort unless the document was already sorted. */
static void
digest_sort(struct source_digest *d)
{
	bool sorted = true;

	for (size_t i = 0; i < d->n; i++) {
		d->lines[i].at.p = d->text + d->lines[i].at.off;
		if (i > 0 && sorted && line_cmp(&d->lines[i - 1], &d->lines[i]) > 0)
			sorted = false;
	}
	if (!sorted)
		qsort(d->lines, d->n, sizeof(*d->lines), line_cmp);
}

/* Feed both hashes through a buffer, so 700k short lines cost few calls. */
struct feed {
	EVP_MD_CTX *s, *dated;
	size_t used;
	bool ok;
	char buf[16384];
};

static void
feed_flush(struct feed *f)
{
	if (f->used > 0 && f->ok)
		f->ok = EVP_DigestUpdate(f->s, f->buf, f->used) == 1 &&
			EVP_DigestUpdate(f->dated, f->buf, f->used) == 1;
	f->used = 0;
}

static void
feed(struct feed *f, const char *p, size_t len)
{
	if (len > sizeof(f->buf) - f->used)
		feed_flush(f);
	if (len > sizeof(f->buf)) {
		f->ok = f->ok && EVP_DigestUpdate(f->s, p, len) == 1 &&
			EVP_DigestUpdate(f->dated, p, len) == 1;
		return;
	}
	memcpy(f->buf + f->used, p, len);
	f->used += len;
}

/* SHA-256 of S into `data` and of "<generated>," S "<valid>" into `dated`
 * (GenerateDigest formats both times with Go's %v: plain decimal). */
static int
digest_hash(struct source_digest *d, uint8_t data[32], uint8_t dated[32])
{
	struct feed *f = ctx_zalloc(d->ctx, sizeof(*f));
	char num[32];
	int n, rc = RTRMOD_ENOMEM;

	if (f == NULL)
		return RTRMOD_ENOMEM;
	f->s = EVP_MD_CTX_new();
	f->dated = EVP_MD_CTX_new();
	if (f->s == NULL || f->dated == NULL || EVP_DigestInit_ex(f->s, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(f->dated, EVP_sha256(), NULL) != 1)
		goto fail;
	n = snprintf(num, sizeof(num), "%" PRId64 ",", d->meta.generated);
	if (EVP_DigestUpdate(f->dated, num, (size_t)n) != 1)
		goto fail;
	f->ok = true;
	for (size_t i = 0; i < d->n; i++)
		feed(f, d->lines[i].at.p, d->lines[i].len);
	feed_flush(f);
	n = snprintf(num, sizeof(num), "%" PRId64, d->meta.valid);
	if (f->ok && EVP_DigestUpdate(f->dated, num, (size_t)n) == 1 &&
	    EVP_DigestFinal_ex(f->s, data, NULL) == 1 &&
	    EVP_DigestFinal_ex(f->dated, dated, NULL) == 1)
		rc = 0;
fail:
	EVP_MD_CTX_free(f->s);
	EVP_MD_CTX_free(f->dated);
	ctx_free(d->ctx, f);
	ERR_clear_error();
	return rc;
}

/* ---- verifying ----------------------------------------------------------- */

/* One hex DER ECDSA-Sig-Value over a SHA-256 digest: NULL if it verifies,
 * else why not.  DER is strict: GoRTR's asn1.Unmarshal would ignore bytes
 * after the signature, OpenSSL and we do not. */
static const char *
sig_check(EVP_PKEY *key, const char *hex, const uint8_t digest[32])
{
	uint8_t der[SIG_DER_MAX];
	const unsigned char *p = der;
	size_t len = hex != NULL ? strlen(hex) : 0;
	EVP_PKEY_CTX *pctx;
	ECDSA_SIG *es;
	int ok;

	if (len == 0)
		return "is missing";
	if (len % 2 != 0 || len / 2 > sizeof(der) || !source_hex_parse(hex, len, der, len / 2))
		return "is not hex of a signature";
	es = d2i_ECDSA_SIG(NULL, &p, (long)(len / 2));
	ok = es != NULL && p == der + len / 2;
	ECDSA_SIG_free(es);
	ERR_clear_error();
	if (!ok)
		return "is not a DER ECDSA signature";
	pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	ok = pctx != NULL && EVP_PKEY_verify_init(pctx) == 1 &&
	     EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha256()) == 1 &&
	     EVP_PKEY_verify(pctx, der, len / 2, digest, 32) == 1;
	EVP_PKEY_CTX_free(pctx);
	ERR_clear_error();
	return ok ? NULL : "does not verify with the configured key";
}

/*
 * Both signatures must verify.  GoRTR lets "signature" (the one covering
 * the times) fail when it does not check times; we do not, so a file's
 * generated and valid are always the signer's, whatever the time options.
 */
int
source_digest_verify(struct rtrmod_source *src, struct source_digest *d, const char *name)
{
	uint8_t data[32], dated[32];
	const char *why;
	int rc;

	if (!d->has_meta || (d->meta.signature == NULL && d->meta.signature_date == NULL))
		return source_fail(src, RTRMOD_EVERIFY, name,
				   "not signed: no metadata \"signature\" and \"signatureDate\"");
	digest_sort(d);
	rc = digest_hash(d, data, dated);
	if (rc != 0)
		return rc;
	why = sig_check(src->verify_key, d->meta.signature_date, data);
	if (why != NULL)
		return source_fail(src, RTRMOD_EVERIFY, name,
				   "metadata \"signatureDate\" (over %zu roas) %s", d->n, why);
	why = sig_check(src->verify_key, d->meta.signature, dated);
	if (why != NULL)
		return source_fail(src, RTRMOD_EVERIFY, name,
				   "metadata \"signature\" (over %zu roas, generated %" PRId64
				   ", valid %" PRId64 ") %s",
				   d->n, d->meta.generated, d->meta.valid, why);
	src->has_build_time = d->meta.has_generated;
	src->build_time = d->meta.has_generated ? d->meta.generated : 0;
	src->verified = true;
	return 0;
}
