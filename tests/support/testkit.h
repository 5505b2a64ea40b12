/*
** testkit.h -- helpers shared by mlcc's test programs.
**
** Tests are plain programs: exit 0 on success, 1 on failure, 77 when they
** were skipped (CTest's SKIP_RETURN_CODE).  Corpus tests read the corpus
** from $MLCC_CORPUS (default ../shared/corpus beside the source tree); a
** missing corpus is SKIPPED, or a failure when CI=true.
*/
#ifndef MLCC_TESTKIT_H
#define MLCC_TESTKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TK_SKIP 77

/* Count and report a failed expectation, keep going. */
extern int tk_failures;
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			tk_failures++;                                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

/* The corpus directory, or NULL (with the SKIPPED/FAIL line printed and
** '*status' set) when it is missing. */
const char *tk_corpus(const char *test, int *status);

/* Run argv; capture stdout and stderr (malloc'd, NUL-terminated; pass
** NULL to discard).  Returns the exit status, or -1 if it did not exit. */
int tk_run(const char *const argv[], char **out, char **err);

/* Whole file into memory (malloc'd); NULL if unreadable.  '*len' set. */
unsigned char *tk_read(const char *path, size_t *len);

/* Relative paths of every regular file under 'dir', sorted; NULL-ended. */
char **tk_list(const char *dir);
void tk_free_list(char **list);

/* Sorted names of the entries of 'dir' itself ending in 'suffix' ("" for
** all; dot-files left out), NULL-ended; release with tk_free_list(). */
char **tk_entries(const char *dir, const char *suffix);

/* A fresh temporary directory (malloc'd path); removed by tk_rm_rf. */
char *tk_tmpdir(void);
void tk_rm_rf(const char *path);

/* Compare the bundle 'got' with Apple's 'exp' file by file, allowing only
** Apple's run-to-run randomness (order of Metadata.userDefined entries in
** coremldata.bin, of userDefinedMetadata keys in metadata.json).  On a
** difference writes one line naming the file and the first differing
** line/byte into 'why' and returns false. */
bool tk_same_bundle(const char *exp, const char *got, char *why, size_t n);

/* Extra allowances for round trips (bundles not compiled from the same
** source bytes): */
enum {
	TK_IGNORE_MODEL_HASH = 1,    /* analytics modelHash hashes the spec file */
	TK_IGNORE_FINAL_NEWLINE = 2, /* expected text files edited to end in \n
				     ** (corpus noise, docs/spec/mlmodelc.md §4.2) */
	TK_IGNORE_WEIGHTS = 4,	     /* stand-in weights: no weights/ file compared */
	TK_EXP_FILES_ONLY = 8	     /* only the files 'exp' has (a partial item) */
};
bool tk_same_bundle_ex(const char *exp, const char *got, int flags, char *why, size_t n);

/* The coremlc and MIL versions in a model.mil's buildInfo ("" if none). */
void tk_stamp_of(const char *mil_path, char coremlc[32], char mil[32]);

#endif
