/*
** pbcheck.c -- nesting and lengths of a protobuf message, without decoding.
**
** Wire format: a sequence of (varint key, value); key = field << 3 | type;
** type 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.  A type-2
** field whose descriptor says "message" is descended into; everything
** else is skipped.  The recursion is bounded by 'limit'.
*/
#include "spec/pbcheck.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"

/* Read a varint at *i; false when it runs past 'len' or is too long. */
static bool varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
	*v = 0;
	for (unsigned s = 0; s < 64; s += 7) {
		if (*i >= len)
			return false;
		uint8_t c = p[(*i)++];
		*v |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80))
			return true;
	}
	return false;
}

/* Walk the message at buf[0, len), which starts at file offset 'base'. */
static struct pb_problem walk(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
			      size_t len, size_t base, unsigned limit)
{
	struct pb_problem pr = {PB_FINE, 0, 0, 0, 0};
	size_t i = 0;

	if (limit == 0) {
		pr.kind = PB_TOO_DEEP;
		return pr;
	}
	while (i < len && pr.kind == PB_FINE) {
		uint64_t key, n;
		size_t at = i;
		const ProtobufCFieldDescriptor *f;
		if (!varint(buf, len, &i, &key))
			break; /* malformed: protobuf-c will say so */
		if ((key & 7) == 0 && varint(buf, len, &i, &n))
			continue;
		if ((key & 7) == 1 || (key & 7) == 5) {
			i += (key & 7) == 1 ? 8 : 4;
			continue;
		}
		if ((key & 7) != 2 || !varint(buf, len, &i, &n))
			break;
		if (n > len - i) {
			pr = (struct pb_problem){PB_BAD_LENGTH, key >> 3, base + at, n, len - i};
			break;
		}
		f = key >> 3 <= UINT32_MAX
			    ? protobuf_c_message_descriptor_get_field(desc, (unsigned)(key >> 3))
			    : NULL;
		if (f && f->type == PROTOBUF_C_TYPE_MESSAGE)
			pr = walk(f->descriptor, buf + i, (size_t)n, base + i, limit - 1);
		i += (size_t)n;
	}
	return pr;
}

struct pb_problem pb_check(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
			   unsigned limit)
{
	return walk(desc, buf, len, 0, limit);
}

/* ---- UTF-8 of the decoded strings --------------------------------------- */

/* Append "name" or "name[i]" (i >= 0) to the path at 'where' + 'at'. */
static void path_push(char *where, size_t n, size_t at, const char *name, long i)
{
	if (at >= n)
		return;
	if (i < 0)
		snprintf(where + at, n - at, "%s%s", at ? "." : "", name);
	else
		snprintf(where + at, n - at, "%s%s[%ld]", at ? "." : "", name, i);
}

static bool utf8_message(const ProtobufCMessage *m, char *where, size_t n, size_t at);

/* One value of field 'f' (a string or a message), at 'p'. */
static bool utf8_value(const ProtobufCFieldDescriptor *f, const void *p, char *where, size_t n,
		       size_t at, long i)
{
	if (f->type == PROTOBUF_C_TYPE_STRING) {
		const char *s = *(char *const *)p;
		if (s && !diag_utf8_valid(s, strlen(s))) {
			path_push(where, n, at, f->name, i);
			return false;
		}
	} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;
		if (sub) {
			path_push(where, n, at, f->name, i);
			if (!utf8_message(sub, where, n, strlen(where)))
				return false;
			where[at < n ? at : n - 1] = '\0';
		}
	}
	return true;
}

static bool utf8_message(const ProtobufCMessage *m, char *where, size_t n, size_t at)
{
	const ProtobufCMessageDescriptor *desc = m->descriptor;
	const char *base = (const char *)m;

	for (unsigned k = 0; k < desc->n_fields; k++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[k];
		if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t count = *(const size_t *)(base + f->quantifier_offset);
			const char *arr = *(char *const *)(base + f->offset);
			for (size_t i = 0; arr && i < count; i++)
				if (!utf8_value(f, arr + i * sizeof(void *), where, n, at, (long)i))
					return false;
			continue;
		}
		/* A member of a oneof is there only when its case is set. */
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		if (!utf8_value(f, base + f->offset, where, n, at, -1))
			return false;
	}
	return true;
}

bool pb_utf8_valid(const ProtobufCMessage *m, char *where, size_t n)
{
	if (n)
		where[0] = '\0';
	return !m || utf8_message(m, where, n, 0);
}

/* What decoding the message at buf[0, len) allocates, by the wire:
** the message itself, a slot per field occurrence (repeated fields are
** arrays of pointers or values), the bytes of strings and byte fields, 8
** bytes per byte of a packed repeated scalar (a one-byte varint becomes an
** int64).  Submessages recursively (pb_check bounds the depth first). */
static uint64_t cost(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len)
{
	uint64_t c = desc->sizeof_message;
	size_t i = 0;

	while (i < len) {
		uint64_t key, n;
		const ProtobufCFieldDescriptor *f;
		if (!varint(buf, len, &i, &key))
			break;
		c += 8;
		if ((key & 7) == 0 && varint(buf, len, &i, &n))
			continue;
		if ((key & 7) == 1 || (key & 7) == 5) {
			i += (key & 7) == 1 ? 8 : 4;
			continue;
		}
		if ((key & 7) != 2 || !varint(buf, len, &i, &n) || n > len - i)
			break;
		f = key >> 3 <= UINT32_MAX
			    ? protobuf_c_message_descriptor_get_field(desc, (unsigned)(key >> 3))
			    : NULL;
		if (f && f->type == PROTOBUF_C_TYPE_MESSAGE)
			c += cost(f->descriptor, buf + i, (size_t)n);
		else if (f && f->label == PROTOBUF_C_LABEL_REPEATED &&
			 f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_BYTES)
			c += 8 * n;
		else
			c += n + 1;
		i += (size_t)n;
	}
	return c;
}

uint64_t pb_decoded_bytes(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len)
{
	return cost(desc, buf, len);
}
