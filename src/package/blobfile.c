/*
** blobfile.c -- reading blob storage records, defensively.
*/
#include "package/blobfile.h"

#include <stdio.h>

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void blob_record_decode(const uint8_t rec[BLOB_RECORD], struct blob_record *r)
{
	r->sentinel = (uint32_t)le(rec, 4);
	r->code = (uint32_t)le(rec + 4, 4);
	r->size = le(rec + 8, 8);
	r->data_offset = le(rec + 16, 8);
	r->padding_bits = le(rec + 24, 8);
}

const char *blob_record_check(const struct blob_record *r, uint64_t fsize, enum dtype want,
			      int64_t count, char *buf, size_t n)
{
	enum dtype got = dtype_from_blob((int)r->code);

	if (r->sentinel != BLOB_SENTINEL)
		return "no blob record here (bad sentinel)";
	if (got == DT_INVALID) {
		snprintf(buf, n, "unknown blob data type %u", r->code);
		return buf;
	}
	if (want != DT_INVALID && got != want) {
		snprintf(buf, n, "blob holds %s data (type %u), the tensor is %s",
			 dtype_info(got)->mil, r->code, dtype_info(want)->mil);
		return buf;
	}
	if (r->data_offset > fsize || r->size > fsize - r->data_offset) {
		snprintf(buf, n,
			 "blob data (%llu bytes at %llu) beyond the end of the file (%llu bytes)",
			 (unsigned long long)r->size, (unsigned long long)r->data_offset,
			 (unsigned long long)fsize);
		return buf;
	}
	if (count >= 0 && dtype_packed_bytes(got, (size_t)count) != r->size) {
		size_t need = dtype_packed_bytes(got, (size_t)count);
		if (need == (size_t)-1) /* the byte size itself overflows */
			snprintf(buf, n, "blob holds %llu bytes, the tensor needs more than 2^64",
				 (unsigned long long)r->size);
		else
			snprintf(buf, n, "blob holds %llu bytes, the tensor needs %zu",
				 (unsigned long long)r->size, need);
		return buf;
	}
	return NULL;
}

int blob_scan(const uint8_t *file, size_t len,
	      int (*fn)(void *ctx, uint64_t offset, const struct blob_record *r), void *ctx,
	      char *why, size_t n)
{
	uint64_t count, off = BLOB_HEADER;

	if (len < BLOB_HEADER) {
		snprintf(why, n, "shorter than the 64-byte header");
		return -1;
	}
	count = le(file, 4);
	if (le(file + 4, 4) != 2) {
		snprintf(why, n, "blob storage version %u, not 2", (unsigned)le(file + 4, 4));
		return -1;
	}
	for (uint64_t i = 0; i < count; i++) {
		struct blob_record r;
		const char *bad;
		int rc;
		if (off > len || len - off < BLOB_RECORD) {
			snprintf(why, n, "blob %llu of %llu: record at %llu beyond the end",
				 (unsigned long long)i, (unsigned long long)count,
				 (unsigned long long)off);
			return -1;
		}
		blob_record_decode(file + off, &r);
		bad = blob_record_check(&r, len, DT_INVALID, -1, why, n);
		if (bad) {
			if (bad != why)
				snprintf(why, n, "%s", bad);
			return -1;
		}
		if ((rc = fn ? fn(ctx, off, &r) : 0) != 0)
			return rc;
		/* next record: the 64-aligned end of this data, which must lie
		** past this record, or a hostile count (up to 2^32) could loop
		** over the same bytes */
		uint64_t next = (r.data_offset + r.size + 63) & ~(uint64_t)63;
		if (next < r.data_offset) {
			snprintf(why, n, "blob %llu: offset overflows", (unsigned long long)i);
			return -1;
		}
		if (i + 1 < count && next < off + BLOB_RECORD) {
			snprintf(
				why, n,
				"blob %llu: its data (at %llu) does not follow its record (at %llu)",
				(unsigned long long)i, (unsigned long long)r.data_offset,
				(unsigned long long)off);
			return -1;
		}
		off = next;
	}
	return 0;
}
