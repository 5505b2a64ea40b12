/*
 * nsdict.h - reproduce the key enumeration order of Foundation's NSDictionary
 *
 * Apple writes metadata.json with NSJSONSerialization, which prints every
 * JSON object in the enumeration order of the NSDictionary behind it.  That
 * order is the bucket order of an open-addressing hash table, so it depends
 * on the CFString hash of each key, on the table size and, where two keys
 * compete for a bucket, on the order in which the keys were inserted and on
 * when the table grew.  This module replays that process; md_keyorder.h
 * knows which insertion order and fill mode Apple uses for each dictionary
 * of metadata.json.  The model and its evidence: docs/spec/metadata-keys.md §5-§8.
 *
 * Pure C11, libc only, no global state.
 */
#ifndef MLCC_NSDICT_H
#define MLCC_NSDICT_H

#include "mlccint.h"

#include <stddef.h>
#include <stdint.h>

/*
 * How the dictionary was filled.
 *
 * NSDICT_GROWING   an NSMutableDictionary created empty and filled with
 *                  -setObject:forKey: in insertion order; the table grows
 *                  through the prime size list as keys arrive.
 * NSDICT_PRESIZED  a table created at its final size for n keys
 *                  (+dictionaryWithObjects:forKeys:count:, or a mutable
 *                  dictionary created with capacity n); it never grows.
 */
enum nsdict_fill { NSDICT_GROWING, NSDICT_PRESIZED };

/*
 * nsdict_string_hash - CFString hash (CF __CFStrHashCharacters, 64-bit) of a
 * key given as UTF-8.
 *
 * `utf8` points at `len` bytes (no terminator needed; may contain NUL).  The
 * hash is computed over the UTF-16 code units of the string, so characters
 * outside the BMP count as two units (a surrogate pair), exactly as NSString
 * sees them.  Invalid UTF-8 never crashes: every byte that does not start a
 * well-formed sequence (stray continuation byte, truncated or overlong
 * sequence, encoded surrogate, code point > U+10FFFF, bytes F5..FF) becomes
 * one U+FFFD.  (Apple would reject such a key; the result is only meant to be
 * deterministic.)  `utf8` may be NULL when `len` is 0.
 */
uint64_t nsdict_string_hash(const char *utf8, size_t len);

/*
 * nsdict_order - enumeration order of a dictionary built from `n` distinct
 * keys inserted in the order given.
 *
 * keys[i] is the i-th inserted key, lens[i] its length in bytes; `lens` may
 * be NULL, then every key must be NUL-terminated and strlen() is used.
 * On success writes into order[0..n) the indices (into keys[]) of the keys in
 * enumeration order and returns 0.  Returns -1 if memory cannot be allocated
 * or n is beyond any table size (order[] is then unspecified).  n == 0 is
 * valid and writes nothing.  Keys must be distinct; duplicates are not
 * detected (a duplicate simply occupies another bucket).
 */
MLCC_MUST_CHECK int nsdict_order(const char *const *keys, const size_t *lens, size_t n,
				 enum nsdict_fill fill, size_t *order);

/*
 * nsdict_order_cap - like nsdict_order for a dictionary created with
 * [NSMutableDictionary dictionaryWithCapacity:capacity] and then filled key
 * by key (growing when needed).
 *
 * The table starts at the size for `capacity` keys (the smallest size whose
 * capacity is >= `capacity`) and grows when the keys outnumber it, so
 * capacity == 0 is NSDICT_GROWING and capacity == n is NSDICT_PRESIZED.
 * metadata.json feature-schema entries are built this way (md_keyorder.h).
 * Same contract as nsdict_order otherwise.
 */
MLCC_MUST_CHECK int nsdict_order_cap(const char *const *keys, const size_t *lens, size_t n,
				     size_t capacity, size_t *order);

/*
 * nsdict_table_size - number of buckets of a dictionary holding n keys
 * (both fill modes end at this size).  Returns 0 for n == 0 and for n beyond
 * the largest table.
 */
size_t nsdict_table_size(size_t n);

#endif /* MLCC_NSDICT_H */
