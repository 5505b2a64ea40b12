/*
** pbcheck.h -- a walk over protobuf wire data before protobuf-c decodes it.
**
** protobuf-c decodes nested messages recursively, so a hostile file with
** thousands of nested blocks, values or pipeline models would overflow the
** stack inside the library; and when it rejects a file it says nothing of
** where or why.  This walk follows the message descriptors, only as deep
** as the limit allows, and reports the first problem it understands:
** nesting beyond the limit, or a length-delimited field that declares more
** bytes than its message holds (a truncated file, or a hostile length such
** as 4 GiB).  Other malformed data is left for protobuf-c to reject.
*/
#ifndef MLCC_PBCHECK_H
#define MLCC_PBCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

enum pb_problem_kind {
	PB_FINE,      /* nothing found */
	PB_TOO_DEEP,  /* messages nest deeper than the limit */
	PB_BAD_LENGTH /* a field's length runs past its enclosing message */
};

struct pb_problem {
	enum pb_problem_kind kind;
	uint64_t field;	   /* PB_BAD_LENGTH: field number */
	size_t offset;	   /* PB_BAD_LENGTH: file offset of the field's key */
	uint64_t declared; /* PB_BAD_LENGTH: the length it declares */
	size_t available;  /* PB_BAD_LENGTH: bytes left in its message */
};

/* Walk the 'len' bytes of a 'desc' message; returns the first problem
** (kind PB_FINE when none). */
struct pb_problem pb_check(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
			   unsigned limit);

/* Every string field of the decoded message 'm' (and of every message
** under it) is valid UTF-8, as proto3 requires of 'string' fields and
** Core ML of every name and metadata string.  On the first that is not,
** returns false with its path in 'where' ("description.input[0].name").
** 'bytes' fields are not strings and are not looked at. */
bool pb_utf8_valid(const ProtobufCMessage *m, char *where, size_t n);

/* An estimate of the bytes protobuf-c allocates to decode the 'len' bytes
** of a 'desc' message (an upper bound of its own structures: every message,
** field slot, string and unpacked array), without decoding.  Call after
** pb_check() found nothing (its depth limit bounds the recursion). */
uint64_t pb_decoded_bytes(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len);

#endif
