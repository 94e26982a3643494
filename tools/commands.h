/*
 * commands.h: the subcommands of the rtrmod program that live in their own
 * files, for the command table in rtrmod.c.  Each takes the arguments
 * after the program name (argv[0] is the command) and returns the exit
 * status: 0 success, 1 the job failed, EXIT_USAGE (2) a usage error.
 */
#ifndef COMMANDS_H
#define COMMANDS_H

#ifndef EXIT_USAGE
#define EXIT_USAGE 2
/* rtrmod dump: sync once from an RTR cache and write its data as JSON. */
extern const char dump_usage[];
int cmd_dump(int argc, char **argv);

#endif

/* rtrmod validate: origin-validate routes against a VRP set. */
extern const char validate_usage[];
int cmd_validate(int argc, char **argv);

/* rtrmod dump: sync once from an RTR cache and write its data as JSON. */
extern const char dump_usage[];
int cmd_dump(int argc, char **argv);

/* rtrmod serve: a standalone RTR cache taking StayRTR's flags. */
extern const char serve_usage[];
int cmd_serve(int argc, char **argv);

/* rtrmod config: check, print and ask about the YANG configuration. */
extern const char config_usage[];
int cmd_config(int argc, char **argv);

#endif
