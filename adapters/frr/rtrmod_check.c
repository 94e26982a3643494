/*
 * rtrmod_check.c: whether this bgpd is one the module may run in, decided
 * once at late init.  bgpd's struct layouts differ between FRR releases and
 * builds, and FRR checks no module version, so the module runs only in the
 * FRR it was compiled against: the same upstream version (libfrr's, as the
 * module list reports it) and, when both are known, the same Debian package
 * version (the prepared source's, recorded at configure time, against the
 * installed `frr` package's in dpkg's status file).  FRR's own `-M rpki`
 * must not be loaded too.
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

/*
 * The version of the installed `frr` package, from dpkg's status file (one
 * stanza per package, blank lines between; a package counts when its
 * Status ends in "installed").  Read once at late init: blocking file I/O,
 * before bgpd serves anything.  False when it cannot be learnt (no dpkg, no
 * such package): the upstream check alone then decides.
 */
static bool
installed_package_version(char *out, size_t size)
{
	const char *path = getenv("RTRMOD_FRR_DPKG_STATUS");
	char line[512], version[PKG_VERSION_MAX] = "";
	bool at_start = true, is_frr = false, installed = false, found = false;
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
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		bool starts = at_start;

		at_start = strchr(line, '\n') != NULL;
		if (!starts)
			continue; /* the rest of a long line */
		if (line[0] == '\n') {
			found = is_frr && installed && version[0];
			if (found)
				break;
			is_frr = installed = false;
			version[0] = '\0';
		} else if ((v = field_value(line, "Package")) != NULL) {
			is_frr = strcmp(v, "frr") == 0;
		} else if ((v = field_value(line, "Status")) != NULL) {
			size_t n = strlen(v);

			installed = n >= 10 && strcmp(v + n - 10, " installed") == 0;
		} else if ((v = field_value(line, "Version")) != NULL) {
			snprintf(version, sizeof(version), "%s", v);
		}
	}
	found = found || (is_frr && installed && version[0]);
	fclose(f);
	if (found)
		snprintf(out, size, "%s", version);
	return found;
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

static bool
same_frr(void)
{
	const char *running = running_frr_version();
	const char *built = RTRMOD_FRR_PACKAGE_VERSION;
	char installed[PKG_VERSION_MAX];

	if (running == NULL || strcmp(running, FRR_VERSION) != 0) {
		zlog_err("rtrmod: this module was built for FRR %s but bgpd runs FRR %s",
			 FRR_VERSION, running != NULL ? running : "(unknown)");
		return false;
	}
	if (!*built) {
		zlog_info("rtrmod: built without the FRR package version (no .rtrmod-prepared in "
			  "the FRR source); only the upstream version %s was checked",
			  FRR_VERSION);
		return true;
	}
	if (!installed_package_version(installed, sizeof(installed))) {
		zlog_info("rtrmod: the installed frr package version is unknown (no dpkg status); "
			  "only the upstream version %s was checked",
			  FRR_VERSION);
		return true;
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
	if (!same_frr()) {
		zlog_err(
		    "rtrmod: RPKI origin validation is OFF: the module stays inactive (build "
		    "it against the source of the installed FRR: scripts/frr-source.sh); the "
		    "rpki node and `match rpki` are accepted and kept in the configuration, but "
		    "no cache is connected and `match rpki` never matches");
		return RTRMOD_FRR_OTHER_FRR;
	}
	return RTRMOD_FRR_RUN;
}

const char *
rtrmod_frr_package_version(void)
{
	return RTRMOD_FRR_PACKAGE_VERSION;
}
