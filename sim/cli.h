/*
 * cli.h - what the commands (kmsim, kmsim-sweep) share in parsing their
 * options: getopt_long with --help, --version and the usage errors
 * handled alike, and the numbers options take.
 *
 * Usage errors print "NAME: message" and "Try 'NAME --help' for more
 * information." on stderr and exit 2.
 */
#ifndef KMSIM_CLI_H
#define KMSIM_CLI_H

#include <getopt.h>

#include "kmsim.h"

struct cli {
	const char *name;		/* "kmsim": messages, --version */
	const char *usage;		/* --help's text */
	const char *shortopts;		/* getopt's, with h and V */
	const struct option *longopts;	/* with help 'h', version 'V' */
};

/*
 * The next option, as getopt_long() returns it (optarg set), or -1 at the
 * first operand.  -h prints the usage and -V the version on stdout and
 * exit 0; an unknown option or a missing argument is a usage error.
 */
int cli_next(const struct cli *cli, int argc, char **argv);
/* No operand left (optind == argc), else a usage error. */
void cli_no_operands(const struct cli *cli, int argc, char **argv);

KMSIM_NORETURN void cli_usage_error(const struct cli *cli, const char *fmt,
    ...) KMSIM_PRINTF(2, 3);
/* A usage error whose message a parser wrote into cause (freed). */
KMSIM_NORETURN void cli_usage_error_cause(const struct cli *cli,
    const char *option, char *cause);

/* A decimal number of at least min, else "OPTION: expected a number". */
long cli_parse_count(const struct cli *cli, const char *option,
    const char *s, long min);

#endif /* KMSIM_CLI_H */
