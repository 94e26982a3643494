/*
 * config_locate.c: the line of a data path in the text of a configuration,
 * for the errors libyang reports without one (validation: must rules,
 * mandatory nodes) and for the core's own refusals.  A small scanner walks
 * the JSON members or XML elements named by the path, matching list
 * entries by their key values; it reads only, never allocates, and falls
 * back to the nearest ancestor found (a default leaf has no line of its
 * own).  The text has already been parsed by libyang, so it is well formed.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "config_internal.h"

#define MAX_PREDS 4

/* One step of a data path: name[key='value']... */
struct step {
	const char *name;
	size_t nlen;
	unsigned npreds;
	struct {
		const char *key, *val;
		size_t klen, vlen;
	} preds[MAX_PREDS];
};

/* Parse the step at *p (after its '/'); false when malformed. */
static bool
next_step(const char **p, struct step *st)
{
	const char *s = *p, *colon;

	st->name = s;
	while (*s != '\0' && *s != '/' && *s != '[')
		s++;
	colon = memchr(st->name, ':', (size_t)(s - st->name));
	if (colon != NULL)
		st->name = colon + 1;
	st->nlen = (size_t)(s - st->name);
	st->npreds = 0;
	while (*s == '[') {
		const char *k = s + 1, *eq = strchr(k, '=');
		char quote;

		if (eq == NULL || (eq[1] != '\'' && eq[1] != '"'))
			return false;
		quote = eq[1];
		s = strchr(eq + 2, quote);
		if (s == NULL || s[1] != ']')
			return false;
		if (st->npreds < MAX_PREDS) {
			st->preds[st->npreds].key = k;
			st->preds[st->npreds].klen = (size_t)(eq - k);
			st->preds[st->npreds].val = eq + 2;
			st->preds[st->npreds].vlen = (size_t)(s - (eq + 2));
			st->npreds++;
		}
		s += 2;
	}
	if (*s != '/' && *s != '\0')
		return false;
	*p = s;
	return true;
}

static unsigned
line_at(const char *text, const char *pos)
{
	unsigned line = 1;

	for (; text < pos; text++)
		if (*text == '\n')
			line++;
	return line;
}

static bool
name_is(const char *s, size_t n, const char *name, size_t nlen)
{
	const char *colon = memchr(s, ':', n);

	if (colon != NULL) {
		n -= (size_t)(colon + 1 - s);
		s = colon + 1;
	}
	return n == nlen && memcmp(s, name, n) == 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static const char *
j_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* p at '"': the end of the string (after its closing quote). */
static const char *
j_string(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\' && p + 1 < end)
			p++;
	return p < end ? p + 1 : end;
}

static const char *
j_value(const char *p, const char *end)
{
	int depth = 0;

	p = j_ws(p, end);
	if (p < end && *p == '"')
		return j_string(p, end);
	if (p < end && *p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
		       *p != '\r' && *p != '\t')
			p++;
		return p;
	}
	for (; p < end; p++) {
		if (*p == '"') {
			p = j_string(p, end) - 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p + 1;
		}
	}
	return end;
}

/* Whether the scalar at p (string or bare token) reads `val`. */
static bool
j_scalar_is(const char *p, const char *end, const char *val, size_t vlen)
{
	const char *e = j_value(p, end);

	p = j_ws(p, end);
	if (p < end && *p == '"') {
		p++;
		e--;
	}
	return (size_t)(e - p) == vlen && memcmp(p, val, vlen) == 0;
}

/* In the object at p ('{'), the value of member `name`; NULL if none.
 * *member is where the member's name starts. */
static const char *
j_member(const char *p, const char *end, const char *name, size_t nlen, const char **member)
{
	p = j_ws(p, end);
	if (p >= end || *p != '{')
		return NULL;
	p++;
	for (;;) {
		const char *k, *ke;

		p = j_ws(p, end);
		if (p >= end || *p != '"')
			return NULL;
		k = p;
		ke = j_string(p, end);
		p = j_ws(ke, end);
		if (p >= end || *p != ':')
			return NULL;
		p = j_ws(p + 1, end);
		if (name_is(k + 1, (size_t)(ke - 1 - (k + 1)), name, nlen)) {
			*member = k;
			return p;
		}
		p = j_ws(j_value(p, end), end);
		if (p >= end || *p != ',')
			return NULL;
		p++;
	}
}

/* Whether the list entry (object) or leaf-list entry (scalar) at p
 * matches the step's predicates. */
static bool
j_entry_matches(const char *p, const char *end, const struct step *st)
{
	const char *m, *v;
	unsigned i;

	for (i = 0; i < st->npreds; i++) {
		if (st->preds[i].klen == 1 && st->preds[i].key[0] == '.') {
			if (!j_scalar_is(p, end, st->preds[i].val, st->preds[i].vlen))
				return false;
			continue;
		}
		v = j_member(p, end, st->preds[i].key, st->preds[i].klen, &m);
		if (v == NULL || !j_scalar_is(v, end, st->preds[i].val, st->preds[i].vlen))
			return false;
	}
	return true;
}

/*
 * One step of the walk in JSON: the member st names in [*p, *end), and in
 * its array the entry st's keys match when it is a list or leaf-list.
 * Whether the walk goes on, from inside what was found; *found is what to
 * give the line of (the member when its entry is missing).
 */
static bool
json_step(const char **p, const char **end, const struct step *st, const char **found)
{
	const char *m, *v = j_member(*p, *end, st->name, st->nlen, &m);

	if (v == NULL)
		return false;
	*found = m;
	if (st->npreds == 0) {
		*p = v;
		return true;
	}
	/* a list or leaf-list: find the entry in its array */
	if (*v != '[')
		return false;
	v = j_ws(v + 1, *end);
	while (v < *end && *v != ']' && !j_entry_matches(v, *end, st)) {
		v = j_ws(j_value(v, *end), *end);
		if (v < *end && *v == ',')
			v = j_ws(v + 1, *end);
	}
	if (v >= *end || *v == ']')
		return false;
	*found = v;
	*p = v;
	return true;
}

/* ---- XML ------------------------------------------------------------------- */

/* p after '<': past the tag's '>' (quoted attribute values skipped);
 * *empty for "<x/>". */
static const char *
x_tag_end(const char *p, const char *end, bool *empty)
{
	char quote = 0;

	for (; p < end; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '>') {
			*empty = p[-1] == '/';
			return p + 1;
		}
	}
	*empty = true;
	return end;
}

/* p at "<!--", "<?" or "<![CDATA[": past it. */
static const char *
x_skip_special(const char *p, const char *end)
{
	const char *close = strncmp(p, "<!--", 4) == 0        ? "-->"
			    : strncmp(p, "<![CDATA[", 9) == 0 ? "]]>"
			    : strncmp(p, "<?", 2) == 0        ? "?>"
							      : ">";
	const char *e = strstr(p, close);

	return e != NULL && e < end ? e + strlen(close) : end;
}

struct x_el {
	const char *start; /* '<' */
	const char *name;
	size_t nlen;
	const char *content, *content_end;
};

/* The next child element in [p, end); NULL at the parent's end. */
static const char *
x_next(const char *p, const char *end, struct x_el *el)
{
	bool empty;
	int depth;

	for (;;) {
		p = memchr(p, '<', (size_t)(end - p));
		if (p == NULL || p + 1 >= end || p[1] == '/')
			return NULL;
		if (p[1] == '!' || p[1] == '?') {
			p = x_skip_special(p, end);
			continue;
		}
		break;
	}
	el->start = p;
	el->name = p + 1;
	for (el->nlen = 0;
	     el->name + el->nlen < end && strchr(" \t\r\n/>", el->name[el->nlen]) == NULL;
	     el->nlen++)
		;
	p = x_tag_end(p + 1, end, &empty);
	el->content = el->content_end = p;
	if (empty)
		return p;
	for (depth = 0; p < end;) {
		p = memchr(p, '<', (size_t)(end - p));
		if (p == NULL)
			return NULL;
		if (p[1] == '!' || p[1] == '?') {
			p = x_skip_special(p, end);
		} else if (p[1] == '/') {
			if (depth-- == 0) {
				el->content_end = p;
				return x_tag_end(p + 1, end, &empty);
			}
			p = x_tag_end(p + 1, end, &empty);
		} else {
			p = x_tag_end(p + 1, end, &empty);
			if (!empty)
				depth++;
		}
	}
	return NULL;
}

static bool
x_text_is(const char *p, const char *e, const char *val, size_t vlen)
{
	while (p < e && strchr(" \t\r\n", *p) != NULL)
		p++;
	while (e > p && strchr(" \t\r\n", e[-1]) != NULL)
		e--;
	return (size_t)(e - p) == vlen && memcmp(p, val, vlen) == 0;
}

static bool
x_entry_matches(const struct x_el *el, const struct step *st)
{
	struct x_el k;
	const char *p;
	unsigned i;

	for (i = 0; i < st->npreds; i++) {
		bool ok = false;

		if (st->preds[i].klen == 1 && st->preds[i].key[0] == '.') {
			if (!x_text_is(el->content, el->content_end, st->preds[i].val,
				       st->preds[i].vlen))
				return false;
			continue;
		}
		for (p = el->content; p != NULL && !ok; p = x_next(p, el->content_end, &k))
			if (p != el->content &&
			    name_is(k.name, k.nlen, st->preds[i].key, st->preds[i].klen))
				ok = x_text_is(k.content, k.content_end, st->preds[i].val,
					       st->preds[i].vlen);
		if (!ok)
			return false;
	}
	return true;
}

/* One step of the walk in XML: the first child element of [*p, *end)
 * that st names and whose keys match; the walk goes on inside it. */
static bool
xml_step(const char **p, const char **end, const struct step *st, const char **found)
{
	const char *next;
	struct x_el el;

	for (next = x_next(*p, *end, &el); next != NULL; next = x_next(next, *end, &el))
		if (name_is(el.name, el.nlen, st->name, st->nlen) && x_entry_matches(&el, st))
			break;
	if (next == NULL)
		return false;
	*found = el.start;
	*p = el.content;
	*end = el.content_end;
	return true;
}

/* ---- the walk ------------------------------------------------------------------- */

typedef bool step_fn(const char **p, const char **end, const struct step *st, const char **found);

/* Follow the path's steps from the top of text; the line of the last node
 * found, *exact when that is the whole path. */
static unsigned
locate(const char *text, size_t len, const char *path, step_fn *step, bool *exact)
{
	const char *p = text, *end = text + len, *found = NULL;
	struct step st;

	for (;;) {
		if (*path != '/') {
			*exact = found != NULL;
			break;
		}
		path++;
		if (!next_step(&path, &st) || !step(&p, &end, &st, &found))
			break;
	}
	return found != NULL ? line_at(text, found) : 0;
}

unsigned
cfg_locate_line(const char *text, size_t len, bool xml, const char *path, bool *exact)
{
	bool dummy;

	if (exact == NULL)
		exact = &dummy;
	*exact = false;
	if (text == NULL || path == NULL)
		return 0;
	return locate(text, len, path, xml ? xml_step : json_step, exact);
}
