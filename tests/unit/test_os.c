/*
** test_os.c -- the OS layer's safety rules, one function at a time:
** os_open_input (type, containment judged on the descriptor, size),
** os_read_file_in, os_copy_file (holes stay holes), os_output_guard,
** os_rm_rf (never follows a symlink), os_walk (symlink loops), os_mkdir_p
** (empty path).  Works in a fresh directory under $TMPDIR; exit status 0 =
** all passed, every failure printed.
*/
#include "base/os.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"

static int failures, checks;
static char root[PATH_MAX]; /* the test's directory, a real path */

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			fprintf(stderr, "%s:%d: FAIL %s\n", __FILE__, __LINE__, #cond);            \
		}                                                                                  \
	} while (0)

/* 'rel' under the test directory, in one of a ring of static buffers (a
** result stays valid for the next 31 calls). */
static const char *at(const char *rel)
{
	static char buf[32][PATH_MAX];
	static int i;

	i = (i + 1) % 32;
	snprintf(buf[i], sizeof buf[i], "%s/%s", root, rel);
	return buf[i];
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(at(rel));
		exit(2);
	}
}

/* The message os_open_input gives for 'path' inside 'pkg' (NULL: fine). */
static const char *open_msg(const char *pkg, const char *path, uint64_t max, int *status)
{
	static struct mlcc_diag d;
	struct stat st;
	int fd;

	d.status = 0;
	d.message[0] = '\0';
	*status = os_open_input(pkg, path, max, &fd, &st, &d);
	if (*status == MLCC_OK) {
		close(fd);
		return NULL;
	}
	return d.message;
}

static void test_open_input(void)
{
	char want[PATH_MAX + 100], pkg[PATH_MAX];
	const char *m;
	int st;

	snprintf(pkg, sizeof pkg, "%s", at("pkg"));
	mkdir(at("pkg"), 0777);
	mkdir(at("pkg/dir"), 0777);
	put("pkg/file", "hello");
	put("outside", "secret");
	mkfifo(at("pkg/fifo"), 0666);
	symlink("file", at("pkg/in"));
	symlink(at("outside"), at("pkg/out"));
	symlink("../../outside", at("pkg/dir/up"));
	symlink("/dev/null", at("pkg/null"));

	CHECK(open_msg(pkg, at("pkg/file"), 0, &st) == NULL);
	CHECK(open_msg(pkg, at("pkg/in"), 0, &st) == NULL);
	CHECK(open_msg(NULL, at("pkg/out"), 0, &st) == NULL); /* no root: no check */

	m = open_msg(pkg, at("pkg/fifo"), 0, &st);
	snprintf(want, sizeof want, "%s: is a FIFO, not a regular file", at("pkg/fifo"));
	CHECK(m && strcmp(m, want) == 0 && st == MLCC_E_CORRUPT);
	m = open_msg(pkg, at("pkg/dir"), 0, &st);
	snprintf(want, sizeof want, "%s: is a directory, not a regular file", at("pkg/dir"));
	CHECK(m && strcmp(m, want) == 0 && st == MLCC_E_CORRUPT);
	m = open_msg(pkg, at("pkg/null"), 0, &st);
	snprintf(want, sizeof want, "%s: is a character device, not a regular file",
		 at("pkg/null"));
	CHECK(m && strcmp(m, want) == 0);
	m = open_msg(pkg, at("pkg/out"), 0, &st);
	snprintf(want, sizeof want, "%s: leaves the package (symlink)", at("pkg/out"));
	CHECK(m && strcmp(m, want) == 0 && st == MLCC_E_CORRUPT);
	m = open_msg(pkg, at("pkg/dir/up"), 0, &st);
	snprintf(want, sizeof want, "%s: leaves the package (symlink)", at("pkg/dir/up"));
	CHECK(m && strcmp(m, want) == 0);
	m = open_msg(pkg, at("pkg/file"), 4, &st);
	snprintf(want, sizeof want, "%s: file larger than 4 bytes", at("pkg/file"));
	CHECK(m && strcmp(m, want) == 0 && st == MLCC_E_UNSUPPORTED);
	m = open_msg(pkg, at("pkg/none"), 0, &st);
	snprintf(want, sizeof want, "%s: cannot open: No such file or directory", at("pkg/none"));
	CHECK(m && strcmp(m, want) == 0 && st == MLCC_E_IO);
	/* A root that is a prefix of the name but not a parent ("pkg" vs "pkgx"). */
	mkdir(at("pkgx"), 0777);
	put("pkgx/f", "x");
	CHECK(open_msg(pkg, at("pkgx/f"), 0, &st) != NULL);

	/* The file swapped after a listing: what counts is what is opened. */
	unlink(at("pkg/file"));
	symlink(at("outside"), at("pkg/file"));
	m = open_msg(pkg, at("pkg/file"), 0, &st);
	snprintf(want, sizeof want, "%s: leaves the package (symlink)", at("pkg/file"));
	CHECK(m && strcmp(m, want) == 0);
}

static void test_read_file_in(void)
{
	struct mlcc_diag d = {0, ""};
	uint8_t *buf = NULL;
	size_t len = 0;

	put("pkg/text", "abc");
	CHECK(os_read_file_in(at("pkg"), at("pkg/text"), 16, &buf, &len, &d) == MLCC_OK);
	CHECK(len == 3 && buf && memcmp(buf, "abc", 4) == 0);
	free(buf);
	CHECK(os_read_file_in(at("pkg"), at("pkg/fifo"), 16, &buf, &len, &d) == MLCC_E_CORRUPT);
	CHECK(buf == NULL && len == 0);
}

/* Bytes a file takes on disk. */
static long long disk_bytes(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_blocks * 512 : -1;
}

static void test_sparse_copy(void)
{
	struct mlcc_diag d = {0, ""};
	struct os_copy_stats stats = {0, 0, 0};
	const off_t size = (off_t)64 << 20, off = (off_t)32 << 20;
	char a[4096], b[4096];
	int fd = open(at("pkg/sparse"), O_WRONLY | O_CREAT | O_TRUNC, 0666), in, out;

	memset(a, 'x', sizeof a);
	CHECK(fd >= 0 && ftruncate(fd, size) == 0);
	CHECK(pwrite(fd, a, sizeof a, off) == (ssize_t)sizeof a);
	close(fd);
	CHECK(os_copy_file(at("pkg"), at("pkg/sparse"), at("copy"), MLCC_LINK_COPY, NULL, &stats,
			   &d) == MLCC_OK);
	in = open(at("pkg/sparse"), O_RDONLY);
	out = open(at("copy"), O_RDONLY);
	CHECK(lseek(out, 0, SEEK_END) == size);
	CHECK(pread(out, b, sizeof b, off) == (ssize_t)sizeof b && memcmp(a, b, sizeof b) == 0);
	CHECK(pread(out, b, sizeof b, 0) == (ssize_t)sizeof b && b[0] == 0 && b[4095] == 0);
	close(in);
	close(out);
	/* The data block, and not the 64 MiB (a clone shares even less). */
	CHECK(disk_bytes(at("copy")) >= 0 && disk_bytes(at("copy")) <= 64 * 1024);
	CHECK(stats.copied + stats.cloned == (uint64_t)size);

	/* The copier refuses what os_open_input refuses. */
	d.message[0] = '\0';
	CHECK(os_copy_file(at("pkg"), at("pkg/out"), at("copy2"), MLCC_LINK_COPY, NULL, NULL, &d) ==
	      MLCC_E_CORRUPT);
	CHECK(strstr(d.message, "leaves the package (symlink)") != NULL);
	CHECK(access(at("copy2"), F_OK) != 0);
	CHECK(os_copy_file(at("pkg"), at("pkg/out"), at("copy2"), MLCC_LINK_HARD, NULL, NULL, &d) ==
	      MLCC_E_CORRUPT);
	CHECK(access(at("copy2"), F_OK) != 0);
}

/* The message os_output_guard gives ("" when fine). */
static const char *guard(const char *target, const char *input)
{
	static struct mlcc_diag d;
	const char *inputs[] = {input, NULL};

	d.status = 0;
	d.message[0] = '\0';
	return os_output_guard(target, inputs, &d) == MLCC_OK ? "" : d.message;
}

static void test_output_guard(void)
{
	char want[3 * PATH_MAX];

	mkdir(at("in.mlmodelc"), 0777);
	snprintf(want, sizeof want, "%s: the output is the input '%s'", at("in.mlmodelc"),
		 at("in.mlmodelc"));
	CHECK(strcmp(guard(at("in.mlmodelc"), at("in.mlmodelc")), want) == 0);
	snprintf(want, sizeof want, "%s: the output lies inside the input '%s'",
		 at("in.mlmodelc/new/x.mlpackage"), at("in.mlmodelc"));
	CHECK(strcmp(guard(at("in.mlmodelc/new/x.mlpackage"), at("in.mlmodelc")), want) == 0);
	snprintf(want, sizeof want,
		 "%s: the output contains the input '%s', which it would replace", root,
		 at("in.mlmodelc"));
	CHECK(strcmp(guard(root, at("in.mlmodelc")), want) == 0);
	CHECK(strcmp(guard(at("other/new.mlpackage"), at("in.mlmodelc")), "") == 0);
	/* Through a symlink to the input: the same directory. */
	symlink("in.mlmodelc", at("alias"));
	CHECK(strncmp(guard(at("alias"), at("in.mlmodelc")), at("alias"), strlen(at("alias"))) ==
	      0);
	/* "in.mlmodelc2" is not inside "in.mlmodelc". */
	CHECK(strcmp(guard(at("in.mlmodelc2"), at("in.mlmodelc")), "") == 0);
}

static void test_rm_rf(void)
{
	mkdir(at("tree"), 0777);
	mkdir(at("tree/a"), 0777);
	mkdir(at("tree/a/b"), 0777);
	mkdir(at("keep"), 0777);
	put("keep/precious", "p");
	put("tree/a/b/f", "f");
	put("tree/g", "g");
	symlink(at("keep"), at("tree/a/tokeep"));
	CHECK(os_rm_rf(at("tree")) == 0);
	CHECK(access(at("tree"), F_OK) != 0);
	CHECK(access(at("keep/precious"), F_OK) == 0); /* the symlink was not followed */
	CHECK(os_rm_rf(at("tree")) == 0);	       /* missing is fine */
	put("single", "s");
	CHECK(os_rm_rf(at("single")) == 0 && access(at("single"), F_OK) != 0);
}

static int count_file(void *ctx, const char *abs, const char *rel, const struct stat *st)
{
	(void)abs;
	(void)rel;
	(void)st;
	++*(int *)ctx;
	return MLCC_OK;
}

static void test_walk_loop(void)
{
	struct mlcc_diag d = {0, ""};
	char want[PATH_MAX + 100];
	int n = 0;

	mkdir(at("w"), 0777);
	mkdir(at("w/sub"), 0777);
	put("w/sub/f", "f");
	CHECK(os_walk(at("w"), "weights", root, count_file, &n, &d) == MLCC_OK && n == 1);
	symlink("..", at("w/sub/loop"));
	n = 0;
	CHECK(os_walk(at("w"), "weights", root, count_file, &n, &d) == MLCC_E_CORRUPT);
	snprintf(want, sizeof want, "%s: leads back to a directory already listed (symlink loop)",
		 at("w/sub/loop"));
	CHECK(strcmp(d.message, want) == 0);
}

static void test_mkdir_empty(void)
{
	struct mlcc_diag d = {0, ""};
	char *made = (char *)1;

	CHECK(os_mkdir_p("", &made, &d) == MLCC_E_USAGE && made == NULL);
	CHECK(strcmp(d.message, "empty directory name") == 0);
}

int main(void)
{
	char tmpl[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	char *real;

	snprintf(tmpl, sizeof tmpl, "%s/mlcc-test-os-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl) || !(real = realpath(tmpl, NULL))) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(root, sizeof root, "%s", real);
	free(real);
	test_open_input();
	test_read_file_in();
	test_sparse_copy();
	test_output_guard();
	test_rm_rf();
	test_walk_loop();
	test_mkdir_empty();
	os_rm_rf(root);
	printf("test_os: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
