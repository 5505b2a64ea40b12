/*
** pbdepth.c -- nesting depth of a protobuf message, without decoding it.
**
** Wire format: a sequence of (varint key, value); key = field << 3 | type;
** type 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.  A type-2
** field whose descriptor says "message" is descended into; everything
** else is skipped.  The recursion is bounded by 'limit'.
*/
#include "pbdepth.h"

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

bool pb_depth_ok(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
		 size_t len, unsigned limit)
{
	size_t i = 0;

	if (limit == 0)
		return false;
	while (i < len) {
		uint64_t key, n;
		const ProtobufCFieldDescriptor *f;
		if (!varint(buf, len, &i, &key))
			return true; /* malformed: protobuf-c will say so */
		switch (key & 7) {
		case 0:
			if (!varint(buf, len, &i, &n))
				return true;
			continue;
		case 1:
			i += 8;
			continue;
		case 5:
			i += 4;
			continue;
		case 2:
			break;
		default:
			return true;
		}
		if (!varint(buf, len, &i, &n) || n > len - i)
			return true;
		f = key >> 3 <= UINT32_MAX
			? protobuf_c_message_descriptor_get_field(desc, (unsigned)(key >> 3))
			: NULL;
		if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
		    !pb_depth_ok(f->descriptor, buf + i, (size_t)n, limit - 1))
			return false;
		i += (size_t)n;
	}
	return true;
}
