/*
** hexfloat.c -- minimal normalized hex-float formatting for every MIL float.
**
** Each type is decoded into (sign, class, unbiased exponent, fraction) by
** one generic routine driven by the type's exponent and fraction widths.
*/
#include "hexfloat.h"

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

size_t hexfloat_fp16(char *out, uint16_t bits)
{
	static const struct fmt f = {5, 10, true};
	return format(out, bits, &f);
}

size_t hexfloat_bf16(char *out, uint16_t bits)
{
	static const struct fmt f = {8, 7, true};
	return format(out, bits, &f);
}

size_t hexfloat_fp32(char *out, uint32_t bits)
{
	static const struct fmt f = {8, 23, true};
	return format(out, bits, &f);
}

size_t hexfloat_fp64(char *out, uint64_t bits)
{
	static const struct fmt f = {11, 52, true};
	return format(out, bits, &f);
}

size_t hexfloat_fp8e4m3fn(char *out, uint8_t bits)
{
	static const struct fmt f = {4, 3, false};
	return format(out, bits, &f);
}

size_t hexfloat_fp8e5m2(char *out, uint8_t bits)
{
	static const struct fmt f = {5, 2, true};
	return format(out, bits, &f);
}
