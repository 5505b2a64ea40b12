/*
** hexfloat.h -- floating-point literals as Apple's model.mil prints them.
**
** Format (docs/spec/mlmodelc.md §4.6, VERIFIED on fp16/fp32): C99 hex float,
** always normalized `[-]0x1[.hhh]p(+|-)E` with the fraction digits
** left-aligned in ceil(fraction_bits/4) nibbles and trailing zeros dropped;
** subnormals are renormalized (fp16 0x0001 -> 0x1p-24); zero is `0x0p+0` or
** `-0x0p+0`; infinities `inf`/`-inf`; NaN `nan` without sign.  The same rule
** is applied to bf16, fp64 and the fp8 types (LOW: no sample).
**
** The functions write at most HEXFLOAT_MAX bytes plus a NUL and return the
** length; they allocate nothing.
**
** The hexfloat_parse_* functions are their mirror: they read one literal of
** exactly 'len' bytes (no NUL needed) into the raw bits of the type, EXACTLY:
**
**   literal = ["-"] ("0x" | "0X") HEX* ["." HEX*] ("p" | "P") ["+" | "-"] DEC+
**           | "inf" | "-inf" | "nan"
**
** with at least one hex digit.  Any C99 spelling of a value is accepted
** (unnormalized `0x10p-4`, leading or trailing zeros, subnormals written as
** normals or not); a value that the type cannot hold exactly is refused,
** never rounded.  `nan` gives the canonical quiet NaN (sign clear, top
** fraction bit set: fp16 0x7e00, bf16 0x7fc0, fp32 0x7fc00000, fp64
** 0x7ff8000000000000, e4m3fn 0x7f, e5m2 0x7e); E4M3FN refuses `inf`.
*/
#ifndef MLCC_HEXFLOAT_H
#define MLCC_HEXFLOAT_H

#include "mlccint.h"

#include <stddef.h>
#include <stdint.h>

#define HEXFLOAT_MAX 32

size_t hexfloat_fp16(char *out, uint16_t bits);
size_t hexfloat_bf16(char *out, uint16_t bits);
size_t hexfloat_fp32(char *out, uint32_t bits);
size_t hexfloat_fp64(char *out, uint64_t bits);
size_t hexfloat_fp8e4m3fn(char *out, uint8_t bits);
size_t hexfloat_fp8e5m2(char *out, uint8_t bits);

/* Results of the parsers below: each reads the literal of 'len' bytes at
** 's' (grammar above) into '*bits' and returns HEXFLOAT_OK, or a reason it
** cannot ('*bits' is then unspecified). */
enum hexfloat_status {
	HEXFLOAT_OK = 0,
	HEXFLOAT_SYNTAX,  /* not a literal of the grammar above */
	HEXFLOAT_INEXACT, /* more precision than the type has, or too small */
	HEXFLOAT_RANGE	  /* too large, or an infinity the type lacks */
};

/* The value of hex digit 'c' (either case), or -1. */
int hexfloat_digit(char c);

MLCC_MUST_CHECK int hexfloat_parse_fp16(const char *s, size_t len, uint16_t *bits);
MLCC_MUST_CHECK int hexfloat_parse_bf16(const char *s, size_t len, uint16_t *bits);
MLCC_MUST_CHECK int hexfloat_parse_fp32(const char *s, size_t len, uint32_t *bits);
MLCC_MUST_CHECK int hexfloat_parse_fp64(const char *s, size_t len, uint64_t *bits);
MLCC_MUST_CHECK int hexfloat_parse_fp8e4m3fn(const char *s, size_t len, uint8_t *bits);
MLCC_MUST_CHECK int hexfloat_parse_fp8e5m2(const char *s, size_t len, uint8_t *bits);

#endif
