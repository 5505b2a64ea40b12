/*
** compile_models.c -- ANEMLL's `compile_models.py`, in C, on mlcc.
**
**   compile_models PART [--lut BITS[,GROUP]] [--chunk N] [--prefix P]
**                  [--input DIR] [--output DIR] [--recursive]
**                  [--force-mlprogram] [--split-rotate] [-j N] [--quiet]
**                  [--json]
**
** The contract is ANEMLL's (docs/spec/anemll.md §1): the same
** arguments (argparse style: --opt VALUE, --opt=VALUE, unambiguous
** prefixes), the same file-name patterns and fallbacks, the same message
** lines on stdout.  What differs, on purpose (§1.8):
**  - honest exit codes: 0 only when every requested package compiled,
**    1 when one is missing or fails, 2 for usage errors;
**  - every requested file is checked before compiling (part 2 included),
**    and a missing file is reported with every name that was tried;
**  - `all --recursive` refuses two packages that would compile to the
**    same bundle instead of letting the last one win;
**  - packages compile in parallel (-j, default: the number of cores) with
**    output identical to a serial run; each bundle appears atomically.
** --force-mlprogram and --split-rotate keep ANEMLL's meaning; mlcc always
** writes the ML Program form, so the former changes nothing.
*/
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "mlcc.h"

#define PROG "compile_models"

static const char usage_line[] =
	"usage: compile_models [-h] [--lut LUT] [--chunk CHUNK] [--prefix PREFIX]\n"
	"                      [--input INPUT] [--output OUTPUT] [--recursive]\n"
	"                      [--force-mlprogram] [--split-rotate] [-j N] [--quiet]\n"
	"                      [--coremlc-version V] [--mil-version M]\n"
	"                      [--link copy|reflink|hard|auto] [--json]\n"
	"                      part\n";

struct options {
	const char *part;
	const char *lut; /* raw --lut value, NULL if absent */
	int lut_bits;	 /* 0: no LUT suffix */
	long chunk;	 /* 0: not given */
	const char *prefix;
	const char *input;
	const char *output;
	bool recursive, force_mlprogram, split_rotate, quiet, json;
	long jobs;
	const char *coremlc, *mil;
	enum mlcc_link_mode link;
};

/* One package to compile, and what happened. */
struct job {
	char *path;
	int status; /* MLCC_OK or the failure */
	char message[1024];
	bool done;
	double seconds;			   /* how long its compile took */
	struct mlcc_compile_result result; /* under --json: what it did */
};

/* Under --json: where the JSON lines go (the real stdout, while ANEMLL's
** report lines are sent to stderr); NULL otherwise. */
static FILE *json_out;

static int usage_error(const char *fmt, const char *arg)
{
	fputs(usage_line, stderr);
	fprintf(stderr, PROG ": error: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static void help(void)
{
	fputs(usage_line, stdout);
	fputs("\nCompile ANEMLL model parts (.mlpackage) into .mlmodelc bundles with mlcc.\n\n"
	      "positional arguments:\n"
	      "  part                  Model part to compile (1, 2, 3, monolithic, or all)\n\n"
	      "options:\n"
	      "  -h, --help            show this help message and exit\n"
	      "  --lut LUT             LUT bits or bits,per_channel (e.g. 6 or 6,4); only\n"
	      "                        the bits name the files; none/no/false: no LUT\n"
	      "  --chunk CHUNK         number of chunks (required for part 2)\n"
	      "  --prefix PREFIX       model name prefix (default: llama)\n"
	      "  --input INPUT, --input-dir INPUT\n"
	      "                        directory holding the .mlpackage files (default: .)\n"
	      "  --output OUTPUT, --output-dir OUTPUT\n"
	      "                        where the .mlmodelc bundles go (default: the input\n"
	      "                        directory; created if missing)\n"
	      "  --recursive           with 'all': search subdirectories too\n"
	      "  --force-mlprogram     accepted for ANEMLL compatibility (mlcc always\n"
	      "                        compiles the ML Program form)\n"
	      "  --split-rotate        part 2: also compile each chunk's _rot twin\n"
	      "  -j N, --jobs N        compile N packages in parallel (default: cores)\n"
	      "  --quiet               print only errors\n"
	      "  --coremlc-version V, --mil-version M\n"
	      "                        compiler stamp (see `mlcc --help`)\n"
	      "  --link MODE           how weights reach the bundles: copy (default),\n"
	      "                        reflink, hard or auto (see `mlcc --help`)\n"
	      "  --json                one line of JSON per package on stdout\n"
	      "                        (docs/json-output.md); the report goes to stderr\n\n"
	      "Exit status: 0 when every requested package compiled, 1 when one is\n"
	      "missing or fails to compile, 2 for usage errors.\n",
	      stdout);
}

/* ---- arguments ---------------------------------------------------------- */

enum opt_id {
	O_LUT,
	O_CHUNK,
	O_PREFIX,
	O_INPUT,
	O_OUTPUT,
	O_RECURSIVE,
	O_FORCE,
	O_SPLIT,
	O_JOBS,
	O_QUIET,
	O_HELP,
	O_COREMLC,
	O_MIL,
	O_LINK,
	O_JSON,
	O_COUNT
};

/* clang-format off */
static const struct {
	const char *name;
	enum opt_id id;
	bool value;
} long_opts[] = {
	{"--lut", O_LUT, true},          {"--chunk", O_CHUNK, true},
	{"--prefix", O_PREFIX, true},    {"--input", O_INPUT, true},
	{"--input-dir", O_INPUT, true},  {"--output", O_OUTPUT, true},
	{"--output-dir", O_OUTPUT, true}, {"--recursive", O_RECURSIVE, false},
	{"--force-mlprogram", O_FORCE, false},
	{"--split-rotate", O_SPLIT, false}, {"--jobs", O_JOBS, true},
	{"--quiet", O_QUIET, false},     {"--help", O_HELP, false},
	{"--coremlc-version", O_COREMLC, true},
	{"--mil-version", O_MIL, true},
	{"--link", O_LINK, true},        {"--json", O_JSON, false},
};
/* clang-format on */

#define NOPTS (sizeof long_opts / sizeof long_opts[0])

/* The option 'arg' names (exactly, or as an unambiguous prefix, as
** argparse allows); -1 unknown, -2 ambiguous. */
static int find_opt(const char *arg, size_t len)
{
	int found = -1;

	for (size_t i = 0; i < NOPTS; i++)
		if (strlen(long_opts[i].name) == len && strncmp(long_opts[i].name, arg, len) == 0)
			return (int)i;
	for (size_t i = 0; i < NOPTS; i++)
		if (strncmp(long_opts[i].name, arg, len) == 0) {
			if (found >= 0 && long_opts[found].id != long_opts[i].id)
				return -2;
			found = (int)i;
		}
	return found;
}

/* ANEMLL's parse_lut_arg: none/no/false/empty -> no LUT; "6" or "6,4"
** -> 6 (only the part before the first comma counts). */
static int parse_lut(const char *s, int *bits)
{
	char buf[64], *end;
	long v;
	size_t n = strcspn(s, ",");

	snprintf(buf, sizeof buf, "%.*s", (int)(n < 63 ? n : 63), s);
	for (char *p = buf; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	if (!strchr(s, ',') &&
	    (!strcmp(buf, "none") || !strcmp(buf, "no") || !strcmp(buf, "false") || !buf[0])) {
		*bits = 0;
		return 0;
	}
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || *end || v < 1 || v > 16)
		return -1;
	*bits = (int)v;
	return 0;
}

static int set_value(struct options *o, enum opt_id id, const char *v)
{
	char *end;

	switch (id) {
	case O_LUT:
		o->lut = v;
		if (parse_lut(v, &o->lut_bits))
			return usage_error("Invalid LUT bits value: %s", v);
		return 0;
	case O_CHUNK:
		o->chunk = strtol(v, &end, 10);
		if (*end || end == v || o->chunk < 1 || o->chunk > 99)
			return usage_error("argument --chunk: invalid int value: '%s'", v);
		return 0;
	case O_JOBS:
		o->jobs = strtol(v, &end, 10);
		if (*end || end == v || o->jobs < 1 || o->jobs > 1024)
			return usage_error("argument -j/--jobs: invalid value: '%s'", v);
		return 0;
	case O_PREFIX: o->prefix = v; return 0;
	case O_INPUT: o->input = v; return 0;
	case O_OUTPUT: o->output = v; return 0;
	case O_COREMLC: o->coremlc = v; return 0;
	case O_MIL: o->mil = v; return 0;
	case O_LINK: {
		int mode = mlcc_link_mode_parse(v);
		if (mode < 0)
			return usage_error(
				"argument --link: invalid choice: '%s' (choose from copy, reflink, hard, auto)",
				v);
		o->link = (enum mlcc_link_mode)mode;
		return 0;
	}
	default: return 0;
	}
}

static int set_flag(struct options *o, enum opt_id id)
{
	switch (id) {
	case O_RECURSIVE: o->recursive = true; break;
	case O_FORCE: o->force_mlprogram = true; break;
	case O_SPLIT: o->split_rotate = true; break;
	case O_QUIET: o->quiet = true; break;
	case O_JSON: o->json = true; break;
	case O_HELP: help(); exit(0);
	default: break;
	}
	return 0;
}

/* A long option at argv[*i]: "--opt", "--opt VALUE" or "--opt=VALUE". */
static int long_option(struct options *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	int k = find_opt(a, len);

	if (k == -2)
		return usage_error("ambiguous option: %s", a);
	if (k < 0)
		return usage_error("unrecognized arguments: %s", a);
	if (!long_opts[k].value) {
		if (eq)
			return usage_error("argument %s: ignored explicit argument",
					   long_opts[k].name);
		return set_flag(o, long_opts[k].id);
	}
	if (eq)
		return set_value(o, long_opts[k].id, eq + 1);
	if (*i + 1 >= argc)
		return usage_error("argument %s: expected one argument", long_opts[k].name);
	return set_value(o, long_opts[k].id, argv[++*i]);
}

static int parse_args(struct options *o, int argc, char **argv)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	memset(o, 0, sizeof *o);
	o->prefix = "llama";
	o->input = ".";
	o->jobs = cores > 0 ? cores : 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0) {
			help();
			exit(0);
		} else if (strncmp(a, "-j", 2) == 0) {
			const char *v = a[2] ? a + 2 : i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return usage_error("%s",
						   "argument -j/--jobs: expected one argument");
			if ((rc = set_value(o, O_JOBS, v)))
				return rc;
		} else if (strncmp(a, "--", 2) == 0 && a[2]) {
			if ((rc = long_option(o, argc, argv, &i)))
				return rc;
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unrecognized arguments: %s", a);
		} else if (!o->part) {
			o->part = a;
		} else {
			return usage_error("unrecognized arguments: %s", a);
		}
	}
	if (!o->part)
		return usage_error("%s", "the following arguments are required: part");
	if (!o->output)
		o->output = o->input;
	return 0;
}

/* ---- what to compile ---------------------------------------------------- */

struct list {
	char **v;
	size_t n;
	size_t missing; /* requested packages not found */
};

/* Append 's' (a path from join()); out of memory ends the program with a
** message naming it. */
static void push(struct list *l, char *s)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof *v);

	if (!v) {
		fprintf(stderr, PROG ": error: %s: out of memory\n", s);
		exit(1);
	}
	l->v = v;
	l->v[l->n++] = s;
}

/* "dir/name", malloc'd; out of memory ends the program with a message
** naming that path (these lists are made before any output exists). */
static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (!p) {
		fprintf(stderr, PROG ": error: %s/%s: out of memory\n", dir, name);
		exit(1);
	}
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "_lut6" or "". */
static void lut_suffix(const struct options *o, char *buf, size_t n)
{
	if (o->lut_bits)
		snprintf(buf, n, "_lut%d", o->lut_bits);
	else
		buf[0] = '\0';
}

/* Add 'name' (in the input dir) to the jobs if it exists, else report it
** with ANEMLL's line (and the names tried, when there were several);
** returns false when missing. */
static bool want(const struct options *o, struct list *jobs, const char *name,
		 const char *error_line, const char *tried)
{
	char *p = join(o->input, name);

	if (p && is_dir(p)) {
		push(jobs, p);
		return true;
	}
	printf("%s%s\n", error_line, p ? p : name);
	if (tried)
		printf("  tried: %s\n", tried);
	if (json_out) {
		char msg[2 * PATH_MAX];
		struct cli_json_compile j = {p ? p : name, NULL, MLCC_E_IO, msg, 0};
		snprintf(msg, sizeof msg, "%s%s", error_line + strlen("Error: "), p ? p : name);
		cli_json_compile_line(json_out, &j);
	}
	free(p);
	jobs->missing++;
	return false;
}

static bool part1(const struct options *o, struct list *jobs)
{
	char lut[16], name[PATH_MAX], plain[PATH_MAX], tried[2 * PATH_MAX + 8];
	char *pl;

	lut_suffix(o, lut, sizeof lut);
	snprintf(name, sizeof name, "%s_embeddings%s.mlpackage", o->prefix, lut);
	snprintf(plain, sizeof plain, "%s_embeddings.mlpackage", o->prefix);
	if (o->lut_bits) {
		char *p = join(o->input, name);
		bool found = p && is_dir(p);
		free(p);
		if (found)
			return want(o, jobs, name, "Error: Model file not found: ", NULL);
		/* ANEMLL's warning names the fallback, not the missing file. */
		printf("Warning: %s not found, trying fallback naming pattern\n", plain);
		p = join(o->input, name);
		pl = join(o->input, plain);
		snprintf(tried, sizeof tried, "%s, %s", p ? p : name, pl ? pl : plain);
		free(p);
		free(pl);
		return want(o, jobs, plain, "Error: Model file not found: ", tried);
	}
	return want(o, jobs, plain, "Error: Model file not found: ", NULL);
}

static bool part2(const struct options *o, struct list *jobs)
{
	char lut[16], name[PATH_MAX];
	bool ok = true;

	lut_suffix(o, lut, sizeof lut);
	for (long i = 1; i <= o->chunk; i++) {
		snprintf(name, sizeof name, "%s_FFN_PF%s_chunk_%02ldof%02ld.mlpackage", o->prefix,
			 lut, i, o->chunk);
		ok &= want(o, jobs, name, "Error: Model file not found: ", NULL);
		if (!o->split_rotate)
			continue;
		snprintf(name, sizeof name, "%s_FFN_PF%s_chunk_%02ldof%02ld_rot.mlpackage",
			 o->prefix, lut, i, o->chunk);
		ok &= want(o, jobs, name, "Error: Model file not found: ", NULL);
	}
	return ok;
}

static bool named_part(const struct options *o, struct list *jobs, const char *middle,
		       const char *error_line)
{
	char lut[16], name[PATH_MAX];

	lut_suffix(o, lut, sizeof lut);
	snprintf(name, sizeof name, "%s_%s%s.mlpackage", o->prefix, middle, lut);
	return want(o, jobs, name, error_line, NULL);
}

/* The directories a search has entered, by (st_dev, st_ino). */
struct seen {
	struct {
		dev_t dev;
		ino_t ino;
	} * v;
	size_t n, cap;
};

/* True when 'st' was entered before (a symlink loop such as "a -> ."
** would otherwise make the search go round until its depth limit, and
** several links multiply the work); else it is noted. */
static bool seen_before(struct seen *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == st->st_dev && s->v[i].ino == st->st_ino)
			return true;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 32;
		void *p = realloc(s->v, cap * sizeof *s->v);
		if (!p)
			return true; /* out of memory: search no further */
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n].dev = st->st_dev;
	s->v[s->n].ino = st->st_ino;
	s->n++;
	return false;
}

/* Every *.mlpackage below 'dir' (not inside packages), recursively; a
** directory reached a second time (symlink loop) is skipped with a
** warning. */
static void find_packages(const char *dir, bool recursive, struct list *l, unsigned depth,
			  struct seen *seen, bool quiet)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (stat(dir, &st) != 0)
		return;
	if (seen_before(seen, &st)) {
		if (!quiet)
			printf("Warning: %s leads back to a directory already searched (symlink "
			       "loop); skipped\n",
			       dir);
		return;
	}
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char *p;
		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		p = join(dir, e->d_name);
		if (!p || !is_dir(p)) {
			free(p);
			continue;
		}
		if (n > 10 && strcmp(e->d_name + n - 10, ".mlpackage") == 0) {
			push(l, p);
		} else {
			if (recursive && depth < 32)
				find_packages(p, recursive, l, depth + 1, seen, quiet);
			free(p);
		}
	}
	if (d)
		closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Part 'all': absolute paths, sorted; refuse output collisions. */
static int part_all(const struct options *o, struct list *jobs)
{
	char *root = realpath(o->input, NULL);
	int rc = 0;

	if (!root) {
		printf("Error: No .mlpackage files found under %s (recursive=%s)\n", o->input,
		       o->recursive ? "True" : "False");
		return 1;
	}
	struct seen seen = {NULL, 0, 0};

	find_packages(root, o->recursive, jobs, 0, &seen, o->quiet);
	free(seen.v);
	if (jobs->n)
		qsort(jobs->v, jobs->n, sizeof *jobs->v, cmp_str);
	if (!jobs->n) {
		printf("Error: No .mlpackage files found under %s (recursive=%s)\n", root,
		       o->recursive ? "True" : "False");
		rc = 1;
	} else if (!o->quiet) {
		printf("Found %zu .mlpackage files under %s\n", jobs->n, root);
	}
	for (size_t i = 0; i < jobs->n; i++)
		for (size_t k = i + 1; k < jobs->n; k++)
			if (strcmp(base_name(jobs->v[i]), base_name(jobs->v[k])) == 0) {
				printf("Error: %s and %s would both compile to %s/%.*s.mlmodelc\n",
				       jobs->v[i], jobs->v[k], o->output,
				       (int)strlen(base_name(jobs->v[i])) - 10,
				       base_name(jobs->v[i]));
				rc = 1;
			}
	free(root);
	return rc;
}

/* Fill 'jobs'; returns 0, 1 (something missing: nothing is compiled that
** was not asked for, but the rest still is) or 2 (usage). */
static int select_jobs(const struct options *o, struct list *jobs)
{
	const char *p = o->part;

	if (strcmp(p, "1") == 0)
		return part1(o, jobs) ? 0 : 1;
	if (strcmp(p, "2") == 0) {
		if (!o->chunk) {
			fputs(usage_line, stderr);
			fprintf(stderr, "Error: --chunk required for part 2\n");
			return 2;
		}
		return part2(o, jobs) ? 0 : 1;
	}
	if (strcmp(p, "3") == 0)
		return named_part(o, jobs, "lm_head", "Error: Model file not found: ") ? 0 : 1;
	if (strcmp(p, "monolithic") == 0)
		return named_part(o, jobs, "monolithic_full", "Error: Monolithic model not found: ")
			       ? 0
			       : 1;
	if (strcmp(p, "all") == 0)
		return part_all(o, jobs);
	fputs(usage_line, stderr);
	fprintf(stderr, "Error: Invalid part %s\n", p);
	return 2;
}

/* --json: stdout carries only the JSON lines, so the report lines that
** ANEMLL prints on stdout are moved to stderr (fd 1 becomes a copy of fd
** 2; the JSON goes to a duplicate of the original stdout).  Exits on
** failure: without it the output would be unusable. */
static void json_begin(void)
{
	int fd = dup(STDOUT_FILENO);

	fflush(stdout);
	json_out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!json_out || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		fprintf(stderr, PROG ": cannot set up --json output\n");
		exit(1);
	}
}

/* ---- compiling, in parallel, reporting in order -------------------------- */

struct pool {
	const struct options *o;
	struct job *jobs;
	size_t n, next;
	pthread_mutex_t lock;
	pthread_cond_t done;
};

static void compile_one(const struct options *o, struct job *j)
{
	struct mlcc_compile_options co = {0};
	struct cli_progress prog;
	struct mlcc_diag d;

	co.input = j->path;
	co.output_dir = o->output;
	co.coremlc_version = o->coremlc;
	co.mil_version = o->mil;
	co.link = o->link;
	/* One progress line at a time. */
	cli_progress_init(&prog, "compile_models", o->quiet || o->jobs > 1);
	co.on_event = cli_on_event;
	co.event_ctx = &prog;
	j->seconds = cli_now();
	j->status = mlcc_compile(&co, o->json ? &j->result : NULL, &d);
	j->seconds = cli_now() - j->seconds;
	cli_progress_clear(&prog);
	if (j->status)
		snprintf(j->message, sizeof j->message, "%s", d.message);
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct job *j;
		pthread_mutex_lock(&p->lock);
		j = p->next < p->n ? &p->jobs[p->next++] : NULL;
		pthread_mutex_unlock(&p->lock);
		if (!j)
			return NULL;
		compile_one(p->o, j);
		pthread_mutex_lock(&p->lock);
		j->done = true;
		pthread_cond_broadcast(&p->done);
		pthread_mutex_unlock(&p->lock);
	}
}

/* ANEMLL's lines for one package. */
static void report(const struct options *o, const struct job *j)
{
	if (!o->quiet)
		printf("\nCompiling %s...\n", base_name(j->path));
	if (j->status == MLCC_OK) {
		if (!o->quiet)
			printf("Compilation successful\n");
	} else {
		if (o->quiet)
			printf("\nCompiling %s...\n", base_name(j->path));
		printf("Compilation failed with error:\n%s\n", j->message);
	}
	fflush(stdout);
	if (json_out) {
		struct cli_json_compile c = {j->path, &j->result, j->status,
					     j->status ? j->message : NULL, j->seconds};
		cli_json_compile_line(json_out, &c);
	}
}

/* Compile every job with up to o->jobs threads; returns the failures. */
static size_t run(const struct options *o, struct list *paths)
{
	struct pool p = {o,
			 calloc(paths->n + 1, sizeof *p.jobs),
			 paths->n,
			 0,
			 PTHREAD_MUTEX_INITIALIZER,
			 PTHREAD_COND_INITIALIZER};
	size_t nthreads = (size_t)o->jobs < paths->n ? (size_t)o->jobs : paths->n;
	pthread_t *t = calloc(nthreads + 1, sizeof *t);
	size_t failed = 0, started = 0;

	if (!p.jobs || !t) {
		fprintf(stderr, PROG ": error: %s: out of memory\n", paths->v[0]);
		exit(1);
	}
	for (size_t i = 0; i < paths->n; i++)
		p.jobs[i].path = paths->v[i];
	for (size_t i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, worker, &p) == 0)
			started++;
	if (!started) /* no threads: compile here */
		worker(&p);
	for (size_t i = 0; i < paths->n; i++) {
		pthread_mutex_lock(&p.lock);
		while (!p.jobs[i].done)
			pthread_cond_wait(&p.done, &p.lock);
		pthread_mutex_unlock(&p.lock);
		report(o, &p.jobs[i]);
		mlcc_compile_result_free(&p.jobs[i].result);
		failed += p.jobs[i].status != MLCC_OK;
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	free(p.jobs);
	return failed;
}

int main(int argc, char **argv)
{
	struct options o;
	struct list jobs = {NULL, 0, 0};
	int rc = parse_args(&o, argc, argv);
	size_t failed;

	if (rc)
		return rc;
	json_object_seed(0); /* before threads: jansson's hash seed */
	if (o.json)
		json_begin();
	rc = select_jobs(&o, &jobs);
	if (rc == 2 || (rc && strcmp(o.part, "all") == 0)) {
		for (size_t i = 0; i < jobs.n; i++)
			free(jobs.v[i]);
		free(jobs.v);
		return rc;
	}
	failed = jobs.n ? run(&o, &jobs) : 0;
	if (jobs.missing)
		printf("\nError: %zu requested package%s not found\n", jobs.missing,
		       jobs.missing == 1 ? " was" : "s were");
	if (failed)
		printf("%sError: %zu of %zu packages failed to compile\n", jobs.missing ? "" : "\n",
		       failed, jobs.n);
	for (size_t i = 0; i < jobs.n; i++)
		free(jobs.v[i]);
	free(jobs.v);
	if (json_out && fclose(json_out) != 0)
		return 1;
	return failed || rc ? 1 : 0;
}
