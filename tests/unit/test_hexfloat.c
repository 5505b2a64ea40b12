/*
** test_hexfloat.c -- the hex-float printer against independent oracles.
**
** Oracle for fp16, bf16 and fp32: every such value is a normal double, and
** glibc's printf("%a") prints normal doubles in exactly the minimal
** normalized form Apple uses (leading 1, trailing zeros dropped, signed
** exponent).  So every fp16 and bf16 pattern and a large sample of fp32
** patterns are compared with printf.  NaN (sign dropped) and the fp64 and
** fp8 cases glibc cannot vouch for are checked against fixed strings.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/hexfloat.h"
#include "testkit.h"

static float half_to_float(uint16_t h)
{
	int s = h >> 15, e = (h >> 10) & 31, f = h & 1023;
	float v;

	if (e == 0)
		v = ldexpf((float)f, -24);
	else if (e == 31)
		v = f ? NAN : INFINITY;
	else
		v = ldexpf((float)(f | 1024), e - 25);
	return s ? -v : v;
}

static float bits_to_float(uint32_t b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

/* What Apple prints for 'd': %a, with NaN unsigned. */
static void oracle(char *out, double d)
{
	if (isnan(d))
		strcpy(out, "nan");
	else
		snprintf(out, 64, "%a", d);
}

static void expect(const char *got, const char *want, const char *what, unsigned long bits)
{
	if (strcmp(got, want) != 0) {
		tk_failures++;
		if (tk_failures < 20)
			fprintf(stderr, "%s 0x%lx: got %s, want %s\n", what, bits, got, want);
	}
}

int main(void)
{
	char got[HEXFLOAT_MAX + 1], want[64];
	uint32_t x = 12345;

	for (uint32_t h = 0; h < 65536; h++) {
		hexfloat_fp16(got, (uint16_t)h);
		oracle(want, half_to_float((uint16_t)h));
		expect(got, want, "fp16", h);
		hexfloat_bf16(got, (uint16_t)h);
		oracle(want, bits_to_float(h << 16));
		expect(got, want, "bf16", h);
	}
	for (int i = 0; i < 2000000; i++) {
		x = x * 1664525u + 1013904223u; /* LCG: deterministic sample */
		hexfloat_fp32(got, x);
		oracle(want, bits_to_float(x));
		expect(got, want, "fp32", x);
	}
	/* fp32 edge cases, spelled out (docs/spec/mlmodelc.md §4.6). */
	/* clang-format off */
	static const struct {
		uint32_t bits;
		const char *s;
	} f32[] = {
		{0x00000000, "0x0p+0"}, {0x80000000, "-0x0p+0"},
		{0x3f800000, "0x1p+0"}, {0xbf800000, "-0x1p+0"},
		{0x3e400000, "0x1.8p-3"}, {0x00000001, "0x1p-149"},
		{0x807fffff, "-0x1.fffffcp-127"}, {0x7f7fffff, "0x1.fffffep+127"},
		{0x7f800000, "inf"}, {0xff800000, "-inf"},
		{0x7fc00000, "nan"}, {0xffc00000, "nan"}, {0x00800000, "0x1p-126"},
		{0x41924000, "0x1.248p+4"},
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof f32 / sizeof f32[0]; i++) {
		hexfloat_fp32(got, f32[i].bits);
		expect(got, f32[i].s, "fp32 edge", f32[i].bits);
	}
	/* fp16 values seen in Apple output (corpus fp16-subnormal-cast). */
	hexfloat_fp16(got, 0x0001);
	expect(got, "0x1p-24", "fp16", 1);
	hexfloat_fp16(got, 0x03ff);
	expect(got, "0x1.ff8p-15", "fp16", 0x3ff);
	/* fp64: subnormals renormalized (glibc would print 0x0.…p-1022). */
	/* clang-format off */
	static const struct {
		uint64_t bits;
		const char *s;
	} f64[] = {
		{0x0000000000000001ull, "0x1p-1074"},
		{0x000fffffffffffffull, "0x1.ffffffffffffep-1023"},
		{0x3ff0000000000001ull, "0x1.0000000000001p+0"},
		{0xc008000000000000ull, "-0x1.8p+1"},
		{0x7ff0000000000000ull, "inf"},
		{0xfff8000000000000ull, "nan"},
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof f64 / sizeof f64[0]; i++) {
		hexfloat_fp64(got, f64[i].bits);
		expect(got, f64[i].s, "fp64", (unsigned long)f64[i].bits);
	}
	/* fp8: E4M3FN has no infinities (0x7f is NaN, 0x7e = 448). */
	hexfloat_fp8e4m3fn(got, 0x7e);
	expect(got, "0x1.cp+8", "e4m3fn", 0x7e);
	hexfloat_fp8e4m3fn(got, 0x7f);
	expect(got, "nan", "e4m3fn", 0x7f);
	hexfloat_fp8e4m3fn(got, 0x01);
	expect(got, "0x1p-9", "e4m3fn", 0x01);
	hexfloat_fp8e5m2(got, 0x7c);
	expect(got, "inf", "e5m2", 0x7c);
	hexfloat_fp8e5m2(got, 0x3c);
	expect(got, "0x1p+0", "e5m2", 0x3c);
	if (tk_failures)
		fprintf(stderr, "test_hexfloat: %d failures\n", tk_failures);
	else
		printf("test_hexfloat: all fp16/bf16, 2M fp32 and edge cases ok\n");
	return tk_failures != 0;
}
