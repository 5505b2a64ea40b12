/*
** nfc.h -- Unicode Normalization Form C (canonical decomposition, then
** canonical composition), for the tokenizer's NFC normalizer (Qwen2).
**
** Follows the Unicode Standard's algorithm (UAX #15): full canonical
** decomposition (Hangul syllables algorithmically), canonical ordering of
** combining marks by class, then composition of each starter with the
** following unblocked characters.  Bytes that are not UTF-8 pass through
** unchanged.
*/
#ifndef MLCC_CHAT_NFC_H
#define MLCC_CHAT_NFC_H

#include "mlccint.h"

#include <stddef.h>

struct wbuf;

/* Append the NFC form of s[0..len) to 'out' (errors are the wbuf's). */
void nfc_append(const char *s, size_t len, struct wbuf *out);

#endif
