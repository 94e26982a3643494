/*
 * bench_xz.c: a pipe from `xz -dc` for the benchmarks' real data; the path
 * is single-quoted for the shell, with embedded quotes escaped.
 */
#include "config.h"

#include <string.h>

#include "bench_xz.h"

FILE *
bench_xz_open(const char *path)
{
	char cmd[8192];
	size_t n = 0;
	const char *p;

	n += (size_t)snprintf(cmd, sizeof(cmd), "xz -dc -- '");
	for (p = path; *p != '\0' && n + 8 < sizeof(cmd); p++) {
		if (*p == '\'') {
			memcpy(cmd + n, "'\\''", 4);
			n += 4;
		} else {
			cmd[n++] = *p;
		}
	}
	if (*p != '\0')
		return NULL;
	memcpy(cmd + n, "'", 2);
	return popen(cmd, "r");
}
