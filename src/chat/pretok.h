/*
** pretok.h -- the pre-tokenizer splits of Hugging Face tokenizers, by hand.
**
** tokenizer.json gives its split as a regex; mlcc knows the three that
** byte-level BPE models use and implements each as a scanner with the
** regex's leftmost-first alternation and greedy repetition (no regex
** engine):
**   GPT2   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
**   LLAMA3 (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
**          ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
**   QWEN2  as LLAMA3 with \p{N} (one digit) in place of \p{N}{1,3}
** Every alternation above matches at any position, so the pieces cover
** the text with no gaps ("Isolated" behaviour).
*/
#ifndef MLCC_CHAT_PRETOK_H
#define MLCC_CHAT_PRETOK_H

#include "mlccint.h"

#include <stddef.h>
#include <stdint.h>

enum pretok_split { PRETOK_NONE = 0, PRETOK_GPT2, PRETOK_LLAMA3, PRETOK_QWEN2 };

/* The split a tokenizer.json regex names, or PRETOK_NONE when it is not
** one of the known ones. */
enum pretok_split pretok_from_regex(const char *pattern);

/* Decode one UTF-8 sequence at s[0..n) (n >= 1): sets *cp and returns its
** length.  An invalid or truncated sequence is one byte with *cp = 0xFFFD
** (so that bytes still flow through unchanged). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Append the UTF-8 form of 'cp' to 'out' (at least 4 bytes free);
** returns its length. */
size_t utf8_encode(uint32_t cp, char *out);

/* Called for each piece [off, off+len) of the text; non-zero stops the
** split and is returned by pretok_run. */
typedef int (*pretok_fn)(void *ctx, size_t off, size_t len);

/* Split text[0..len) as 'kind' says (PRETOK_NONE: one piece).  Returns 0,
** MLCC_E_NOMEM, or what 'fn' returned. */
MLCC_MUST_CHECK int pretok_run(enum pretok_split kind, const char *text, size_t len, pretok_fn fn,
			       void *ctx);

#endif
