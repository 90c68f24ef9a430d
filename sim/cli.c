/*
 * cli.c - option parsing shared by the commands (see cli.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

void cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n",
	    cli->name);
	exit(2);
}

void cli_usage_error_cause(const struct cli *cli, const char *option,
    char *cause)
{
	char msg[512];

	snprintf(msg, sizeof msg, "%s: %s", option, cause);
	free(cause);
	cli_usage_error(cli, "%s", msg);
}

int cli_next(const struct cli *cli, int argc, char **argv)
{
	char optstring[64];
	int c;

	/* a leading ':' tells a missing argument from an unknown option */
	snprintf(optstring, sizeof optstring, ":%s", cli->shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, optstring, cli->longopts, NULL);
	switch (c) {
	case 'h':
		fputs(cli->usage, stdout);
		exit(0);
	case 'V':
		printf("%s %s\n", cli->name, PACKAGE_VERSION);
		exit(0);
	case ':':
		cli_usage_error(cli, "option '%s' needs an argument",
		    argv[optind - 1]);
	case '?':
		cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
	default:
		return c;
	}
}

void cli_no_operands(const struct cli *cli, int argc, char **argv)
{
	if (optind < argc)
		cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
}

long cli_parse_count(const struct cli *cli, const char *option,
    const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min)
		cli_usage_error(cli, "%s: expected a number", option);
	return v;
}
