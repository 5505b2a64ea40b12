/*
** dtype.h -- MIL element types and their spellings in every format.
**
** One table (dtype.c) holds, for each element type: the MIL text name
** (model.mil), the protobuf DataType code, the blob-file type code, the bit
** width and the name metadata.json uses in precision strings.  Any rule that
** maps between those spellings reads this table.
*/
#ifndef MLCC_DTYPE_H
#define MLCC_DTYPE_H

#include <stdbool.h>
#include <stddef.h>

/* ORDER DTYPE: dtype.c's table is indexed by this enum. */
enum dtype {
	DT_INVALID = 0,
	DT_BOOL,
	DT_STRING,
	DT_FP16,
	DT_FP32,
	DT_FP64,
	DT_BF16,
	DT_FP8E4M3FN,
	DT_FP8E5M2,
	DT_INT4,
	DT_INT8,
	DT_INT16,
	DT_INT32,
	DT_INT64,
	DT_UINT1,
	DT_UINT2,
	DT_UINT3,
	DT_UINT4,
	DT_UINT6,
	DT_UINT8,
	DT_UINT16,
	DT_UINT32,
	DT_UINT64,
	DT_COUNT
};

struct dtype_info {
	const char *mil;       /* "fp16": model.mil spelling */
	int proto;	       /* MILSpec.DataType code */
	int blob;	       /* blob storage type code, 0 = never in a blob */
	unsigned bits;	       /* element width; 0 for string */
	const char *precision; /* metadata.json name, NULL for bool/string */
	bool is_float;
	bool is_signed; /* meaningful for integers */
};

const struct dtype_info *dtype_info(enum dtype t);

/* Element type for a protobuf DataType code; DT_INVALID if unknown. */
enum dtype dtype_from_proto(int code);

/* Element type for a MIL text name of 'len' bytes; DT_INVALID if unknown. */
enum dtype dtype_from_mil(const char *name, size_t len);

/* Element type for a blob storage code; DT_INVALID if unknown. */
enum dtype dtype_from_blob(int code);

/* Bytes needed to store 'count' elements packed (sub-byte types share
** bytes); (size_t)-1 on overflow. */
size_t dtype_packed_bytes(enum dtype t, size_t count);

/* Bytes of one element in mlcc's unpacked in-memory form: sub-byte types
** and bool take one byte, strings a pointer. */
size_t dtype_mem_size(enum dtype t);

#endif
