/*
 * source.c: the source object that every VRP document parser fills
 * (options, per-kind and per-reason statistics, document times, the last
 * error), the time checks every parsed document passes, reading a document
 * from a file, and the text forms of values RPKI documents share.  Parsers
 * live beside it (source_json.c), and so do signatures (source_sign.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rtrmod/source.h>

#include "rtrmod_internal.h"
#include "source_internal.h"

/* ---- the source object ------------------------------------------------- */

void
source_reset(struct rtrmod_source *src)
{
	memset(src->accepted, 0, sizeof(src->accepted));
	memset(src->dropped, 0, sizeof(src->dropped));
	src->format = RTRMOD_SOURCE_FORMAT_UNKNOWN;
	src->has_build_time = src->has_valid_until = src->has_next_expiry = false;
	src->verified = false;
	src->build_time = src->valid_until = src->next_expiry = 0;
}

int
source_fail(struct rtrmod_source *src, int rc, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(src->error, sizeof(src->error), "%s: ", name);
	if (n < 0 || (size_t)n >= sizeof(src->error))
		return rc;
	va_start(ap, fmt);
	vsnprintf(src->error + n, sizeof(src->error) - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

void
source_note_expiry(struct rtrmod_source *src, int64_t at)
{
	if (!src->has_next_expiry || at < src->next_expiry) {
		src->has_next_expiry = true;
		src->next_expiry = at;
	}
}

/* Read a whole file into memory from the context's allocator. */
int
read_whole_file(struct rtrmod_ctx *ctx, const char *path, char **out, size_t *out_len, char *err,
		size_t err_size)
{
	struct stat st;
	size_t cap, len = 0;
	char *buf = NULL, *p;
	ssize_t n;
	int fd, rc = RTRMOD_EIO;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0)
		goto fail;
	cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 64 * 1024;
	for (;;) {
		if (len == cap || buf == NULL) {
			cap = buf == NULL ? cap : cap * 2;
			p = ctx_realloc(ctx, buf, cap);
			if (p == NULL) {
				rc = RTRMOD_ENOMEM;
				goto fail;
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*out = buf;
	*out_len = len;
	return 0;
fail:
	if (rc == RTRMOD_EIO)
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	ctx_free(ctx, buf);
	return rc;
}

int
source_read_file(struct rtrmod_source *src, const char *path, char **out, size_t *out_len)
{
	return read_whole_file(src->ctx, path, out, out_len, src->error, sizeof(src->error));
}

/* ---- time checks ------------------------------------------------------- */

/* a + b, held at INT64_MAX. */
static int64_t
time_add(int64_t a, uint32_t b)
{
	return a > INT64_MAX - (int64_t)b ? INT64_MAX : a + (int64_t)b;
}

/* "2025-07-20T10:01:43Z", or the number when it is out of gmtime's range. */
static const char *
time_text(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%" PRId64, t);
	return buf;
}

/*
 * GoRTR refuses a file once now is after its "valid" (cmd/gortr, -checktime);
 * StayRTR once now is after its build time + 24 hours, and also when it
 * states no build time (cmd/stayrtr, -checktime).  Both compare with "after",
 * so the last second itself is still good.  A document without "valid" (any
 * rpki-client one) is judged on its age alone.
 */
int
source_check_time(struct rtrmod_source *src, const char *name, int64_t now, bool *has_until,
		  int64_t *out_until)
{
	char a[32], b[32];
	int64_t until = INT64_MAX;

	*has_until = false;
	*out_until = 0;
	if (!src->check_time)
		return 0;
	if (src->has_valid_until) {
		if (now > src->valid_until)
			return source_fail(src, RTRMOD_ESTALE, name,
					   "expired: valid until %s, now is %s",
					   time_text(src->valid_until, a), time_text(now, b));
		until = src->valid_until;
	}
	if (src->max_age > 0) {
		if (!src->has_build_time)
			return source_fail(
			    src, RTRMOD_ESTALE, name,
			    "no build time (metadata \"buildtime\" or \"generated\") "
			    "to check its age against");
		if (now > time_add(src->build_time, src->max_age))
			return source_fail(
			    src, RTRMOD_ESTALE, name,
			    "stale: built %s, more than %" PRIu32 " seconds before now (%s)",
			    time_text(src->build_time, a), src->max_age, time_text(now, b));
		if (time_add(src->build_time, src->max_age) < until)
			until = time_add(src->build_time, src->max_age);
	}
	*has_until = until != INT64_MAX || src->has_valid_until;
	*out_until = *has_until ? until : 0;
	return 0;
}

int
rtrmod_source_new(struct rtrmod_ctx *ctx, struct rtrmod_source **out)
{
	struct rtrmod_source *src;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || out == NULL)
		return RTRMOD_EINVAL;
	src = ctx_zalloc(ctx, sizeof(*src));
	if (src == NULL)
		return RTRMOD_ENOMEM;
	src->ctx = ctx;
	src->max_age = SOURCE_MAX_AGE_DEFAULT;
	*out = src;
	return 0;
}

void
rtrmod_source_free(struct rtrmod_source *src)
{
	if (src == NULL)
		return;
	source_sign_free(src);
	ctx_free(src->ctx, src);
}

void
rtrmod_source_set_check_time(struct rtrmod_source *src, bool on)
{
	if (src != NULL)
		src->check_time = on;
}

void
rtrmod_source_set_max_age(struct rtrmod_source *src, uint32_t seconds)
{
	if (src != NULL)
		src->max_age = seconds;
}

void
rtrmod_source_set_ignore_expiry(struct rtrmod_source *src, bool ignore)
{
	if (src != NULL)
		src->ignore_expiry = ignore;
}

const char *
rtrmod_source_error(const struct rtrmod_source *src)
{
	return src != NULL ? src->error : "";
}

size_t
rtrmod_source_accepted(const struct rtrmod_source *src, enum rtrmod_source_kind kind)
{
	if (src == NULL || (unsigned)kind >= RTRMOD_SOURCE_KIND_COUNT)
		return 0;
	return src->accepted[kind];
}

size_t
rtrmod_source_dropped(const struct rtrmod_source *src, enum rtrmod_source_kind kind,
		      enum rtrmod_source_drop reason)
{
	if (src == NULL || (unsigned)kind >= RTRMOD_SOURCE_KIND_COUNT ||
	    (unsigned)reason >= RTRMOD_SOURCE_DROP_COUNT)
		return 0;
	return src->dropped[kind][reason];
}

size_t
rtrmod_source_dropped_total(const struct rtrmod_source *src, enum rtrmod_source_kind kind)
{
	size_t total = 0;

	for (unsigned r = 0; r < RTRMOD_SOURCE_DROP_COUNT; r++)
		total += rtrmod_source_dropped(src, kind, (enum rtrmod_source_drop)r);
	return total;
}

enum rtrmod_source_format
rtrmod_source_format(const struct rtrmod_source *src)
{
	return src != NULL ? src->format : RTRMOD_SOURCE_FORMAT_UNKNOWN;
}

static bool
time_out(bool has, int64_t value, int64_t *out)
{
	if (has && out != NULL)
		*out = value;
	return has;
}

bool
rtrmod_source_build_time(const struct rtrmod_source *src, int64_t *out)
{
	return src != NULL && time_out(src->has_build_time, src->build_time, out);
}

bool
rtrmod_source_valid_until(const struct rtrmod_source *src, int64_t *out)
{
	return src != NULL && time_out(src->has_valid_until, src->valid_until, out);
}

bool
rtrmod_source_next_expiry(const struct rtrmod_source *src, int64_t *out)
{
	return src != NULL && time_out(src->has_next_expiry, src->next_expiry, out);
}

bool
rtrmod_source_fresh_until(const struct rtrmod_source *src, int64_t *out)
{
	return src != NULL && time_out(src->has_fresh_until, src->fresh_until, out);
}

/* ---- values ------------------------------------------------------------ */

bool
source_asn_parse(const char *s, size_t len, uint32_t *out)
{
	uint64_t n = 0;
	size_t i = 0;

	if (len >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		i = 2;
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(s[i] - '0');
		if (n > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)n;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no timegm() and no TZ. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool
digits(const char *s, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool
source_time_parse(const char *s, int64_t *out)
{
	unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
	int64_t t;
	int sign = 0;

	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	s += 19;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		if (!digits(s + 1, 2, &oh) || s[3] != ':' || !digits(s + 4, 2, &om) || s[6] != '\0')
			return false;
	} else if ((*s != 'Z' && *s != 'z') || s[1] != '\0') {
		return false;
	}
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	*out = t - sign * (int64_t)(oh * 3600 + om * 60);
	return true;
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
source_hex_parse(const char *s, size_t len, uint8_t *out, size_t n)
{
	if (len != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_nibble(s[2 * i]), lo = hex_nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

bool
source_base64_parse(const char *s, size_t len, uint8_t *out, size_t *out_len)
{
	size_t n = len, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n == 0 || n % 4 == 1 || len - n > 2 || (len != n && len % 4 != 0))
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = b64_value(s[i]);

		if (d < 0)
			return false;
		acc = acc << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*out_len = o;
	return true;
}

/* ---- names ------------------------------------------------------------- */

const char *
rtrmod_source_kind_name(enum rtrmod_source_kind kind)
{
	static const char *const names[] = {"vrp", "router-key", "aspa"};

	return (unsigned)kind < ARRAY_SIZE(names) ? names[kind] : "unknown";
}

const char *
rtrmod_source_drop_name(enum rtrmod_source_drop reason)
{
	static const char *const names[] = {
	    "malformed", "prefix", "asn", "max-length", "ski", "key", "providers", "expired",
	};

	return (unsigned)reason < ARRAY_SIZE(names) ? names[reason] : "unknown";
}

const char *
rtrmod_source_format_name(enum rtrmod_source_format format)
{
	static const char *const names[] = {"unknown", "rpki-client", "gortr", "routinator"};

	return (unsigned)format < ARRAY_SIZE(names) ? names[format] : "unknown";
}
