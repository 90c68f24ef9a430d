/*
 * sweep_main.c - the kmsim-sweep command: run a parameter sweep of kmsim
 * locally, on a Slurm cluster or over ssh with GNU parallel, merge the
 * results into one database and check CI thresholds on it.
 *
 * Exit status: 0 success and every check passed; 1 bad input, a point
 * that failed or a check that failed; 2 usage; 130 interrupted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "kmsim.h"
#include "sweep.h"

#define DEFAULT_DB "sweep.db"
#define MAX_CHECKS 64
#define SLURM_POLL_NS 500000000L		/* squeue every 0.5 s */
#define DEFAULT_TIMEOUT 86400			/* --slurm waits a day */

static const char usage_text[] =
"usage: kmsim-sweep SWEEP.yaml [options]\n"
"       kmsim-sweep --db DB --check EXPR...\n"
"\n"
"Run kmsim over the grid a sweep file describes (kmsim-sweep(1)), one\n"
"shard database per point, merge the shards into one database and check\n"
"thresholds on it.\n"
"\n"
"  -j, --jobs N          points run at once locally (default: the CPUs)\n"
"  -d, --db OUT          the merged database (default " DEFAULT_DB ")\n"
"      --shards DIR      the shard databases (default OUT.shards)\n"
"      --list            print the grid and exit\n"
"      --point I         run point I into its shard (Slurm tasks, ssh)\n"
"      --merge           merge the complete shards into OUT\n"
"      --slurm           submit the points as a Slurm job array and a\n"
"                        merge job, and wait for them\n"
"      --no-wait         with --slurm: submit and exit\n"
"      --slurm-script F  write the submit script to F and exit\n"
"      --timeout SEC     with --slurm: stop waiting after SEC seconds\n"
"      --ssh HOSTS       run the points with GNU parallel --sshlogin HOSTS\n"
"                        (identical paths on every host), merge locally\n"
"      --kmsim PATH      the kmsim to run (default: beside kmsim-sweep)\n"
"  -c, --check EXPR      a threshold every complete run must meet, e.g.\n"
"                        'unusable_index(order=9, zone=Normal) < 0.6'\n"
"                        or 'p99(alloc_pages) < 2000' (repeatable)\n"
"      --json            the points and checks as JSON on stdout\n"
"  -n, --dry-run         print the commands instead of running them\n"
"  -q, --quiet           no progress or notes on stderr\n"
"  -h, --help            this help\n"
"  -V, --version         the version\n";

enum {
	OPT_SHARDS = 256,
	OPT_LIST,
	OPT_POINT,
	OPT_MERGE,
	OPT_SLURM,
	OPT_NO_WAIT,
	OPT_SLURM_SCRIPT,
	OPT_TIMEOUT,
	OPT_SSH,
	OPT_KMSIM,
	OPT_JSON,
};

static const struct option long_options[] = {
	{ "jobs", required_argument, NULL, 'j' },
	{ "db", required_argument, NULL, 'd' },
	{ "shards", required_argument, NULL, OPT_SHARDS },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "point", required_argument, NULL, OPT_POINT },
	{ "merge", no_argument, NULL, OPT_MERGE },
	{ "slurm", no_argument, NULL, OPT_SLURM },
	{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
	{ "slurm-script", required_argument, NULL, OPT_SLURM_SCRIPT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "ssh", required_argument, NULL, OPT_SSH },
	{ "kmsim", required_argument, NULL, OPT_KMSIM },
	{ "check", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct sweep_opts {
	const char *sweep_path;
	const char *db;
	char *shards;
	long jobs;
	bool jobs_given;
	long point;
	bool list, merge, slurm, no_wait, json, dry_run, quiet;
	const char *slurm_script;
	long timeout;
	const char *ssh;
	char *kmsim;
	struct sweep_check *checks[MAX_CHECKS];
	int nr_checks;
};

/* What happened to each point, for the summary and --json. */
enum point_state { PT_TODO, PT_SKIPPED, PT_RAN, PT_FAILED };
static const char *const point_state_names[] = {
	"not run", "skipped", "ran", "failed"
};

static volatile sig_atomic_t interrupted;

static const struct cli cli = {
	.name = SWEEP_NAME,
	.usage = usage_text,
	.shortopts = "j:d:c:nqhV",
	.longopts = long_options,
};

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* An absolute path for a file that may not exist yet. */
static char *abs_path(const char *p)
{
	char cwd[PATH_MAX], *out;

	if (p[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(p);
	xasprintf(&out, "%s/%s", cwd, p);
	return out;
}

/* Quote a word for sh(1). */
static char *shell_quote(const char *s)
{
	const char *c;
	char *out, *o;

	if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789_./=:,+@%-") == strlen(s))
		return xstrdup(s);
	out = o = xmalloc(strlen(s) * 4 + 3);
	*o++ = '\'';
	for (c = s; *c != '\0'; c++) {
		if (*c == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else
			*o++ = *c;
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

static char *join_quoted(char *const *argv)
{
	char *out = xstrdup(""), *q, *next;
	int i;

	for (i = 0; argv[i] != NULL; i++) {
		q = shell_quote(argv[i]);
		xasprintf(&next, "%s%s%s", out, i ? " " : "", q);
		free(q);
		free(out);
		out = next;
	}
	return out;
}

/* This program, and the kmsim beside it (else kmsim from PATH). */
static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return xstrdup(SWEEP_NAME);
	buf[n] = '\0';
	return xstrdup(buf);
}

static char *default_kmsim(const char *self)
{
	const char *slash = strrchr(self, '/');
	char *p;

	if (slash != NULL) {
		xasprintf(&p, "%.*s/kmsim", (int)(slash - self), self);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup("kmsim");
}

static int make_dir(const char *dir)
{
	char *p = xstrdup(dir), *s;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return mkdir(dir, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	nanosleep(&ts, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The first line of a file (malloc'd), or NULL. */
static char *first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[1024];

	if (f == NULL)
		return NULL;
	if (fgets(buf, sizeof buf, f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

/* ---- one point ---- */

struct job {
	pid_t pid;
	long point;
	char *shard;
	char *errfile;
};

static pid_t spawn(char *const *argv, const char *errfile)
{
	pid_t pid = fork();
	int fd;

	if (pid != 0)
		return pid;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	if (errfile != NULL) {
		fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
	execvp(argv[0], argv);
	fprintf(stderr, "%s: cannot run '%s': %s\n", SWEEP_NAME, argv[0],
	    strerror(errno));
	_exit(127);
}

/* Record a point that ran; 0 ok, -1 failed (message printed). */
static int point_finish(const struct sweep *s, long i, const char *shard,
    const char *errfile, int status, char **error)
{
	struct sweep_point pt;
	struct sweep_kv *kv;
	char *cause = NULL, *desc, *line;
	int nkv, rc = 0;

	sweep_point_get(s, i, &pt);
	kv = sweep_point_kv(s, &pt, &nkv);
	desc = sweep_kv_format(kv, nkv);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (sweep_shard_set_params(shard, kv, nkv, &cause) != 0) {
			*error = cause;
			rc = -1;
		}
	} else {
		line = errfile != NULL ? first_line(errfile) : NULL;
		if (line != NULL)
			*error = line;
		else if (WIFSIGNALED(status))
			xasprintf(error, "killed by signal %d",
			    WTERMSIG(status));
		else
			xasprintf(error, "exit status %d", WEXITSTATUS(status));
		rc = -1;
	}
	if (rc != 0)
		fprintf(stderr, "%s: point %ld (%s) failed: %s\n", SWEEP_NAME,
		    i, desc, *error);
	free(desc);
	sweep_kv_free(kv, nkv);
	sweep_point_fini(&pt);
	return rc;
}

/* Is point i's shard complete for its params? */
static bool point_complete(const struct sweep *s, const char *dir, long i)
{
	struct sweep_point pt;
	struct sweep_kv *kv;
	char *shard = sweep_shard_path(dir, i);
	int nkv, rc;

	sweep_point_get(s, i, &pt);
	kv = sweep_point_kv(s, &pt, &nkv);
	rc = sweep_shard_complete(shard, kv, nkv);
	sweep_kv_free(kv, nkv);
	sweep_point_fini(&pt);
	free(shard);
	return rc == 1;
}

static char **point_argv(const struct sweep *s, const struct sweep_opts *o,
    long i, char **shard)
{
	struct sweep_point pt;
	char **argv;

	*shard = sweep_shard_path(o->shards, i);
	sweep_point_get(s, i, &pt);
	argv = sweep_point_argv(s, &pt, o->kmsim, *shard);
	sweep_point_fini(&pt);
	return argv;
}

static void progress(const struct sweep_opts *o, long done, long total,
    int failed, double start, bool last)
{
	double el = now_s() - start, eta;

	if (o->quiet || !isatty(STDERR_FILENO))
		return;
	eta = done > 0 ? el / (double)done * (double)(total - done) : 0;
	fprintf(stderr, "\r%s: %ld/%ld points done, %d failed, ETA %.0f s   %s",
	    SWEEP_NAME, done, total, failed, eta, last ? "\n" : "");
	fflush(stderr);
}

/* Run the points in todo locally, o->jobs at a time. */
static int run_local(const struct sweep *s, const struct sweep_opts *o,
    const long *todo, long ntodo, enum point_state *state, char **errors)
{
	struct job *jobs = xcalloc((size_t)o->jobs, sizeof *jobs);
	long next = 0, done = 0;
	int running = 0, failed = 0, k, status;
	double start = now_s();
	bool forwarded = false;
	char **argv;
	pid_t pid;

	while (next < ntodo || running > 0) {
		while (!interrupted && running < o->jobs && next < ntodo) {
			for (k = 0; jobs[k].pid != 0; k++)
				;
			jobs[k].point = todo[next++];
			argv = point_argv(s, o, jobs[k].point, &jobs[k].shard);
			sweep_shard_remove(jobs[k].shard);
			xasprintf(&jobs[k].errfile, "%s.err", jobs[k].shard);
			jobs[k].pid = spawn(argv, jobs[k].errfile);
			sweep_argv_free(argv);
			if (jobs[k].pid < 0) {
				fprintf(stderr, "%s: fork: %s\n", SWEEP_NAME,
				    strerror(errno));
				exit(1);
			}
			running++;
		}
		if (running == 0)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno != EINTR)
				break;
			if (interrupted && !forwarded) {
				for (k = 0; k < o->jobs; k++)
					if (jobs[k].pid > 0)
						kill(jobs[k].pid, SIGINT);
				forwarded = true;
			}
			continue;
		}
		for (k = 0; k < o->jobs && jobs[k].pid != pid; k++)
			;
		if (k == o->jobs)
			continue;
		running--;
		done++;
		if (point_finish(s, jobs[k].point, jobs[k].shard,
		    jobs[k].errfile, status, &errors[jobs[k].point]) != 0) {
			state[jobs[k].point] = PT_FAILED;
			failed++;
		} else
			state[jobs[k].point] = PT_RAN;
		unlink(jobs[k].errfile);
		free(jobs[k].errfile);
		free(jobs[k].shard);
		memset(&jobs[k], 0, sizeof jobs[k]);
		progress(o, done, ntodo, failed, start, false);
	}
	progress(o, done, ntodo, failed, start, true);
	free(jobs);
	if (interrupted)
		return 130;
	return failed ? 1 : 0;
}

/* ---- Slurm ---- */

static char *sweep_command(const struct sweep_opts *o, const char *self,
    const char *tail)
{
	char *sweep = abs_path(o->sweep_path), *db = abs_path(o->db);
	char *qs[5], *out;
	int i;

	qs[0] = shell_quote(self);
	qs[1] = shell_quote(sweep);
	qs[2] = shell_quote(db);
	qs[3] = shell_quote(o->shards);
	qs[4] = shell_quote(o->kmsim);
	xasprintf(&out, "%s %s --db %s --shards %s --kmsim %s --quiet %s",
	    qs[0], qs[1], qs[2], qs[3], qs[4], tail);
	for (i = 0; i < 5; i++)
		free(qs[i]);
	free(sweep);
	free(db);
	return out;
}

static int write_slurm_script(const struct sweep *s,
    const struct sweep_opts *o, const char *self, const char *path)
{
	char *task = sweep_command(o, self, "--point \"$SLURM_ARRAY_TASK_ID\"");
	char *merge = sweep_command(o, self, "--merge");
	char *out = shell_quote(o->shards);
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", SWEEP_NAME, path,
		    strerror(errno));
		free(task);
		free(merge);
		free(out);
		return -1;
	}
	fprintf(f,
	    "#!/bin/sh\n"
	    "# Submit the sweep %s (%ld points) to Slurm: sh THIS-FILE\n"
	    "# A job array runs one point per task into its shard, then a\n"
	    "# merge job (afterok: only if every task succeeded) merges them.\n"
	    "# Prints the two job ids.  Written by kmsim-sweep --slurm.\n"
	    "set -eu\n"
	    "array=$(sbatch --parsable <<'KMSIM_SWEEP_JOB'\n"
	    "#!/bin/sh\n"
	    "#SBATCH --job-name=kmsim-sweep\n"
	    "#SBATCH --array=0-%ld\n"
	    "#SBATCH --ntasks=1\n"
	    "#SBATCH --output=%s/slurm-%%A_%%a.out\n"
	    "exec %s\n"
	    "KMSIM_SWEEP_JOB\n"
	    ")\n"
	    "array=${array%%%%;*}\n"
	    "merge=$(sbatch --parsable --dependency=afterok:\"$array\""
	    " <<'KMSIM_SWEEP_JOB'\n"
	    "#!/bin/sh\n"
	    "#SBATCH --job-name=kmsim-sweep-merge\n"
	    "#SBATCH --ntasks=1\n"
	    "#SBATCH --output=%s/slurm-merge-%%j.out\n"
	    "exec %s\n"
	    "KMSIM_SWEEP_JOB\n"
	    ")\n"
	    "echo \"$array ${merge%%%%;*}\"\n",
	    s->path, s->nr_points, s->nr_points - 1, out, task, out, merge);
	free(task);
	free(merge);
	free(out);
	if (f != stdout && fclose(f) != 0) {
		fprintf(stderr, "%s: %s: %s\n", SWEEP_NAME, path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Run argv with stdout into buf (NUL-terminated); the exit status. */
static int capture(char *const *argv, char *buf, size_t len)
{
	int fds[2], status = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	buf[0] = '\0';
	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run '%s': %s\n", SWEEP_NAME,
		    argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + got, len - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
		if (got == len - 1)
			break;
	}
	buf[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static bool slurm_job_queued(const char *id)
{
	char *argv[] = { "squeue", "-h", "-j", (char *)id, "-o", "%i", NULL };
	char buf[4096];
	int rc = capture(argv, buf, sizeof buf);

	/* squeue fails for a job it has forgotten: not queued */
	return rc == 0 && buf[strspn(buf, " \t\n")] != '\0';
}

static int run_slurm(const struct sweep *s, const struct sweep_opts *o,
    const char *self)
{
	char *script, buf[256], array[64], merge[64];
	char *argv[] = { "/bin/sh", NULL, NULL };
	char *cancel[] = { "scancel", merge, NULL };
	double start;
	long i;
	int bad = 0, rc;

	xasprintf(&script, "%s/submit.sh", o->shards);
	if (write_slurm_script(s, o, self, script) != 0) {
		free(script);
		return 1;
	}
	argv[1] = script;
	rc = capture(argv, buf, sizeof buf);
	if (rc != 0 || sscanf(buf, "%63s %63s", array, merge) != 2) {
		fprintf(stderr, "%s: submitting %s failed (exit %d)\n",
		    SWEEP_NAME, script, rc);
		free(script);
		return 1;
	}
	free(script);
	if (!o->quiet)
		fprintf(stderr, "%s: submitted job array %s (%ld tasks) and "
		    "merge job %s\n", SWEEP_NAME, array, s->nr_points, merge);
	if (o->no_wait)
		return 0;
	start = now_s();
	while (slurm_job_queued(array)) {
		if (interrupted || now_s() - start > (double)o->timeout) {
			fprintf(stderr, "%s: %s waiting for job %s; it is "
			    "still queued\n", SWEEP_NAME, interrupted ?
			    "interrupted" : "timed out", array);
			return interrupted ? 130 : 1;
		}
		sleep_ns(SLURM_POLL_NS);
	}
	for (i = 0; i < s->nr_points; i++) {
		char *log, *line;

		if (point_complete(s, o->shards, i))
			continue;
		bad++;
		xasprintf(&log, "%s/slurm-%s_%ld.out", o->shards, array, i);
		line = first_line(log);
		fprintf(stderr, "%s: point %ld failed: %s\n", SWEEP_NAME, i,
		    line != NULL ? line : "no output (see the Slurm logs)");
		free(line);
		free(log);
	}
	if (bad) {
		/* afterok can never be met: do not leave the merge queued */
		capture(cancel, buf, sizeof buf);
		return 1;
	}
	while (slurm_job_queued(merge)) {
		if (interrupted || now_s() - start > (double)o->timeout) {
			fprintf(stderr, "%s: %s waiting for merge job %s\n",
			    SWEEP_NAME, interrupted ? "interrupted" :
			    "timed out", merge);
			return interrupted ? 130 : 1;
		}
		sleep_ns(SLURM_POLL_NS);
	}
	return 0;
}

/* ---- GNU parallel over ssh ---- */

static int run_ssh(const struct sweep_opts *o, const char *self,
    const long *todo, long ntodo)
{
	char **argv = xcalloc((size_t)ntodo + 12, sizeof *argv);
	char *cmd = sweep_command(o, self, "--point {}"), *line, jobs[32];
	int n = 0, status = 0;
	long i;
	pid_t pid;

	argv[n++] = xstrdup("parallel");
	argv[n++] = xstrdup("--sshlogin");
	argv[n++] = xstrdup(o->ssh);
	argv[n++] = xstrdup("--halt");
	argv[n++] = xstrdup("never");
	if (o->jobs_given) {
		snprintf(jobs, sizeof jobs, "%ld", o->jobs);
		argv[n++] = xstrdup("--jobs");
		argv[n++] = xstrdup(jobs);
	}
	argv[n++] = cmd;
	argv[n++] = xstrdup(":::");
	for (i = 0; i < ntodo; i++)
		xasprintf(&argv[n++], "%ld", todo[i]);
	argv[n] = NULL;
	if (o->dry_run) {
		line = join_quoted(argv);
		printf("%s\n", line);
		free(line);
	} else {
		pid = spawn(argv, NULL);
		while (pid > 0 && waitpid(pid, &status, 0) < 0 &&
		    errno == EINTR)
			;
		if (pid < 0)
			status = 1;
	}
	sweep_argv_free(argv);
	if (interrupted)
		return 130;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* ---- merging and checks ---- */

static int merge_shards(const struct sweep *s, const struct sweep_opts *o,
    int *missing)
{
	char **shards = xcalloc((size_t)s->nr_points + 1, sizeof *shards);
	char *cause = NULL;
	int n = 0, merged = 0, skipped = 0, rc;
	long i;

	*missing = 0;
	for (i = 0; i < s->nr_points; i++) {
		if (point_complete(s, o->shards, i))
			shards[n++] = sweep_shard_path(o->shards, i);
		else
			(*missing)++;
	}
	rc = sweep_merge(o->db, shards, n, &merged, &skipped, &cause);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", SWEEP_NAME, cause);
		free(cause);
	} else if (!o->quiet)
		fprintf(stderr, "%s: %s: merged %d run%s (%d already there)"
		    "%s\n", SWEEP_NAME, o->db, merged, merged == 1 ? "" : "s",
		    skipped, *missing ? ", some points are missing" : "");
	for (i = 0; i < n; i++)
		free(shards[i]);
	free(shards);
	return rc;
}

/* 0 all passed, 1 some failed or could not be evaluated. */
static int run_checks(const struct sweep_opts *o, json_t *results)
{
	char *cause = NULL;
	int i, r, rc = 0;

	for (i = 0; i < o->nr_checks; i++) {
		r = sweep_check_run(o->checks[i], o->db, o->json ? stderr :
		    stdout, results, &cause);
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", SWEEP_NAME, cause);
			free(cause);
			cause = NULL;
		}
		if (r != 1)
			rc = 1;
	}
	return rc;
}

static json_t *points_json(const struct sweep *s, const enum point_state *st,
    char *const *errors)
{
	json_t *a = json_array(), *p, *kvj;
	struct sweep_point pt;
	struct sweep_kv *kv;
	int nkv, k;
	long i;

	for (i = 0; i < s->nr_points; i++) {
		sweep_point_get(s, i, &pt);
		kv = sweep_point_kv(s, &pt, &nkv);
		p = json_object();
		kvj = json_object();
		for (k = 0; k < nkv; k++)
			json_object_set_new(kvj, kv[k].key,
			    json_string(kv[k].value));
		json_object_set_new(p, "point", json_integer(i));
		json_object_set_new(p, "params", kvj);
		if (st != NULL)
			json_object_set_new(p, "status",
			    json_string(point_state_names[st[i]]));
		if (errors != NULL && errors[i] != NULL)
			json_object_set_new(p, "error", json_string(errors[i]));
		json_array_append_new(a, p);
		sweep_kv_free(kv, nkv);
		sweep_point_fini(&pt);
	}
	return a;
}

static int list_points(const struct sweep *s, bool json)
{
	struct sweep_point pt;
	struct sweep_kv *kv;
	json_t *a;
	char *desc;
	int nkv;
	long i;

	if (json) {
		a = points_json(s, NULL, NULL);
		json_dumpf(a, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(a);
		return 0;
	}
	for (i = 0; i < s->nr_points; i++) {
		sweep_point_get(s, i, &pt);
		kv = sweep_point_kv(s, &pt, &nkv);
		desc = sweep_kv_format(kv, nkv - 1);	/* not point= */
		printf("%ld\t%s\n", i, desc);
		free(desc);
		sweep_kv_free(kv, nkv);
		sweep_point_fini(&pt);
	}
	return 0;
}

/* --point I: run one point into its shard. */
static int run_point(const struct sweep *s, const struct sweep_opts *o)
{
	char *shard, **argv, *line, *errfile, *error = NULL;
	int status = 0;
	pid_t pid;

	if (o->point >= s->nr_points) {
		fprintf(stderr, "%s: --point %ld: the sweep has %ld points "
		    "(0 to %ld)\n", SWEEP_NAME, o->point, s->nr_points,
		    s->nr_points - 1);
		return 2;
	}
	if (point_complete(s, o->shards, o->point)) {
		if (!o->quiet)
			fprintf(stderr, "%s: point %ld is already complete, "
			    "skipped\n", SWEEP_NAME, o->point);
		return 0;
	}
	argv = point_argv(s, o, o->point, &shard);
	if (o->dry_run) {
		line = join_quoted(argv);
		printf("%s\n", line);
		free(line);
		sweep_argv_free(argv);
		free(shard);
		return 0;
	}
	sweep_shard_remove(shard);
	xasprintf(&errfile, "%s.err", shard);
	pid = spawn(argv, errfile);
	sweep_argv_free(argv);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0)
		status = 127 << 8;
	if (point_finish(s, o->point, shard, errfile, status, &error) != 0)
		status = 1;
	else
		status = 0;
	unlink(errfile);
	free(errfile);
	free(error);
	free(shard);
	return interrupted ? 130 : status;
}

int main(int argc, char **argv)
{
	struct sweep_opts o;
	struct sigaction sa;
	struct sweep *s = NULL;
	enum point_state *state = NULL;
	char **errors = NULL, *cause = NULL, *self, *line, **pargv, *shard;
	long *todo = NULL, ntodo = 0, nskip = 0, i;
	bool do_merge;
	json_t *out = NULL, *checks = NULL;
	int c, ret = 0, missing = 0, k;

	memset(&o, 0, sizeof o);
	o.db = DEFAULT_DB;
	o.point = -1;
	o.timeout = DEFAULT_TIMEOUT;
	o.jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (o.jobs < 1)
		o.jobs = 1;
	while ((c = cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'j':
			o.jobs = cli_parse_count(&cli, "-j", optarg, 1);
			o.jobs_given = true;
			break;
		case 'd':
			if (*optarg == '\0')
				cli_usage_error(&cli, "empty database path");
			o.db = optarg;
			break;
		case OPT_SHARDS:
			free(o.shards);
			o.shards = abs_path(optarg);
			break;
		case OPT_LIST:
			o.list = true;
			break;
		case OPT_POINT:
			o.point = cli_parse_count(&cli, "--point", optarg, 0);
			break;
		case OPT_MERGE:
			o.merge = true;
			break;
		case OPT_SLURM:
			o.slurm = true;
			break;
		case OPT_NO_WAIT:
			o.no_wait = true;
			break;
		case OPT_SLURM_SCRIPT:
			o.slurm_script = optarg;
			break;
		case OPT_TIMEOUT:
			o.timeout = cli_parse_count(&cli, "--timeout", optarg,
			    1);
			break;
		case OPT_SSH:
			o.ssh = optarg;
			break;
		case OPT_KMSIM:
			free(o.kmsim);
			o.kmsim = strchr(optarg, '/') != NULL ?
			    abs_path(optarg) : xstrdup(optarg);
			break;
		case 'c':
			if (o.nr_checks == MAX_CHECKS)
				cli_usage_error(&cli, "too many --check"
				    " options");
			o.checks[o.nr_checks] = sweep_check_parse(optarg,
			    &cause);
			if (o.checks[o.nr_checks] == NULL) {
				fprintf(stderr, "%s: --check '%s': %s\n",
				    SWEEP_NAME, optarg, cause);
				exit(2);
			}
			o.nr_checks++;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		}
	}
	if (optind < argc)
		o.sweep_path = argv[optind++];
	cli_no_operands(&cli, argc, argv);
	if ((o.slurm || o.slurm_script != NULL) + (o.ssh != NULL) +
	    (o.point >= 0) + o.merge + o.list > 1)
		cli_usage_error(&cli, "give at most one of --slurm, --ssh,"
		    " --point, --merge and --list");
	if (o.no_wait && !o.slurm)
		cli_usage_error(&cli, "--no-wait goes with --slurm");

	/* checks on an existing database */
	if (o.sweep_path == NULL) {
		if (o.nr_checks == 0)
			cli_usage_error(&cli, "no sweep file (or --db DB"
			    " --check EXPR to check a database)");
		checks = json_array();
		ret = run_checks(&o, o.json ? checks : NULL);
		if (o.json) {
			out = json_object();
			json_object_set_new(out, "database", json_string(o.db));
			json_object_set(out, "checks", checks);
			json_dumpf(out, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
		}
		goto out;
	}

	s = sweep_load(o.sweep_path, &cause);
	if (s == NULL || sweep_validate(s, &cause) != 0) {
		fprintf(stderr, "%s: %s\n", SWEEP_NAME, cause);
		free(cause);
		ret = 1;
		goto out;
	}
	if (o.list) {
		ret = list_points(s, o.json);
		goto out;
	}
	if (o.shards == NULL) {
		char *db = abs_path(o.db);

		xasprintf(&o.shards, "%s.shards", db);
		free(db);
	}
	self = self_path();
	if (o.kmsim == NULL)
		o.kmsim = default_kmsim(self);
	if (!o.dry_run && make_dir(o.shards) != 0) {
		fprintf(stderr, "%s: %s: %s\n", SWEEP_NAME, o.shards,
		    strerror(errno));
		free(self);
		ret = 1;
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (o.slurm_script != NULL || (o.slurm && o.dry_run)) {
		ret = write_slurm_script(s, &o, self, o.slurm_script != NULL ?
		    o.slurm_script : "-") != 0;
		free(self);
		goto out;
	}
	if (o.point >= 0) {
		ret = run_point(s, &o);
		free(self);
		goto out;
	}

	state = xcalloc((size_t)s->nr_points, sizeof *state);
	errors = xcalloc((size_t)s->nr_points, sizeof *errors);
	do_merge = true;
	if (o.merge) {
		ret = 0;
	} else if (o.slurm) {
		ret = run_slurm(s, &o, self);
		do_merge = ret == 0 && !o.no_wait;
		if (o.no_wait)
			o.nr_checks = 0;
	} else {
		todo = xcalloc((size_t)s->nr_points, sizeof *todo);
		for (i = 0; i < s->nr_points; i++) {
			if (point_complete(s, o.shards, i)) {
				state[i] = PT_SKIPPED;
				nskip++;
			} else
				todo[ntodo++] = i;
		}
		if (!o.quiet && !o.dry_run)
			fprintf(stderr, "%s: %ld points: %ld already complete "
			    "(skipped), %ld to run\n", SWEEP_NAME,
			    s->nr_points, nskip, ntodo);
		if (o.dry_run && o.ssh == NULL) {
			for (i = 0; i < ntodo; i++) {
				pargv = point_argv(s, &o, todo[i], &shard);
				line = join_quoted(pargv);
				printf("%s\n", line);
				free(line);
				free(shard);
				sweep_argv_free(pargv);
			}
		} else if (o.ssh != NULL) {
			ret = ntodo > 0 ? run_ssh(&o, self, todo, ntodo) : 0;
			for (i = 0; i < ntodo && !o.dry_run; i++) {
				if (point_complete(s, o.shards, todo[i]))
					state[todo[i]] = PT_RAN;
				else {
					state[todo[i]] = PT_FAILED;
					fprintf(stderr, "%s: point %ld failed on "
					    "the remote host\n", SWEEP_NAME,
					    todo[i]);
					ret = ret == 130 ? 130 : 1;
				}
			}
		} else if (ntodo > 0)
			ret = run_local(s, &o, todo, ntodo, state, errors);
		do_merge = !o.dry_run && ret != 130;
	}
	free(self);
	if (do_merge) {
		if (merge_shards(s, &o, &missing) != 0)
			ret = 1;
		else if (o.merge && missing)
			ret = 1;
		if (ret == 0 || ret == 1) {
			checks = json_array();
			if (run_checks(&o, o.json ? checks : NULL) != 0)
				ret = 1;
		}
	}
	if (o.json) {
		out = json_object();
		json_object_set_new(out, "sweep", json_string(s->path));
		json_object_set_new(out, "database", json_string(o.db));
		json_object_set_new(out, "points", points_json(s, state,
		    errors));
		if (checks != NULL)
			json_object_set(out, "checks", checks);
		json_dumpf(out, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	}

out:
	json_decref(out);
	json_decref(checks);
	if (errors != NULL)
		for (i = 0; i < s->nr_points; i++)
			free(errors[i]);
	free(errors);
	free(state);
	free(todo);
	for (k = 0; k < o.nr_checks; k++)
		sweep_check_destroy(o.checks[k]);
	/* nr_checks was zeroed for --no-wait: free what was parsed */
	for (; k < MAX_CHECKS && o.checks[k] != NULL; k++)
		sweep_check_destroy(o.checks[k]);
	free(o.shards);
	free(o.kmsim);
	sweep_destroy(s);
	return ret;
}
