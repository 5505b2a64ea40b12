/*
** pbdepth.h -- refuse protobuf messages nested too deeply, before decoding.
**
** protobuf-c decodes nested messages recursively, so a hostile file with
** thousands of nested blocks, values or pipeline models would overflow the
** stack inside the library.  This check walks the wire format with the
** message descriptors, only as deep as the limit allows, and says whether
** the nesting stays within it.  Malformed wire data is left for protobuf-c
** to reject.
*/
#ifndef MLCC_PBDEPTH_H
#define MLCC_PBDEPTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* Nesting mlcc accepts: far beyond any real model (a few dozen levels). */
#define PB_MAX_DEPTH 200

/* True when no message inside the 'len' bytes of a 'desc' message nests
** deeper than 'limit' levels. */
bool pb_depth_ok(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
		 size_t len, unsigned limit);

#endif
