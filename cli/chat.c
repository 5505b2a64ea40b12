/*
** chat.c -- `mlcc chat`: ANEMLL's chat.py on the CPU, one prompt at a time.
**
**   mlcc chat (--meta meta.yaml | --embed E --ffn F [--pf P] --lmhead L |
**              --monolithic M) [--context-length N] [--batch-size B]
**             [--prompt TEXT [--tokenizer DIR|FILE] | --tokens 1,2,3]
**             [--max-tokens N] [--temperature T] [--top-k K] [--top-p P]
**             [--seed S] [--eos ID] [--threads N] [--print-logits FILE]
**
**           [--template auto|llama3|chatml|gemma|inst|none | --no-template]
**   mlcc chat --encode-only --prompt TEXT (--tokenizer DIR|FILE | --meta M)
**
** Prints the generated text (--prompt) or token ids, comma-separated
** (--tokens), on stdout as they come, then on stderr
** "prefill: N tokens, X tok/s; decode: M tokens, Y tok/s".  With neither,
** every line of stdin is a prompt (chat.py's interactive loop).
** The tokenizer: --tokenizer, else the directory of meta.yaml (where
** ANEMLL's converter copies the tokenizer files).  Exit status 0, 1 (failure), 2 (usage).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlcc.h"

#define CHAT_MAX_IDS 4096
#define CHAT_MAX_EOS 12 /* 8 --eos, eos and three end-of-turn tokens */

static const char chat_usage[] =
	"usage: mlcc chat (--meta meta.yaml | --embed E --ffn F [--pf P] --lmhead L |\n"
	"                  --monolithic M) [--context-length N] [--batch-size B]\n"
	"                 [--prompt TEXT [--tokenizer DIR|FILE] | --tokens 1,2,3]\n"
	"                 [--max-tokens N] [--temperature T] [--top-k K] [--top-p P]\n"
	"                 [--seed S] [--eos ID] [--threads N] [--print-logits FILE]\n"
	"                 [--vocab-size V]\n"
	"                 [--template auto|llama3|chatml|gemma|inst|none | --no-template]\n"
	"       mlcc chat --encode-only --prompt TEXT (--tokenizer DIR|FILE | --meta M)\n";

struct chat_args {
	struct mlcc_chat_options o;
	struct mlcc_chat_sampling s;
	const char *prompt, *tokens, *tokenizer, *logits_file, *tmpl;
	int encode_only;
	long max_tokens;
	int32_t eos[CHAT_MAX_EOS];
	size_t neos;
};

/* What the token callback needs. */
struct printer {
	const mlcc_tokenizer *tok; /* NULL: print ids */
	int32_t *ids;
	size_t n, cap, printed;
	FILE *logits;
	int failed;
	struct mlcc_diag d;
};

/* A usage error: the message, the usage text; exit status 2. */
static int chat_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "mlcc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", chat_usage);
	return 2;
}

/* A whole decimal number in [lo, hi]. */
static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* A decimal number in [lo, hi]. */
static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

/* "1,15,27" -> ids (no empty item, no sign, at most CHAT_MAX_IDS). */
static int parse_ids(const char *s, int32_t **ids, size_t *n)
{
	int32_t *v = malloc(CHAT_MAX_IDS * sizeof *v);
	size_t k = 0;

	if (!v)
		return -1;
	for (;;) {
		char *end;
		long x;
		errno = 0;
		x = (*s >= '0' && *s <= '9') ? strtol(s, &end, 10) : -1;
		if (x < 0 || errno || x > INT32_MAX || k == CHAT_MAX_IDS || (*end && *end != ','))
			break;
		v[k++] = (int32_t)x;
		if (!*end) {
			*ids = v;
			*n = k;
			return 0;
		}
		s = end + 1;
	}
	free(v);
	return -1;
}

/* One option of argv[*i] that takes a number; 1 when it was one, 0 when
** not, 2 after a usage error was printed. */
static int number_option(int argc, char **argv, int *i, struct chat_args *a)
{
	const char *v;
	long l;
	double x;

	if ((v = cli_option_value(argc, argv, i, "--context-length"))) {
		if (parse_long(v, 2, 1 << 20, &l))
			return chat_usage_error("--context-length must be 2 to 1048576, not '%s'",
						v);
		a->o.context_length = (int)l;
	} else if ((v = cli_option_value(argc, argv, i, "--batch-size"))) {
		if (parse_long(v, 1, 1 << 20, &l))
			return chat_usage_error("--batch-size must be a positive count, not '%s'",
						v);
		a->o.batch_size = (int)l;
	} else if ((v = cli_option_value(argc, argv, i, "--vocab-size"))) {
		if (parse_long(v, 1, 1 << 24, &l))
			return chat_usage_error("--vocab-size must be a positive count, not '%s'",
						v);
		a->o.vocab_size = (int)l;
	} else if ((v = cli_option_value(argc, argv, i, "--max-tokens"))) {
		if (parse_long(v, 1, 1 << 30, &l))
			return chat_usage_error("--max-tokens must be a positive count, not '%s'",
						v);
		a->max_tokens = l;
	} else if ((v = cli_option_value(argc, argv, i, "--threads"))) {
		if (parse_long(v, 0, 1024, &l))
			return chat_usage_error("--threads must be 0 to 1024, not '%s'", v);
		a->o.threads = (int)l;
	} else if ((v = cli_option_value(argc, argv, i, "--top-k"))) {
		if (parse_long(v, 0, 1 << 24, &l))
			return chat_usage_error("--top-k must be a count (0: all), not '%s'", v);
		a->s.top_k = (int)l;
	} else if ((v = cli_option_value(argc, argv, i, "--seed"))) {
		if (parse_long(v, 0, 0x7fffffffL, &l))
			return chat_usage_error("--seed must be 0 to 2147483647, not '%s'", v);
		a->s.seed = (uint64_t)l;
	} else if ((v = cli_option_value(argc, argv, i, "--eos"))) {
		if (parse_long(v, 0, INT32_MAX, &l) || a->neos == 8)
			return chat_usage_error(
				"--eos takes a token id (at most 8 times), not '%s'", v);
		a->eos[a->neos++] = (int32_t)l;
	} else if ((v = cli_option_value(argc, argv, i, "--temperature"))) {
		if (parse_double(v, 0, 100, &x))
			return chat_usage_error("--temperature must be 0 to 100, not '%s'", v);
		a->s.temperature = x;
	} else if ((v = cli_option_value(argc, argv, i, "--top-p"))) {
		if (parse_double(v, 0, 1, &x))
			return chat_usage_error("--top-p must be 0 to 1, not '%s'", v);
		a->s.top_p = x;
	} else
		return 0;
	return 1;
}

/* ---- chat templates ---------------------------------------------------------
** mlcc runs no Jinja: the formats of the common templates are written out
** here, one user turn and the generation prompt, and --template auto
** picks one by the markers of the tokenizer's chat_template (none at all:
** chat.py's manual "[INST] ... [/INST]").  Qwen's templates add a default
** system turn; the text is taken from the template when it holds one of
** the two known ones. */
struct chat_format {
	const char *name, *before, *after;
	int add_special; /* encode with the tokenizer's bos (no template bos) */
};

static const struct chat_format formats[] = {
	{"none", "", "", 1},
	{"inst", "[INST] ", " [/INST]", 1},
	{"llama3", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n",
	 "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", 0},
	{"chatml", "<|im_start|>user\n", "<|im_end|>\n<|im_start|>assistant\n", 0},
	{"gemma", "<bos><start_of_turn>user\n", "<end_of_turn>\n<start_of_turn>model\n", 0},
};

static const char *const qwen_systems[] = {
	"You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
	"You are a helpful assistant.",
};

/* Whether --template NAME is one mlcc writes out (or auto). */
static int template_known(const char *name)
{
	if (strcmp(name, "auto") == 0)
		return 1;
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].name, name) == 0)
			return 1;
	return 0;
}

static const struct chat_format *format_named(const char *name)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

/* The format --template auto means for chat template 'jinja'; NULL when
** it is none of the known ones. */
static const struct chat_format *format_auto(const char *jinja)
{
	if (!jinja)
		return format_named("inst");
	if (strstr(jinja, "<|start_header_id|>"))
		return format_named("llama3");
	if (strstr(jinja, "<|im_start|>"))
		return format_named("chatml");
	if (strstr(jinja, "<start_of_turn>"))
		return format_named("gemma");
	return NULL;
}

/* The prompt text as the format lays it out (malloc'd). */
static char *apply_format(const struct chat_format *f, const char *jinja, const char *prompt)
{
	const char *sys = "";
	char *out;
	size_t n;

	if (strcmp(f->name, "chatml") == 0 && jinja)
		for (size_t i = 0; i < 2 && !*sys; i++)
			if (strstr(jinja, qwen_systems[i]))
				sys = qwen_systems[i];
	n = strlen(f->before) + strlen(prompt) + strlen(f->after) + strlen(sys) + 64;
	if (!(out = malloc(n)))
		return NULL;
	if (*sys)
		snprintf(out, n, "<|im_start|>system\n%s<|im_end|>\n%s%s%s", sys, f->before, prompt,
			 f->after);
	else
		snprintf(out, n, "%s%s%s", f->before, prompt, f->after);
	return out;
}

/* argv into 'a'; 0, 2 after a usage error, -1 after --help. */
static int parse_args(int argc, char **argv, struct chat_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 2; i < argc; i++) {
		const char *v;
		int r = number_option(argc, argv, &i, a);
		if (r == 2)
			return 2;
		if (r == 1)
			continue;
		if ((v = cli_option_value(argc, argv, &i, "--meta")))
			a->o.meta = v;
		else if ((v = cli_option_value(argc, argv, &i, "--embed")))
			a->o.embed = v;
		else if ((v = cli_option_value(argc, argv, &i, "--ffn")))
			a->o.ffn = v;
		else if ((v = cli_option_value(argc, argv, &i, "--pf")))
			a->o.pf = v;
		else if ((v = cli_option_value(argc, argv, &i, "--lmhead")))
			a->o.lmhead = v;
		else if ((v = cli_option_value(argc, argv, &i, "--monolithic")))
			a->o.monolithic = v;
		else if ((v = cli_option_value(argc, argv, &i, "--tokenizer")))
			a->tokenizer = v;
		else if ((v = cli_option_value(argc, argv, &i, "--prompt")))
			a->prompt = v;
		else if ((v = cli_option_value(argc, argv, &i, "--tokens")))
			a->tokens = v;
		else if ((v = cli_option_value(argc, argv, &i, "--print-logits")))
			a->logits_file = v;
		else if ((v = cli_option_value(argc, argv, &i, "--template"))) {
			if (!template_known(v))
				return chat_usage_error(
					"--template takes auto, llama3, chatml, gemma, "
					"inst or none, not '%s'",
					v);
			a->tmpl = v;
		} else if (strcmp(argv[i], "--no-template") == 0)
			a->tmpl = "none";
		else if (strcmp(argv[i], "--encode-only") == 0)
			a->encode_only = 1;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(chat_usage, stdout);
			printf("(docs/CHAT.md describes every option)\n");
			return -1;
		} else if (argv[i][0] == '-')
			return chat_usage_error("unknown option or missing value: %s", argv[i]);
		else
			return chat_usage_error("unexpected argument: %s", argv[i]);
	}
	if (a->encode_only) {
		if (!a->prompt || a->tokens || (!a->tokenizer && !a->o.meta))
			return chat_usage_error("%s",
						"--encode-only needs --prompt and --tokenizer "
						"(or --meta)");
		return 0;
	}
	if (!a->o.meta && !a->o.monolithic && (!a->o.embed || !a->o.ffn || !a->o.lmhead))
		return chat_usage_error(
			"%s", "chat needs --meta, --monolithic, or --embed, --ffn and --lmhead");
	if (a->prompt && a->tokens)
		return chat_usage_error("%s", "chat takes --prompt TEXT or --tokens IDS, not both");
	return 0;
}

/* meta.yaml's directory (what chat.py uses when nothing names the
** tokenizer), malloc'd. */
static char *meta_dir(const char *meta)
{
	const char *slash = strrchr(meta, '/');

	return slash ? strndup(meta, (size_t)(slash - meta + (slash == meta))) : strdup(".");
}

/* chat.py's stop tokens: eos and, when the vocabulary has them, the
** end-of-turn tokens of Llama 3, Qwen and Gemma (besides every --eos). */
static void stop_tokens(struct chat_args *a, const mlcc_tokenizer *tok)
{
	static const char *const names[] = {"<|endoftext|>", "<end_of_turn>", "<|eot_id|>"};
	int32_t id = mlcc_tokenizer_eos(tok);

	if (id >= 0 && a->neos < CHAT_MAX_EOS)
		a->eos[a->neos++] = id;
	for (size_t i = 0; i < 3 && a->neos < CHAT_MAX_EOS; i++)
		if ((id = mlcc_tokenizer_token_id(tok, names[i])) >= 0)
			a->eos[a->neos++] = id;
}

/* The tokenizer (--tokenizer, else meta.yaml's directory) and its stop
** tokens; returns the exit status. */
static int load_tokenizer(struct chat_args *a, mlcc_tokenizer **tok)
{
	struct mlcc_diag d;
	char *dir = NULL;
	const char *path = a->tokenizer;
	int rc;

	if (!path && !(path = dir = meta_dir(a->o.meta ? a->o.meta : ".")))
		return 1;
	rc = mlcc_tokenizer_load(path, tok, &d);
	free(dir);
	if (rc != MLCC_OK)
		return cli_fail(&d, rc);
	stop_tokens(a, *tok);
	return 0;
}

/* The ids of 'prompt' in the chat format; returns the exit status. */
static int encode_prompt(const struct chat_args *a, const mlcc_tokenizer *tok, const char *prompt,
			 int32_t **ids, size_t *n)
{
	const char *jinja = mlcc_tokenizer_chat_template(tok);
	const struct chat_format *f = a->tmpl && strcmp(a->tmpl, "auto") != 0
					      ? format_named(a->tmpl)
					      : format_auto(jinja);
	struct mlcc_diag d;
	char *text;
	int rc;

	if (!f) {
		fprintf(stderr, "mlcc: error: the tokenizer's chat template is none mlcc knows; "
				"give --template llama3|chatml|gemma|inst or --no-template\n");
		return 1;
	}
	if (!(text = apply_format(f, jinja, prompt)))
		return 1;
	rc = mlcc_tokenizer_encode(tok, text, f->add_special ? MLCC_TOKENIZE_ADD_SPECIAL : 0, ids,
				   n, &d);
	free(text);
	return rc == MLCC_OK ? 0 : cli_fail(&d, rc);
}

/* Print what the new token adds: its id, or the text the whole output
** decodes to beyond what was printed already (a token may complete a
** character begun by the one before). */
static int on_token(void *ctx, int32_t token, const float *logits, size_t n)
{
	struct printer *p = ctx;
	char *text;

	if (p->logits) {
		for (size_t i = 0; i < n; i++)
			fprintf(p->logits, "%s%.6g", i ? " " : "", (double)logits[i]);
		fprintf(p->logits, n ? "\n" : "no logits: the model gives its argmax\n");
	}
	if (!p->tok) {
		printf("%s%d", p->n++ ? "," : "", (int)token);
		fflush(stdout);
		return 0;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 256;
		int32_t *v = realloc(p->ids, cap * sizeof *v);
		if (!v)
			return p->failed = 1;
		p->ids = v;
		p->cap = cap;
	}
	p->ids[p->n++] = token;
	if (mlcc_tokenizer_decode(p->tok, p->ids, p->n, MLCC_DETOKENIZE_SKIP_SPECIAL, &text,
				  &p->d) != MLCC_OK)
		return p->failed = 1;
	if (strlen(text) > p->printed) {
		fputs(text + p->printed, stdout);
		p->printed = strlen(text);
		fflush(stdout);
	}
	free(text);
	return 0;
}

/* Tokens per second (0 for no time). */
static double rate(size_t n, double s)
{
	return s > 0 ? (double)n / s : 0;
}

/* Load every part of the model; returns the exit status. */
static int open_chat(struct chat_args *a, struct cli_progress *prog, mlcc_chat **chat)
{
	struct mlcc_diag d;
	int rc;

	cli_progress_init(prog, "mlcc", 1);
	a->o.on_event = cli_on_event;
	a->o.event_ctx = prog;
	rc = mlcc_chat_load(&a->o, chat, &d);
	return rc == MLCC_OK ? 0 : cli_fail(&d, rc);
}

/* Generate from ids[0..n) printing as it goes (logits to 'logits' when
** not NULL), then the statistics line; returns the exit status. */
static int generate(struct chat_args *a, mlcc_chat *chat, const mlcc_tokenizer *tok,
		    const int32_t *ids, size_t n, FILE *logits)
{
	struct printer p = {tok, NULL, 0, 0, 0, logits, 0, {0}};
	struct mlcc_chat_stats st;
	struct mlcc_diag d;
	int rc;

	rc = mlcc_chat_generate(chat, ids, n, (size_t)a->max_tokens, &a->s, a->eos, a->neos,
				on_token, &p, &st, &d);
	if (rc == MLCC_OK || p.n > 0) /* end the line of output, if any */
		printf("\n");
	fflush(stdout);
	free(p.ids);
	if (rc != MLCC_OK)
		return cli_fail(&d, rc);
	if (p.failed)
		return cli_fail(&p.d, p.d.status ? p.d.status : MLCC_E_NOMEM);
	fprintf(stderr, "prefill: %zu tokens, %.1f tok/s; decode: %zu tokens, %.1f tok/s\n",
		st.prefill_tokens, rate(st.prefill_tokens, st.prefill_seconds), st.decode_tokens,
		rate(st.decode_tokens, st.decode_seconds));
	return 0;
}

/* chat.py without --prompt: every line of stdin is a prompt of its own
** (the state starts afresh each time); ends at end of input.  Returns the
** exit status of the last failed turn, 0 when none failed. */
static int interactive(struct chat_args *a, mlcc_chat *chat, const mlcc_tokenizer *tok,
		       FILE *logits)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int status = 0;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		int32_t *ids = NULL;
		size_t n = 0;
		int rc;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if ((rc = encode_prompt(a, tok, line, &ids, &n)) == 0)
			rc = generate(a, chat, tok, ids, n, logits);
		free(ids);
		if (rc)
			status = rc;
	}
	free(line);
	return status;
}

/* The prompt's ids, the model, then one generation (or, without --prompt
** and --tokens, one per line of stdin). */
static int chat_run(struct chat_args *a, mlcc_tokenizer **tok, int32_t **ids, size_t *n)
{
	struct cli_progress prog;
	mlcc_chat *chat = NULL;
	FILE *logits = NULL;
	int rc;

	if (a->tokens && parse_ids(a->tokens, ids, n) != 0)
		return chat_usage_error("--tokens takes ids like 1,15,27, not '%s'", a->tokens);
	if (!a->tokens && (rc = load_tokenizer(a, tok)) != 0)
		return rc;
	if (a->prompt && (rc = encode_prompt(a, *tok, a->prompt, ids, n)) != 0)
		return rc;
	if (a->encode_only) {
		for (size_t i = 0; i < *n; i++)
			printf("%s%d", i ? "," : "", (int)(*ids)[i]);
		printf("\n");
		return 0;
	}
	if ((rc = open_chat(a, &prog, &chat)) != 0)
		return rc;
	if (a->logits_file && !(logits = fopen(a->logits_file, "w"))) {
		fprintf(stderr, "mlcc: error: %s: cannot write: %s\n", a->logits_file,
			strerror(errno));
		mlcc_chat_free(chat);
		return 1;
	}
	if (a->prompt || a->tokens)
		rc = generate(a, chat, *tok, *ids, *n, logits);
	else
		rc = interactive(a, chat, *tok, logits);
	if (logits && fclose(logits) != 0 && rc == 0) {
		fprintf(stderr, "mlcc: error: %s: cannot write\n", a->logits_file);
		rc = 1;
	}
	mlcc_chat_free(chat);
	return rc;
}

int chat_main(int argc, char **argv)
{
	struct chat_args a;
	mlcc_tokenizer *tok = NULL;
	int32_t *ids = NULL;
	size_t n = 0;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc < 0 ? 0 : rc;
	rc = chat_run(&a, &tok, &ids, &n);
	free(ids);
	mlcc_tokenizer_free(tok);
	return rc;
}
