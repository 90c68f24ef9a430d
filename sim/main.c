/*
 * main.c - the kmsim command: parse options, wire the modules, report.
 * Everything else lives in libkmsim.a.
 *
 * Exit status: 0 success; 1 bad input (config, trace, database) or a run
 * that failed; 2 usage; 3 host memory exhausted; 130 interrupted.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "trace/bundle.h"
#include "trace/bundle_machine.h"
#include "kmsim_config.h"
#include "results/db.h"
#include "results/dump.h"
#include "kmsim.h"
#include "machine.h"
#include "sim.h"
#include "trace/trace.h"

#define DEFAULT_DB "kmsim.db"
#define MAX_SETS 256		/* --set options on one command line */
#define MAX_SEED (UINT64_C(1) << 53)	/* exact in the counters table */

static const char usage_text[] =
"usage: kmsim --config FILE [--trace FILE] [options]\n"
"\n"
"Simulate the Linux memory subsystem on the machine FILE describes,\n"
"replaying the allocation trace, and record the metrics in SQLite.\n"
"\n"
"  -c, --config FILE     machine configuration (kmsim-config(5)), or\n"
"                        'auto': the machine a capture bundle was taken on\n"
"  -t, --trace FILE      trace to replay (kmsim-trace(5)): kmsim YAML,\n"
"                        ftrace text, trace.dat or a kmsim-record bundle;\n"
"                        gzip, xz and zstd are read directly; - is stdin\n"
"      --set KEY=VALUE   override a configuration key before it is\n"
"                        checked; KEY is a dotted path into the YAML,\n"
"                        e.g. vm.watermark_scale_factor=40 or\n"
"                        machine.nodes.0.memory=8G (repeatable)\n"
"      --seed N          the run's seed: recorded, and the variable\n"
"                        ${seed} in YAML traces (default 0)\n"
"  -m, --mode MODE       replay (honour the trace's pfns) or simulate (let\n"
"                        the model place every request); default: replay\n"
"                        for a bundle with --config auto, else simulate\n"
"  -d, --db FILE         results database (default " DEFAULT_DB ");\n"
"                        runs are appended (kmsim-db(5))\n"
"      --no-db           do not write a database\n"
"  -j, --json            print the run's summary as JSON on stdout\n"
"      --parse-only      read and check the trace, count its ops, simulate\n"
"                        nothing (with --json: the counts as JSON)\n"
"      --show-machine    print the machine (nodes, zones, pfn ranges,\n"
"                        watermarks) and exit\n"
"      --check           check the allocators' invariants after every op\n"
"      --lenient         count and skip bad ops instead of stopping\n"
"      --dump KINDS      print the machine at the end of the run as the\n"
"                        kernel prints /proc/KIND: buddyinfo, pagetypeinfo,\n"
"                        zoneinfo, slabinfo, vmallocinfo (comma-separated,\n"
"                        repeatable)\n"
"      --dump-at TIMES   dump also at these simulated times since the\n"
"                        first op, e.g. 0,500us,10ms (ns, us, ms, s)\n"
"      --dump-file FILE  write the dumps to FILE (default standard output)\n"
"  -q, --quiet           no progress or summary on stderr\n"
"      --progress        progress on stderr even when it is not a terminal\n"
"  -h, --help            this help\n"
"  -V, --version         the version\n"
"\n"
"Bad input is reported as FILE:LINE:COL: message, exit status 1.\n"
"See kmsim(1).\n";

enum {
	OPT_NO_DB = 256,
	OPT_SHOW_MACHINE,
	OPT_CHECK,
	OPT_LENIENT,
	OPT_PROGRESS,
	OPT_MODE,
	OPT_PARSE_ONLY,
	OPT_SET,
	OPT_SEED,
	OPT_DUMP,
	OPT_DUMP_AT,
	OPT_DUMP_FILE,
};

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "trace", required_argument, NULL, 't' },
	{ "mode", required_argument, NULL, 'm' },
	{ "db", required_argument, NULL, 'd' },
	{ "no-db", no_argument, NULL, OPT_NO_DB },
	{ "json", no_argument, NULL, 'j' },
	{ "show-machine", no_argument, NULL, OPT_SHOW_MACHINE },
	{ "parse-only", no_argument, NULL, OPT_PARSE_ONLY },
	{ "set", required_argument, NULL, OPT_SET },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "lenient", no_argument, NULL, OPT_LENIENT },
	{ "dump", required_argument, NULL, OPT_DUMP },
	{ "dump-at", required_argument, NULL, OPT_DUMP_AT },
	{ "dump-file", required_argument, NULL, OPT_DUMP_FILE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const struct cli cli = {
	.name = KMSIM_NAME,
	.usage = usage_text,
	.shortopts = "c:t:d:m:jqhV",
	.longopts = long_options,
};

/* --dump-at's times: static, so that a usage error's exit leaks nothing. */
static uint64_t *dump_at;
static int nr_dump_at;

/* Close the dumps' stream; 1 if anything written to it was lost. */
static int close_dump(FILE *f, const char *path)
{
	bool bad = ferror(f) != 0;

	if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
		bad = true;
	if (!bad)
		return 0;
	fprintf(stderr, "%s: %s: cannot write the dumps\n", KMSIM_NAME, path);
	return 1;
}

static void on_signal(int sig)
{
	(void)sig;
	sim_interrupted = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static char *join_argv(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void print_summary(struct sim *s, FILE *f)
{
	json_t *j = sim_summary_json(s), *lat, *v, *zones, *z;
	const char *key;
	size_t i;

	fprintf(f, "kmsim: %s: %lld ops in %.2f s, %.6f s simulated\n",
	    json_string_value(json_object_get(j, "status")),
	    (long long)json_integer_value(json_object_get(j, "events")),
	    json_real_value(json_object_get(j, "wall_seconds")),
	    (double)json_integer_value(json_object_get(j, "sim_ns")) / 1e9);
	lat = json_object_get(j, "latency");
	json_object_foreach(lat, key, v) {
		fprintf(f, "  %-20s n=%-9lld p50 %lld p99 %lld max %lld"
		    " cycles\n", key,
		    (long long)json_integer_value(json_object_get(v, "count")),
		    (long long)json_integer_value(json_object_get(v, "p50")),
		    (long long)json_integer_value(json_object_get(v, "p99")),
		    (long long)json_integer_value(json_object_get(v, "max")));
	}
	fprintf(f, "  failed allocations   %lld\n", (long long)
	    json_integer_value(json_object_get(json_object_get(j, "failures"),
	    "total")));
	zones = json_object_get(j, "zones");
	json_array_foreach(zones, i, z) {
		json_t *u = json_object_get(z, "unusable_index");
		size_t n = json_array_size(u);

		fprintf(f, "  node %lld %-8s free %-10lld unusable index at"
		    " order %zu: %.3f\n",
		    (long long)json_integer_value(json_object_get(z, "node")),
		    json_string_value(json_object_get(z, "zone")),
		    (long long)json_integer_value(json_object_get(z,
		    "free_pages")), n ? n - 2 : 0,
		    n >= 2 ? json_real_value(json_array_get(u, n - 2)) : 0.0);
	}
	json_decref(j);
}

/* --parse-only: read the whole trace, count, report. */
static int parse_trace(const char *path, bool lenient, bool json, bool quiet)
{
	struct trace_options topt = { .lenient = lenient, .page_shift = 12 };
	uint64_t counts[OP_NR] = { 0 }, total = 0;
	struct trace_source *ts = NULL;
	struct bundle *b = NULL;
	const struct trace_stats *st = NULL;
	char *cause = NULL, hex[65] = "";
	json_t *j, *ops;
	struct rusage ru;
	struct op op;
	int r, t;

	if (bundle_open(path, &b, &cause) < 0)
		goto out_error;
	ts = b != NULL ? trace_open_bundle(b, &topt, &cause) :
	    trace_open(path, &topt, &cause);
	if (ts == NULL)
		goto out_error;
	while ((r = trace_next(ts, &op, &cause)) > 0) {
		counts[op.type]++;
		total++;
	}
	if (r < 0)
		goto out_error;
	if (ts->ops->digest != NULL)
		ts->ops->digest(ts, hex);
	if (ts->ops->stats != NULL)
		st = ts->ops->stats(ts);
	if (json) {
		j = json_object();
		ops = json_object();
		json_object_set_new(j, "trace", json_string(ts->path));
		json_object_set_new(j, "format", json_string(ts->format));
		json_object_set_new(j, "ops", json_integer((json_int_t)total));
		for (t = 0; t < OP_NR; t++)
			if (counts[t])
				json_object_set_new(ops, op_names[t],
				    json_integer((json_int_t)counts[t]));
		json_object_set_new(j, "by_op", ops);
		if (hex[0])
			json_object_set_new(j, "sha256", json_string(hex));
		if (getrusage(RUSAGE_SELF, &ru) == 0)
			json_object_set_new(j, "max_rss_kb", json_integer(
			    (json_int_t)ru.ru_maxrss));
		if (st != NULL) {
			json_object_set_new(j, "lines", json_integer(
			    (json_int_t)st->lines));
			json_object_set_new(j, "lost_events", json_integer(
			    (json_int_t)st->lost_events));
			json_object_set_new(j, "unknown_events", json_integer(
			    (json_int_t)st->unknown_events));
			json_object_set_new(j, "malformed", json_integer(
			    (json_int_t)st->malformed));
		}
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(j);
	} else if (!quiet) {
		printf("%s: %s, %llu ops\n", ts->path, ts->format,
		    (unsigned long long)total);
		for (t = 0; t < OP_NR; t++)
			if (counts[t])
				printf("  %-34s %llu\n", op_names[t],
				    (unsigned long long)counts[t]);
		if (st != NULL && (st->lost_events || st->unknown_events ||
		    st->malformed))
			printf("  lost events %llu, unknown events %llu,"
			    " malformed lines skipped %llu\n",
			    (unsigned long long)st->lost_events,
			    (unsigned long long)st->unknown_events,
			    (unsigned long long)st->malformed);
	}
	trace_close(ts);
	bundle_close(b);
	return 0;

out_error:
	fprintf(stderr, "%s: %s\n", KMSIM_NAME, cause);
	free(cause);
	trace_close(ts);
	bundle_close(b);
	return 1;
}

int main(int argc, char **argv)
{
	const char *config_path = NULL, *trace_path = NULL;
	const char *db_path = DEFAULT_DB;
	const char *dump_path = NULL;
	FILE *dump_file = NULL;
	struct sim_options opt;
	struct trace_options topt;
	struct config *cfg = NULL;
	struct trace_source *ts = NULL;
	struct db *db = NULL;
	struct sim *s = NULL;
	bool json = false, show_machine = false, quiet = false;
	bool parse_only = false;
	bool force_progress = false, no_db = false, auto_config;
	struct bundle *bundle = NULL;
	int mode = -1;
	char *cause = NULL, *cmdline;
	const char *sets[MAX_SETS];
	int nr_sets = 0;
	int c, ret = 1, r;

	memset(&opt, 0, sizeof opt);
	while ((c = cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 't':
			trace_path = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "replay") == 0)
				mode = SIM_REPLAY;
			else if (strcmp(optarg, "simulate") == 0)
				mode = SIM_SIMULATE;
			else
				cli_usage_error(&cli, "unknown mode '%s'"
				    " (replay or simulate)", optarg);
			break;
		case 'd':
			db_path = optarg;
			break;
		case OPT_SET:
			if (strchr(optarg, '=') == NULL || *optarg == '=')
				cli_usage_error(&cli, "--set '%s': expected"
				    " KEY=VALUE", optarg);
			if (nr_sets < MAX_SETS)
				sets[nr_sets++] = optarg;
			else
				cli_usage_error(&cli, "too many --set options");
			break;
		case OPT_SEED:
			if (kmsim_parse_u64(optarg, &opt.seed, &cause) != 0 ||
			    opt.seed > MAX_SEED) {
				free(cause);
				cli_usage_error(&cli, "--seed '%s': expected"
				    " a number from 0 to 2^53", optarg);
			}
			break;
		case OPT_NO_DB:
			no_db = true;
			break;
		case OPT_DUMP:
			if (dump_parse_kinds(optarg, &opt.dump_kinds,
			    &cause) != 0)
				cli_usage_error_cause(&cli, "--dump", cause);
			break;
		case OPT_DUMP_AT:
			if (dump_parse_times(optarg, &dump_at, &nr_dump_at,
			    &cause) != 0)
				cli_usage_error_cause(&cli, "--dump-at", cause);
			break;
		case OPT_DUMP_FILE:
			dump_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case OPT_SHOW_MACHINE:
			show_machine = true;
			break;
		case OPT_PARSE_ONLY:
			parse_only = true;
			break;
		case OPT_CHECK:
			opt.check = true;
			break;
		case OPT_LENIENT:
			opt.lenient = true;
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_PROGRESS:
			force_progress = true;
			break;
		}
	}
	cli_no_operands(&cli, argc, argv);
	if (opt.dump_kinds == 0 && nr_dump_at > 0)
		cli_usage_error(&cli, "--dump-at needs --dump KIND");
	if (opt.dump_kinds == 0 && dump_path != NULL)
		cli_usage_error(&cli, "--dump-file needs --dump KIND");
	if (dump_path != NULL && *dump_path == '\0')
		cli_usage_error(&cli, "empty --dump-file path");
	if (opt.dump_kinds != 0 && (parse_only || show_machine))
		cli_usage_error(&cli, "--dump needs a run, not %s", parse_only ?
		    "--parse-only" : "--show-machine");
	if (dump_path != NULL && strcmp(dump_path, "-") == 0)
		dump_path = NULL;
	if (opt.dump_kinds != 0 && json && dump_path == NULL)
		cli_usage_error(&cli, "--dump and --json would both write to"
		    " standard output: give --dump-file FILE");
	nr_dump_at = dump_sort_times(dump_at, nr_dump_at);
	opt.dump_at_ns = dump_at;
	opt.nr_dump_at = nr_dump_at;
	if (parse_only) {
		if (trace_path != NULL)
			return parse_trace(trace_path, opt.lenient, json,
			    quiet);
		cli_usage_error(&cli, "--parse-only needs --trace FILE");
	}
	if (config_path == NULL)
		cli_usage_error(&cli, "no machine configuration: give"
		    " --config FILE");
	if (!show_machine && trace_path == NULL)
		cli_usage_error(&cli, "no trace: give --trace FILE (or"
		    " --show-machine)");
	if (*db_path == '\0')
		cli_usage_error(&cli, "empty database path");

	auto_config = strcmp(config_path, "auto") == 0;
	if (trace_path != NULL &&
	    bundle_open(trace_path, &bundle, &cause) < 0)
		goto out_error;
	if (auto_config && bundle == NULL)
		cli_usage_error(&cli, "--config auto needs a capture bundle"
		    " as the trace (kmsim-record(1))");
	if (auto_config && nr_sets > 0)
		cli_usage_error(&cli, "--set needs a configuration file, not"
		    " --config auto");
	cfg = auto_config ? bundle_machine_config(bundle, &cause) :
	    config_load_overrides(config_path, sets, nr_sets, &cause);
	if (cfg == NULL)
		goto out_error;
	/* replay for a bundle on its own machine, simulate otherwise */
	if (mode < 0)
		mode = bundle != NULL && auto_config ? SIM_REPLAY : SIM_SIMULATE;
	opt.mode = (enum sim_mode)mode;
	opt.bundle = bundle;
	/* on the capture's own machine, simulate starts from its state */
	opt.seeded = auto_config;
	if (show_machine) {
		struct machine *m = machine_create(cfg, &cause);

		if (m == NULL)
			goto out_error;
		machine_print(m, stdout);
		machine_destroy(m);
		config_destroy(cfg);
		bundle_close(bundle);
		return 0;
	}

	cmdline = join_argv(argc, argv);
	opt.command_line = cmdline;
	opt.progress = !quiet && (force_progress || isatty(STDERR_FILENO));
	topt.lenient = opt.lenient;
	topt.page_shift = cfg->page_shift;
	topt.seed = opt.seed;
	ts = bundle != NULL ? trace_open_bundle(bundle, &topt, &cause) :
	    trace_open(trace_path, &topt, &cause);
	if (ts == NULL)
		goto out_free_cmdline;
	if (opt.mode == SIM_REPLAY && !ts->captured) {
		kmsim_fail(&cause, "%s: replay needs a captured trace (ftrace"
		    " text, trace.dat or a bundle); use --mode simulate",
		    ts->path);
		goto out_free_cmdline;
	}
	/* after the trace opened: a bad trace leaves the file alone */
	if (dump_path != NULL) {
		dump_file = fopen(dump_path, "w");
		if (dump_file == NULL) {
			kmsim_fail(&cause, "%s: %s", dump_path,
			    strerror(errno));
			goto out_free_cmdline;
		}
		opt.dump_file = dump_file;
	}
	s = sim_create(cfg, &opt, &cause);
	if (s == NULL)
		goto out_free_cmdline;
	if (!no_db) {
		db = db_open(db_path, &cause);
		if (db == NULL)
			goto out_free_cmdline;
	}
	install_signals();
	r = sim_run(s, ts, db, &cause);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", KMSIM_NAME, cause);
		free(cause);
		cause = NULL;
		ret = 1;
	} else if (r > 0) {
		fprintf(stderr, "%s: interrupted; the run is recorded as"
		    " interrupted\n", KMSIM_NAME);
		ret = 130;
	} else {
		ret = 0;
	}
	if (json) {
		json_t *j = sim_summary_json(s);

		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(j);
	} else if (!quiet && r == 0) {
		print_summary(s, stderr);
	}
	if (opt.dump_kinds != 0 && close_dump(dump_file != NULL ? dump_file :
	    stdout, dump_path != NULL ? dump_path : "standard output") != 0)
		ret = 1;
	free(cmdline);
	free(dump_at);
	db_close(db);
	trace_close(ts);
	sim_destroy(s);
	config_destroy(cfg);
	bundle_close(bundle);
	return ret;

out_free_cmdline:
	free(cmdline);
out_error:
	fprintf(stderr, "%s: %s\n", KMSIM_NAME, cause);
	free(cause);
	free(dump_at);
	if (dump_file != NULL)
		fclose(dump_file);
	db_close(db);
	trace_close(ts);
	sim_destroy(s);
	config_destroy(cfg);
	bundle_close(bundle);
	return 1;
}
