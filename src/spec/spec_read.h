/*
** spec_read.h -- protobuf Core ML specification -> in-memory model.
*/
#ifndef MLCC_SPEC_READ_H
#define MLCC_SPEC_READ_H

#include "mlccint.h"

#include <stddef.h>
#include <stdint.h>

#include "mlcc.h"
#include "model/model.h"

/* Largest specification file mlcc reads (protobuf's own 2 GiB limit). */
#define SPEC_MAX_BYTES ((size_t)INT32_MAX)

/* A specification is decoded only when protobuf-c would allocate at most
** SPEC_DECODE_FACTOR times its size plus SPEC_DECODE_SLACK bytes
** (docs/RELIABILITY.md, bounded cost). */
#define SPEC_DECODE_FACTOR 16
#define SPEC_DECODE_SLACK ((uint64_t)16 << 20)

/* Read the specification file at 'path' into a new model allocated from
** 'a'.  On success stores the model in '*out' and the SHA-256 of the file's
** bytes in 'sha256'.  Errors name 'path'. */
MLCC_MUST_CHECK int spec_read_file(struct arena *a, const char *path, struct model **out,
				   uint8_t sha256[32], struct mlcc_diag *d);

/* spec_read_file() of a file that must lie inside 'root_real' (NULL: no
** such check), judged on the descriptor (os_open_input). */
MLCC_MUST_CHECK int spec_read_file_in(struct arena *a, const char *root_real, const char *path,
				      struct model **out, uint8_t sha256[32], struct mlcc_diag *d);

/* The same for bytes already in memory; 'origin' names them in messages. */
MLCC_MUST_CHECK int spec_read_bytes(struct arena *a, const char *origin, const uint8_t *buf,
				    size_t len, struct model **out, struct mlcc_diag *d);

/* A protobuf-c allocator ('pb') that allocates from 'a' and never frees;
** 'failed' tells an unpack that returned NULL for lack of memory from one
** that found the bytes invalid. */
struct spec_pb_alloc {
	ProtobufCAllocator pb;
	struct arena *a;
	bool failed;
};
void spec_arena_allocator(struct arena *a, struct spec_pb_alloc *out);

#endif
