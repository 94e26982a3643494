/*
 * bench_xz.h: reading the xz-compressed real data sets the benchmarks use,
 * through a pipe from the `xz` program (no library dependency for bench/).
 */
#ifndef BENCH_XZ_H
#define BENCH_XZ_H

#include <stdio.h>

/* A pipe from `xz -dc -- PATH` (the path quoted for the shell), or NULL if
 * the path is too long or popen fails.  Close it with pclose(). */
FILE *bench_xz_open(const char *path);

#endif
