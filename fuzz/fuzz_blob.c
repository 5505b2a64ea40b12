/*
** fuzz_blob.c -- a weight.bin image: enumerate its blobs as readers do and
** check every record against each element type and a few element counts.
*/
#include "package/blobfile.h"
#include "fuzz.h"

struct ctx {
	size_t len;
};

static int check(void *p, uint64_t offset, const struct blob_record *r)
{
	const struct ctx *c = p;
	char why[200];

	(void)offset;
	for (int t = 0; t < DT_COUNT; t++) {
		blob_record_check(r, c->len, (enum dtype)t, -1, why, sizeof why);
		blob_record_check(r, c->len, (enum dtype)t, (int64_t)(r->size * 8), why,
				  sizeof why);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = {size};
	char why[200];

	fuzz_any(blob_scan(data, size, check, &c, why, sizeof why));
	for (size_t off = 0; off + BLOB_RECORD <= size && off < 4096; off += 64) {
		struct blob_record r;
		blob_record_decode(data + off, &r);
		check(&c, off, &r);
	}
	return 0;
}
