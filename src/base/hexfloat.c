/*
** hexfloat.c -- minimal normalized hex-float formatting for every MIL float.
**
** Each type is decoded into (sign, class, unbiased exponent, fraction) by
** one generic routine driven by the type's exponent and fraction widths.
** Parsing is the mirror: the literal is read exactly into an integer
** mantissa and a binary exponent (value = m * 2^e, at most 16 significant
** hex digits kept), then encoded into the type only if no bit is lost.
*/
#include "base/hexfloat.h"

#include <stdbool.h>
#include <string.h>

struct fmt {
	unsigned exp_bits, frac_bits;
	bool has_inf; /* false: fp8e4m3fn (all-ones exponent is finite) */
};

static size_t put_str(char *out, const char *s)
{
	size_t n = strlen(s);

	memcpy(out, s, n + 1);
	return n;
}

/* Format a value given as raw bits of a 'f'-shaped type. */
static size_t format(char *out, uint64_t bits, const struct fmt *f)
{
	static const char hex[] = "0123456789abcdef";
	unsigned width = 1 + f->exp_bits + f->frac_bits;
	bool neg = (bits >> (width - 1)) & 1;
	uint64_t emax = (1u << f->exp_bits) - 1;
	uint64_t e = (bits >> f->frac_bits) & emax;
	uint64_t frac = bits & ((UINT64_C(1) << f->frac_bits) - 1);
	int bias = (1 << (f->exp_bits - 1)) - 1;
	unsigned digits = (f->frac_bits + 3) / 4;
	char *p = out;
	int exp;

	if (f->has_inf && e == emax)
		return put_str(out, frac ? "nan" : neg ? "-inf" : "inf");
	if (!f->has_inf && e == emax && frac == (UINT64_C(1) << f->frac_bits) - 1)
		return put_str(out, "nan");
	if (neg)
		*p++ = '-';
	if (e == 0 && frac == 0) {
		memcpy(p, "0x0p+0", 7);
		return (size_t)(p - out) + 6;
	}
	if (e == 0) {
		/* Subnormal: shift the leading one into the implicit position. */
		exp = 1 - bias;
		while (!(frac >> f->frac_bits)) {
			frac <<= 1;
			exp--;
		}
		frac &= (UINT64_C(1) << f->frac_bits) - 1;
	} else {
		exp = (int)e - bias;
	}
	*p++ = '0';
	*p++ = 'x';
	*p++ = '1';
	frac <<= digits * 4 - f->frac_bits;
	if (frac) {
		*p++ = '.';
		while (frac) {
			digits--;
			*p++ = hex[(frac >> (digits * 4)) & 15];
			frac &= (UINT64_C(1) << (digits * 4)) - 1;
		}
	}
	*p++ = 'p';
	*p++ = exp < 0 ? '-' : '+';
	{
		char tmp[8];
		int n = 0;
		unsigned u = (unsigned)(exp < 0 ? -exp : exp);
		do {
			tmp[n++] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		while (n)
			*p++ = tmp[--n];
	}
	*p = '\0';
	return (size_t)(p - out);
}

static const struct fmt FP16 = {5, 10, true};
static const struct fmt BF16 = {8, 7, true};
static const struct fmt FP32 = {8, 23, true};
static const struct fmt FP64 = {11, 52, true};
static const struct fmt FP8E4M3FN = {4, 3, false};
static const struct fmt FP8E5M2 = {5, 2, true};

size_t hexfloat_fp16(char *out, uint16_t bits)
{
	return format(out, bits, &FP16);
}

size_t hexfloat_bf16(char *out, uint16_t bits)
{
	return format(out, bits, &BF16);
}

size_t hexfloat_fp32(char *out, uint32_t bits)
{
	return format(out, bits, &FP32);
}

size_t hexfloat_fp64(char *out, uint64_t bits)
{
	return format(out, bits, &FP64);
}

size_t hexfloat_fp8e4m3fn(char *out, uint8_t bits)
{
	return format(out, bits, &FP8E4M3FN);
}

size_t hexfloat_fp8e5m2(char *out, uint8_t bits)
{
	return format(out, bits, &FP8E5M2);
}

/* ---- parsing ------------------------------------------------------------ */

/* A finite literal read exactly: value = (neg ? -1 : 1) * m * 2^e. */
struct exact {
	bool neg;
	uint64_t m;
	int64_t e;
};

int hexfloat_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* True when the 'len' bytes of 's' spell 'word'. */
static bool same(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* hex = HEX* ["." HEX*], at least one digit.  Keeps up to 16 significant
** digits in x->m (a value needing more cannot be held by any type: its
** significant bits span more than 61); any nonzero digit beyond them sets
** '*lost'.  Returns the index after the digits, or 0 on a syntax error. */
static size_t read_mantissa(const char *s, size_t i, size_t len, struct exact *x, bool *lost)
{
	bool frac = false, any = false;
	unsigned kept = 0;

	for (; i < len; i++) {
		int d = hexfloat_digit(s[i]);
		if (s[i] == '.' && !frac) {
			frac = true;
			continue;
		}
		if (d < 0)
			break;
		any = true;
		if (x->m == 0 && d == 0) {
			x->e -= frac ? 4 : 0;
		} else if (kept < 16) {
			x->m = x->m * 16 + (uint64_t)d;
			kept++;
			x->e -= frac ? 4 : 0;
		} else {
			*lost |= d != 0;
			x->e += frac ? 0 : 4;
		}
	}
	return any ? i : 0;
}

/* ("p" | "P") ["+" | "-"] DEC+ to the end; saturates far beyond any
** exponent a type has.  Returns 0 or HEXFLOAT_SYNTAX. */
static int read_exponent(const char *s, size_t i, size_t len, int64_t *out)
{
	bool neg = false;
	int64_t v = 0;

	if (i >= len || (s[i] != 'p' && s[i] != 'P'))
		return HEXFLOAT_SYNTAX;
	i++;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i >= len)
		return HEXFLOAT_SYNTAX;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return HEXFLOAT_SYNTAX;
		if (v < 1000000)
			v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* Bits of a value 'x' (m != 0) in format 'f', exactly or not at all. */
static int encode(const struct exact *x, const struct fmt *f, uint64_t *bits)
{
	unsigned width = 1 + f->exp_bits + f->frac_bits;
	int64_t bias = (INT64_C(1) << (f->exp_bits - 1)) - 1;
	int64_t emin = 1 - bias;
	int64_t emax = (INT64_C(1) << f->exp_bits) - (f->has_inf ? 2 : 1) - bias;
	uint64_t m = x->m, sign = (uint64_t)x->neg << (width - 1);
	uint64_t frac_mask = (UINT64_C(1) << f->frac_bits) - 1;
	int64_t e = x->e, top;
	unsigned len = 0;

	while (!(m & 1)) {
		m >>= 1;
		e++;
	}
	while (len < 64 && (m >> len))
		len++;
	top = e + (int64_t)len - 1; /* exponent of the leading bit */
	if (len > f->frac_bits + 1)
		return HEXFLOAT_INEXACT;
	if (top > emax)
		return HEXFLOAT_RANGE;
	if (top >= emin) {
		uint64_t frac = (m << (f->frac_bits + 1 - len)) & frac_mask;
		if (!f->has_inf && top == emax && frac == frac_mask)
			return HEXFLOAT_RANGE; /* that pattern is E4M3FN's NaN */
		*bits = sign | ((uint64_t)(top + bias) << f->frac_bits) | frac;
		return HEXFLOAT_OK;
	}
	if (e < emin - (int64_t)f->frac_bits)
		return HEXFLOAT_INEXACT; /* below the smallest subnormal step */
	*bits = sign | (m << (e - (emin - (int64_t)f->frac_bits)));
	return HEXFLOAT_OK;
}

/* The special spellings; returns 1 when 's' was one of them. */
static int special(const char *s, size_t len, const struct fmt *f, uint64_t *bits, int *rc)
{
	unsigned width = 1 + f->exp_bits + f->frac_bits;
	uint64_t all_exp = ((UINT64_C(1) << f->exp_bits) - 1) << f->frac_bits;
	bool neg = len > 0 && s[0] == '-';

	if (same(s, len, "nan")) {
		*bits = f->has_inf ? all_exp | (UINT64_C(1) << (f->frac_bits - 1))
				   : (UINT64_C(1) << (width - 1)) - 1;
		*rc = HEXFLOAT_OK;
		return 1;
	}
	if (!same(s + neg, len - neg, "inf"))
		return 0;
	*rc = f->has_inf ? HEXFLOAT_OK : HEXFLOAT_RANGE;
	*bits = all_exp | ((uint64_t)neg << (width - 1));
	return 1;
}

/* The grammar of hexfloat.h into the bits of format 'f'; a HEXFLOAT_*
** status. */
static int parse(const char *s, size_t len, const struct fmt *f, uint64_t *bits)
{
	struct exact x = {false, 0, 0};
	bool lost = false;
	size_t i = 0;
	int64_t p;
	int rc;

	if (special(s, len, f, bits, &rc))
		return rc;
	if (i < len && s[i] == '-') {
		x.neg = true;
		i++;
	}
	if (len - i < 2 || s[i] != '0' || (s[i + 1] != 'x' && s[i + 1] != 'X'))
		return HEXFLOAT_SYNTAX;
	i = read_mantissa(s, i + 2, len, &x, &lost);
	if (i == 0 || read_exponent(s, i, len, &p))
		return HEXFLOAT_SYNTAX;
	if (lost)
		return HEXFLOAT_INEXACT;
	if (x.m == 0) {
		unsigned width = 1 + f->exp_bits + f->frac_bits;
		*bits = (uint64_t)x.neg << (width - 1);
		return HEXFLOAT_OK;
	}
	x.e += p;
	return encode(&x, f, bits);
}

int hexfloat_parse_fp16(const char *s, size_t len, uint16_t *bits)
{
	uint64_t b = 0;
	int rc = parse(s, len, &FP16, &b);

	*bits = (uint16_t)b;
	return rc;
}

int hexfloat_parse_bf16(const char *s, size_t len, uint16_t *bits)
{
	uint64_t b = 0;
	int rc = parse(s, len, &BF16, &b);

	*bits = (uint16_t)b;
	return rc;
}

int hexfloat_parse_fp32(const char *s, size_t len, uint32_t *bits)
{
	uint64_t b = 0;
	int rc = parse(s, len, &FP32, &b);

	*bits = (uint32_t)b;
	return rc;
}

int hexfloat_parse_fp64(const char *s, size_t len, uint64_t *bits)
{
	return parse(s, len, &FP64, bits);
}

int hexfloat_parse_fp8e4m3fn(const char *s, size_t len, uint8_t *bits)
{
	uint64_t b = 0;
	int rc = parse(s, len, &FP8E4M3FN, &b);

	*bits = (uint8_t)b;
	return rc;
}

int hexfloat_parse_fp8e5m2(const char *s, size_t len, uint8_t *bits)
{
	uint64_t b = 0;
	int rc = parse(s, len, &FP8E5M2, &b);

	*bits = (uint8_t)b;
	return rc;
}
