/*
** dtype.c -- the element-type table.
**
** Codes: MILSpec.DataType and blob storage codes from docs/spec/coreml-input.md §2.5
** and §3.3.  Precision names from docs/spec/mlmodelc.md §5.6 (Float16, Float32,
** Int8 ... seen; Float64 seen in computePrecision of a 3600 classifier; the
** sub-byte names follow the one observed "UInt4", LOW for the others).
*/
#include "model/dtype.h"

#include <stdint.h>
#include <string.h>

/* clang-format off */
static const struct dtype_info table[DT_COUNT] = {
	[DT_INVALID] = {"invalid", 0, 0, 0, NULL, false, false},
	[DT_BOOL] = {"bool", 1, 0, 8, NULL, false, false},
	[DT_STRING] = {"string", 2, 0, 0, NULL, false, false},
	[DT_FP16] = {"fp16", 10, 1, 16, "Float16", true, true},
	[DT_FP32] = {"fp32", 11, 2, 32, "Float32", true, true},
	[DT_FP64] = {"fp64", 12, 0, 64, "Float64", true, true},
	[DT_BF16] = {"bf16", 13, 5, 16, "BFloat16", true, true},
	[DT_FP8E4M3FN] = {"fp8e4m3fn", 40, 16, 8, "Float8E4M3FN", true, true},
	[DT_FP8E5M2] = {"fp8e5m2", 41, 17, 8, "Float8E5M2", true, true},
	[DT_INT4] = {"int4", 25, 8, 4, "Int4", false, true},
	[DT_INT8] = {"int8", 21, 4, 8, "Int8", false, true},
	[DT_INT16] = {"int16", 22, 6, 16, "Int16", false, true},
	[DT_INT32] = {"int32", 23, 14, 32, "Int32", false, true},
	[DT_INT64] = {"int64", 24, 0, 64, "Int64", false, true},
	[DT_UINT1] = {"uint1", 37, 9, 1, "UInt1", false, false},
	[DT_UINT2] = {"uint2", 36, 10, 2, "UInt2", false, false},
	[DT_UINT3] = {"uint3", 39, 12, 3, "UInt3", false, false},
	[DT_UINT4] = {"uint4", 35, 11, 4, "UInt4", false, false},
	[DT_UINT6] = {"uint6", 38, 13, 6, "UInt6", false, false},
	[DT_UINT8] = {"uint8", 31, 3, 8, "UInt8", false, false},
	[DT_UINT16] = {"uint16", 32, 7, 16, "UInt16", false, false},
	[DT_UINT32] = {"uint32", 33, 15, 32, "UInt32", false, false},
	[DT_UINT64] = {"uint64", 34, 0, 64, "UInt64", false, false},
};
/* clang-format on */

const struct dtype_info *dtype_info(enum dtype t)
{
	if ((unsigned)t >= DT_COUNT)
		t = DT_INVALID;
	return &table[t];
}

enum dtype dtype_from_proto(int code)
{
	for (int t = 1; t < DT_COUNT; t++)
		if (table[t].proto == code)
			return (enum dtype)t;
	return DT_INVALID;
}

enum dtype dtype_from_mil(const char *name, size_t len)
{
	for (int t = 1; t < DT_COUNT; t++)
		if (strlen(table[t].mil) == len && memcmp(table[t].mil, name, len) == 0)
			return (enum dtype)t;
	return DT_INVALID;
}

enum dtype dtype_from_blob(int code)
{
	if (code <= 0)
		return DT_INVALID;
	for (int t = 1; t < DT_COUNT; t++)
		if (table[t].blob == code)
			return (enum dtype)t;
	return DT_INVALID;
}

size_t dtype_packed_bytes(enum dtype t, size_t count)
{
	unsigned bits = dtype_info(t)->bits;

	if (bits == 0 || count > (SIZE_MAX - 7) / bits)
		return (size_t)-1;
	return (count * bits + 7) / 8;
}

size_t dtype_mem_size(enum dtype t)
{
	unsigned bits = dtype_info(t)->bits;

	if (t == DT_STRING)
		return sizeof(char *);
	return bits <= 8 ? 1 : bits / 8;
}
