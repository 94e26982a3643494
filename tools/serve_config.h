/*
 * serve_config.h: `rtrmod serve --config FILE`, the standalone program run
 * from the YANG configuration through rtrmod_instance (serve_config.c),
 * and the log sink it shares with the flag mode (cmd_serve.c).
 */
#ifndef SERVE_CONFIG_H
#define SERVE_CONFIG_H

#include <rtrmod/rtrmod.h>

/* Timestamped log lines on standard error (cmd_serve.c). */
void serve_log(void *arg, enum rtrmod_log_level level, const char *msg);

/*
 * Run what `file` configures until SIGINT or SIGTERM; `control` is the
 * --control PATH (NULL when not given).  Returns the exit status: 0 after
 * SIGINT/SIGTERM, 1 when the first load or apply fails, 2 when --control
 * and the file's control socket are both set.
 */
int serve_config_run(const char *file, const char *control, enum rtrmod_log_level level);

#endif
