/*
** opkey.h -- keys of `mlProgramOperationTypeHistogram` in metadata.json.
**
** Apple's compiler names each non-`const` op of a function after the entry
** of its internal MIL op registry that the function's opset selects:
**   - every op has a set of registry versions: base (= iOS15) and/or some
**     of iOS16, iOS17, iOS18;
**   - a function of opset N uses the newest version <= N;
**   - the key is the internal id in UpperCamel: base `slice_by_index` ->
**     `SliceByIndex`; versioned `ios17.gather_along_axis` ->
**     `Ios17.gatherAlongAxis` (first character upper-cased, `_x` -> `X`).
** ios26 (CoreML9) functions are treated as ios18: no iOS26 registry entry is
** known (LOW).  The registry moves between compiler releases: `square` in
** an ios17 function is `Ios16.square` with coremlc 1877.40.3 and
** `Ios17.square` with 3304.6.2 and later.
**
** Provenance, confidence and open points: docs/spec/metadata-keys.md §2-§4, §10.
*/
#ifndef MLCC_OPKEY_H
#define MLCC_OPKEY_H

#include <stddef.h>

/* Histogram key of MIL op type 'op' in a function of opset 'opset' (15, 16,
** 17, 18 or 26: the NN of `func NAME<iosNN>`), as printed by the compiler
** whose coremlc-version major component is 'coremlc_major' (3500 for
** "3500.32.1"; 0 = unknown, behave like the newest known compiler).
** Writes the NUL-terminated key to out[0..outsz) and returns 0.  Returns -1
** if 'op' is NULL or empty, 'opset' is none of the five values, 'out' is
** NULL or 'outsz' cannot hold the key and its NUL (out[0] is then set to
** '\0' when outsz > 0).  Every op name gets a key: an op absent from the
** registry (custom or unknown) is named as a base-version op (`my_op` ->
** `MyOp`); an op with no version <= opset (an iOS18-only op in an ios16
** function, which Apple rejects) gets its lowest version.  The histogram
** itself skips `const`; that is the caller's job. */
int opkey_histogram_key(const char *op, unsigned opset, unsigned coremlc_major, char *out,
			size_t outsz);

/* Registry version chosen for ('op', 'opset', 'coremlc_major') by the same
** rule: 15 for the base version, else 16, 17 or 18.  Returns 0 if 'op' is
** NULL or empty or 'opset' is not 15, 16, 17, 18 or 26. */
unsigned opkey_op_version(const char *op, unsigned opset, unsigned coremlc_major);

/* Evidence behind that key, one character:
**   'O' observed: this key in an Apple-compiled metadata.json whose function
**       opset was read from its model.mil;
**   'D' deduced from observed keys by the newest-version rule (an ios17 key
**       `Ios16.x` implies the ios16 key; base ops are unprefixed in ios15);
**   'S' observed, but the function opset was inferred from the spec version
**       or a sibling file;
**   'C' the internal id (`ios18.conv`, `tile`) seen in MLComputePlan or E5RT
**       output of recent Core ML runtimes, quoted in public reports;
**   'T' coremltools op history (coremltools defines that op version);
**   'P' pattern guess from the op's family; every ios26 key is 'P';
**   'X' the op has no version <= opset (its lowest version was used);
**   'U' op not in the registry (base-name fallback).
** Returns 0 for invalid arguments (as opkey_op_version). */
int opkey_evidence(const char *op, unsigned opset, unsigned coremlc_major);

/* Short description of an opkey_evidence() tag; "invalid" for anything
** else. */
const char *opkey_evidence_name(int tag);

/* Number of registry entries, and the op name of entry 'i' (NULL past the
** end).  Entries are sorted bytewise (strcmp order) by op name. */
size_t opkey_registry_count(void);
const char *opkey_registry_op(size_t i);

#endif /* MLCC_OPKEY_H */
