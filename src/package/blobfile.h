/*
** blobfile.h -- the MIL blob storage file ("weight.bin", blob storage v2).
**
** Layout (docs/spec/coreml-input.md §3): a 64-byte header {u32 count, u32 version 2,
** zeros}, then per blob a 64-byte metadata record at a 64-aligned offset:
**   0  u32 sentinel 0xDEADBEEF     4  u32 data type (dtype.c blob codes)
**   8  u64 size of the data        16 u64 absolute offset of the data
**   24 u64 padding bits (sub-byte types), then reserved bytes
** Programs reference a blob by the offset of its record.  Nothing here
** trusts the file: every offset and size is checked against its length.
*/
#ifndef MLCC_BLOBFILE_H
#define MLCC_BLOBFILE_H

#include "mlccint.h"

#include <stddef.h>
#include <stdint.h>

#include "model/dtype.h"

#define BLOB_HEADER 64
#define BLOB_RECORD 64
#define BLOB_SENTINEL 0xDEADBEEFu

struct blob_record {
	uint32_t sentinel;
	uint32_t code;	      /* blob data type code */
	uint64_t size;	      /* bytes of data */
	uint64_t data_offset; /* absolute offset of the data */
	uint64_t padding_bits;
};

/* Decode the 64 bytes of a record. */
void blob_record_decode(const uint8_t rec[BLOB_RECORD], struct blob_record *r);

/* Check the record found at 'offset' of a file of 'fsize' bytes for a
** tensor of element type 'want' and 'count' elements (-1: unknown).
** Returns NULL when it holds, else a message (written into 'buf'). */
const char *blob_record_check(const struct blob_record *r, uint64_t fsize, enum dtype want,
			      int64_t count, char *buf, size_t n);

/* Walk the blobs of a whole file image the way readers enumerate them
** (header count, first record at 64, each next record at the 64-aligned
** end of the previous data), calling 'fn' for each valid record; stops
** at the first inconsistency and returns -1 with a message in 'why',
** else the value of the first non-zero 'fn' or 0. */
MLCC_MUST_CHECK int blob_scan(const uint8_t *file, size_t len,
			      int (*fn)(void *ctx, uint64_t offset, const struct blob_record *r),
			      void *ctx, char *why, size_t n);

#endif
