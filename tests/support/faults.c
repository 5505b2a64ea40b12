/*
** faults.c -- allocation and I/O fault injection for the mlcc_faults and
** compile_models_faults test programs (tests/cli/test_faults.sh).
**
** These programs are mlcc and compile_models linked with
**   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,
**   --wrap=strndup,--wrap=write,--wrap=pwrite,--wrap=copy_file_range
** so every call that mlcc's own code (src/, cli/) makes to those functions
** lands here first; the C library's and the shared libraries' internal
** calls do not.  The two libraries that allocate for mlcc are given these
** functions explicitly: protobuf-c already allocates from mlcc's arena
** (spec_arena_allocator), and jansson gets them through
** json_set_alloc_funcs() below.  __real_malloc is the sanitizer's malloc
** under ASan, so leaks and overflows are still caught.
**
** Environment:
**   MLCC_FAIL_ALLOC=N    the N-th allocation (1-based) returns NULL/ENOMEM;
**                        only that one, later ones succeed again.
**   MLCC_FAIL_ARENA=N    the N-th allocation from an arena fails (arena.h
**                        mlcc_test_arena_fault: most never reach malloc).
**   MLCC_FAIL_WRITE=N[:ENOSPC|EIO]
**                        the N-th write(), pwrite() or copy_file_range()
**                        call fails with that errno (default ENOSPC).
**   MLCC_FAULT_TRACE=1   print the stack of the failed call (sanitizer
**                        builds), to find the code that mishandled it.
**   MLCC_FAULT_COUNT=F   at exit, write "alloc A\narena R\nwrite W\njansson J\n" to
**                        file F: how many calls a run made, so a test knows
**                        which N to try (J: jansson's, never failed).
** Nothing here is part of the library or of the installed programs.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __real_copy_file_range(int in, loff_t *inoff, int out, loff_t *outoff, size_t n,
			       unsigned flags);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_copy_file_range(int in, loff_t *inoff, int out, loff_t *outoff, size_t n,
			       unsigned flags);

/* Under the sanitizers: where the failed call was made (MLCC_FAULT_TRACE). */
extern void __sanitizer_print_stack_trace(void) __attribute__((weak));

static int trace;
static unsigned long alloc_calls, alloc_fail_at;
static unsigned long arena_calls, arena_fail_at;
static unsigned long write_calls, write_fail_at;
static int write_errno = ENOSPC;

/* True when this allocation is the one to fail (errno set to ENOMEM, as
** malloc does). */
static int alloc_fails(void)
{
	if (++alloc_calls != alloc_fail_at)
		return 0;
	if (trace && __sanitizer_print_stack_trace)
		__sanitizer_print_stack_trace();
	errno = ENOMEM;
	return 1;
}

/* Each allocation from an arena (arena.h): most never reach malloc (a
** chunk holds many), so they are failed apart, MLCC_FAIL_ARENA=N. */
int mlcc_test_arena_fault(void);
int mlcc_test_arena_fault(void)
{
	if (++arena_calls != arena_fail_at)
		return 0;
	if (trace && __sanitizer_print_stack_trace)
		__sanitizer_print_stack_trace();
	return 1;
}

/* True when this write is the one to fail (errno set as asked). */
static int write_fails(void)
{
	if (++write_calls != write_fail_at)
		return 0;
	if (trace && __sanitizer_print_stack_trace)
		__sanitizer_print_stack_trace();
	errno = write_errno;
	return 1;
}

void *__wrap_malloc(size_t size)
{
	return alloc_fails() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return alloc_fails() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
	return alloc_fails() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return alloc_fails() ? NULL : __real_strndup(s, n);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	return write_fails() ? -1 : __real_write(fd, buf, n);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return write_fails() ? -1 : __real_pwrite(fd, buf, n, off);
}

ssize_t __wrap_copy_file_range(int in, loff_t *inoff, int out, loff_t *outoff, size_t n,
			       unsigned flags)
{
	return write_fails() ? -1 : __real_copy_file_range(in, inoff, out, outoff, n, flags);
}

/* jansson's allocator.  Its allocations are NOT failed: jansson 2.14
** crashes on some of its own out-of-memory paths (a NULL write inside
** json_loadb, found by this test) and reports others as syntax errors, so
** failing them would test jansson, not mlcc.  They are counted apart
** (jansson_calls) to show how many there are. */
static unsigned long jansson_calls;

static void *json_malloc(size_t size)
{
	jansson_calls++;
	return __real_malloc(size);
}

static void json_free(void *p)
{
	free(p);
}

/* Read the environment before main() runs. */
__attribute__((constructor)) static void faults_init(void)
{
	const char *a = getenv("MLCC_FAIL_ALLOC"), *w = getenv("MLCC_FAIL_WRITE");

	trace = getenv("MLCC_FAULT_TRACE") != NULL;
	if (a)
		alloc_fail_at = strtoul(a, NULL, 10);
	if (getenv("MLCC_FAIL_ARENA"))
		arena_fail_at = strtoul(getenv("MLCC_FAIL_ARENA"), NULL, 10);
	if (w) {
		const char *colon = strchr(w, ':');
		write_fail_at = strtoul(w, NULL, 10);
		if (colon && strcmp(colon + 1, "EIO") == 0)
			write_errno = EIO;
	}
	json_set_alloc_funcs(json_malloc, json_free);
}

/* Report the counts for MLCC_FAULT_COUNT. */
__attribute__((destructor)) static void faults_report(void)
{
	const char *path = getenv("MLCC_FAULT_COUNT");
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "alloc %lu\narena %lu\nwrite %lu\njansson %lu\n", alloc_calls, arena_calls,
		write_calls, jansson_calls);
	fclose(f);
}
