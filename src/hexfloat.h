/*
** hexfloat.h -- floating-point literals as Apple's model.mil prints them.
**
** Format (mlmodelc-format.md §4.6, VERIFIED on fp16/fp32): C99 hex float,
** always normalized `[-]0x1[.hhh]p(+|-)E` with the fraction digits
** left-aligned in ceil(fraction_bits/4) nibbles and trailing zeros dropped;
** subnormals are renormalized (fp16 0x0001 -> 0x1p-24); zero is `0x0p+0` or
** `-0x0p+0`; infinities `inf`/`-inf`; NaN `nan` without sign.  The same rule
** is applied to bf16, fp64 and the fp8 types (LOW: no sample).
**
** The functions write at most HEXFLOAT_MAX bytes plus a NUL and return the
** length; they allocate nothing.
*/
#ifndef MLCC_HEXFLOAT_H
#define MLCC_HEXFLOAT_H

#include <stddef.h>
#include <stdint.h>

#define HEXFLOAT_MAX 32

size_t hexfloat_fp16(char *out, uint16_t bits);
size_t hexfloat_bf16(char *out, uint16_t bits);
size_t hexfloat_fp32(char *out, uint32_t bits);
size_t hexfloat_fp64(char *out, uint64_t bits);
size_t hexfloat_fp8e4m3fn(char *out, uint8_t bits);
size_t hexfloat_fp8e5m2(char *out, uint8_t bits);

#endif
