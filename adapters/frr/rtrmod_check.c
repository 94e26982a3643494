/*
 * rtrmod_check.c: whether this bgpd is one the module may run in, decided
 * once at late init.  bgpd's struct layouts differ between FRR releases and
 * builds, and FRR checks no module version, so the module runs only in the
 * FRR it was compiled against: the same upstream version (libfrr's, as the
 * module list reports it) and, when the built one is known and dpkg manages
 * `frr`, the same Debian package version (the prepared source's, recorded
 * at configure time, against the one dpkg's status file says is unpacked:
 * mid-upgrade too).  FRR's own `-M rpki` must not be loaded too.  Another
 * upstream version and another package version are told apart: only in the
 * latter may the module install its (inert) CLI.
 *
 * Two environment variables are test hooks, not configuration: they make
 * the refusal paths testable on a machine with one FRR.  RTRMOD_FRR_FAKE_VERSION
 * stands for the running libfrr version; RTRMOD_FRR_DPKG_STATUS names another
 * dpkg status file.  Both are logged when set.
 */
#include <zebra.h>

#include "lib/libfrr.h"
#include "lib/module.h"
#include "lib/version.h"
#include "lib/zlog.h"

#include "rtrmod_frr.h"

#ifndef RTRMOD_FRR_PACKAGE_VERSION
#define RTRMOD_FRR_PACKAGE_VERSION ""
#endif

#define DPKG_STATUS     "/var/lib/dpkg/status"
#define PKG_VERSION_MAX 128

/* The version string of the libfrr this bgpd runs: the core entry of the
 * module list (lib/module.c). */
static const char *
running_frr_version(void)
{
	const char *fake = getenv("RTRMOD_FRR_FAKE_VERSION");

	if (fake != NULL && *fake) {
		zlog_warn("rtrmod: RTRMOD_FRR_FAKE_VERSION=%s (a test hook): taking this bgpd "
			  "for FRR %s",
			  fake, fake);
		return fake;
	}
	for (const struct frrmod_runtime *m = frrmod_list; m != NULL; m = m->next)
		if (m->info != NULL && m->info->name != NULL &&
		    strcmp(m->info->name, "libfrr") == 0)
			return m->info->version;
	return NULL;
}

/* `Field: value` of a stanza line, the value's trailing newline cut;
 * NULL when the line is another field. */
static const char *
field_value(char *line, const char *field)
{
	size_t n = strlen(field);

	if (strncmp(line, field, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* What dpkg's status file says of the `frr` package. */
enum pkg_answer {
	PKG_UNKNOWN = 0, /* no status file, or no `frr` stanza: dpkg does not manage it */
	PKG_VERSION,     /* the version whose files are on disk */
	PKG_UNUSABLE     /* an `frr` stanza without such a version (reason given) */
};

/*
 * The Status states (dpkg(1), the third word of the field) in which the
 * stanza's Version is not what is on disk: not-installed and config-files
 * leave no binaries, half-installed is an unpack that failed half way.
 * Every other state has the Version's files unpacked, the binaries bgpd
 * runs included: unpacked and half-configured during an upgrade (before
 * its postinst restarts FRR), triggers-awaited/-pending, installed.
 */
static bool
status_has_files(const char *status)
{
	const char *state = strrchr(status, ' ');

	state = state != NULL ? state + 1 : status;
	return *state && strcmp(state, "not-installed") != 0 &&
	       strcmp(state, "config-files") != 0 && strcmp(state, "half-installed") != 0;
}

/* The `frr` stanza once read: its answer, the version into `out` or the
 * reason into `why`. */
static enum pkg_answer
frr_stanza_answer(const char *status, const char *version, char *out, size_t size, char *why,
		  size_t why_size)
{
	if (!*status) {
		snprintf(why, why_size, "its stanza has no Status");
		return PKG_UNUSABLE;
	}
	if (!status_has_files(status)) {
		snprintf(why, why_size, "its Status is \"%s\"", status);
		return PKG_UNUSABLE;
	}
	if (!*version) {
		snprintf(why, why_size, "its stanza (Status \"%s\") has no Version", status);
		return PKG_UNUSABLE;
	}
	snprintf(out, size, "%s", version);
	return PKG_VERSION;
}

/*
 * The version of the installed `frr` package, from dpkg's status file (one
 * stanza per package, blank lines between).  Read once at late init:
 * blocking file I/O, before bgpd serves anything.  PKG_UNKNOWN when it
 * cannot be learnt (no dpkg, no such package): the upstream check alone
 * then decides.  An `frr` stanza whose files are not (all) on disk, or
 * that names no version, is PKG_UNUSABLE: dpkg manages FRR but we cannot
 * tell which build bgpd is, so the caller takes it for another one.
 */
static enum pkg_answer
installed_package_version(char *out, size_t size, char *why, size_t why_size)
{
	const char *path = getenv("RTRMOD_FRR_DPKG_STATUS");
	char line[512], version[PKG_VERSION_MAX] = "", status[PKG_VERSION_MAX] = "";
	bool at_start = true, is_frr = false, done = false;
	enum pkg_answer answer = PKG_UNKNOWN;
	const char *v;
	FILE *f;

	if (path != NULL && *path)
		zlog_warn("rtrmod: RTRMOD_FRR_DPKG_STATUS=%s (a test hook): reading the installed "
			  "FRR package version from there",
			  path);
	else
		path = DPKG_STATUS;
	f = fopen(path, "r");
	if (f == NULL)
		return PKG_UNKNOWN;
	while (!done && fgets(line, sizeof(line), f) != NULL) {
		bool starts = at_start;

		at_start = strchr(line, '\n') != NULL;
		if (!starts)
			continue; /* the rest of a long line */
		if (line[0] == '\n') {
			done = is_frr; /* the first `frr` stanza decides */
			if (!done)
				version[0] = status[0] = '\0';
		} else if ((v = field_value(line, "Package")) != NULL) {
			is_frr = strcmp(v, "frr") == 0;
		} else if ((v = field_value(line, "Status")) != NULL) {
			snprintf(status, sizeof(status), "%s", v);
		} else if ((v = field_value(line, "Version")) != NULL) {
			snprintf(version, sizeof(version), "%s", v);
		}
	}
	fclose(f);
	if (is_frr) /* ended by a blank line or by the end of the file */
		answer = frr_stanza_answer(status, version, out, size, why, why_size);
	return answer;
}

static bool
stock_rpki_loaded(void)
{
	for (const struct frrmod_runtime *m = frrmod_list; m != NULL; m = m->next)
		if (m->info != NULL && m->info->name != NULL &&
		    strcmp(m->info->name, "bgpd_rpki") == 0)
			return true;
	return false;
}

/* The upstream version: only a bgpd of the same one has the structures,
 * enums and CLI internals the module was compiled against. */
static bool
same_upstream(void)
{
	const char *running = running_frr_version();

	if (running != NULL && strcmp(running, FRR_VERSION) == 0)
		return true;
	zlog_err("rtrmod: this module was built for FRR %s but bgpd runs FRR %s", FRR_VERSION,
		 running != NULL ? running : "(unknown)");
	return false;
}

/* The Debian package version, when both it and the built one are known. */
static bool
same_package(void)
{
	const char *built = RTRMOD_FRR_PACKAGE_VERSION;
	char installed[PKG_VERSION_MAX], why[256];

	if (!*built) {
		zlog_info("rtrmod: built without the FRR package version (no .rtrmod-prepared in "
			  "the FRR source); only the upstream version %s was checked",
			  FRR_VERSION);
		return true;
	}
	switch (installed_package_version(installed, sizeof(installed), why, sizeof(why))) {
	case PKG_UNKNOWN:
		zlog_info("rtrmod: the installed frr package version is unknown (no dpkg status, "
			  "or no frr package in it); only the upstream version %s was checked",
			  FRR_VERSION);
		return true;
	case PKG_UNUSABLE:
		zlog_err("rtrmod: this module was built against the source of the frr package %s "
			 "but dpkg names no version of frr whose files are installed (%s): this "
			 "bgpd may be another build",
			 built, why);
		return false;
	case PKG_VERSION:
		break;
	}
	if (strcmp(installed, built) != 0) {
		zlog_err("rtrmod: this module was built against the source of the frr package %s "
			 "but frr %s is installed (a Debian revision may change bgpd's structures)",
			 built, installed);
		return false;
	}
	return true;
}

enum rtrmod_frr_verdict
rtrmod_frr_check(void)
{
	/* The stock module first: then it has the commands, whatever else. */
	if (stock_rpki_loaded()) {
		zlog_err("rtrmod: FRR's own RPKI module (-M rpki) is loaded too: rtrmod stays "
			 "inactive (bgpd adds up the answers of both modules' validation hooks, "
			 "and their commands clash); load only one of them");
		return RTRMOD_FRR_STOCK_RPKI;
	}
	if (!same_upstream()) {
		/* Nothing installed: the rpki node, its DEFUNs and the
		 * route_map_rule_cmd are built on FRR 8.4's headers. */
		zlog_err("rtrmod: RPKI origin validation is OFF: the module stays inactive and "
			 "installs nothing in a bgpd of another FRR version (its commands are "
			 "compiled against FRR %s): the rpki node is an unknown command, and bgpd "
			 "refuses every `match rpki` line but keeps its route-map entry with no "
			 "match clause, which then applies to every route (a `deny` entry denies "
			 "them all); load the module built for this FRR (scripts/frr-source.sh) or "
			 "remove `match rpki` from the route-maps",
			 FRR_VERSION);
		return RTRMOD_FRR_OTHER_UPSTREAM;
	}
	if (!same_package()) {
		zlog_err(
		    "rtrmod: RPKI origin validation is OFF: the module stays inactive (build "
		    "it against the source of the installed FRR: scripts/frr-source.sh); the "
		    "rpki node and `match rpki` are accepted and kept in the configuration, but "
		    "no cache is connected and `match rpki` never matches");
		return RTRMOD_FRR_OTHER_REVISION;
	}
	return RTRMOD_FRR_RUN;
}

const char *
rtrmod_frr_package_version(void)
{
	return RTRMOD_FRR_PACKAGE_VERSION;
}
