// SPDX-License-Identifier: GPL-2.0
/*
 * Stream assembler (stream.h, where the resync rules are described).
 *
 * Bytes are taken straight from the caller's chunk while whole frames are in
 * it; only the incomplete item at the end of a chunk is copied into buf, and
 * buf is then filled exactly up to what that item needs before it is looked
 * at again. So buf never holds more than one item, and an item never needs
 * more than WIRE_HDR_SIZE + cap (wire_decode() refuses longer lengths).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire/stream.h"

#define WIRE_MIN(a, b) ((a) < (b) ? (a) : (b))

int wire_stream_init(struct wire_stream *s, uint32_t cap, wire_stream_fn fn, void *ctx)
{
	if (cap > WIRE_PAYLOAD_MAX)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->size = WIRE_MIN((size_t)WIRE_STREAM_BUF_INIT, WIRE_HDR_SIZE + (size_t)cap);
	s->buf = malloc(s->size);
	if (!s->buf)
		return -ENOMEM;
	s->need = WIRE_HDR_SIZE;
	s->in_sync = true;
	s->fn = fn;
	s->ctx = ctx;
	return 0;
}

void wire_stream_destroy(struct wire_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->size = 0;
	s->len = 0;
}

/* Make buf hold need bytes; need <= WIRE_HDR_SIZE + cap by construction. */
static int stream_reserve(struct wire_stream *s, size_t need)
{
	size_t size = s->size;
	uint8_t *buf;

	if (need <= s->size)
		return 0;
	while (size < need)
		size *= 2;
	size = WIRE_MIN(size, WIRE_HDR_SIZE + (size_t)s->cap);
	buf = realloc(s->buf, size);
	if (!buf)
		return -ENOMEM;
	s->buf = buf;
	s->size = size;
	return 0;
}

/*
 * Apply the resync rules to p[0..n) from its start. Returns how many bytes
 * were consumed; what is left is one incomplete item, whose size is stored
 * in s->need. With eof, nothing more will come: incomplete items are
 * discarded a byte at a time and everything is consumed.
 */
static size_t stream_scan(struct wire_stream *s, const uint8_t *p, size_t n, bool eof)
{
	size_t off = 0;

	while (off < n) {
		struct wire_frame f;
		ssize_t r = wire_decode(&f, p + off, n - off, s->cap);

		if (r > 0) {
			s->st.frames++;
			s->st.by_type[f.type]++;
			s->st.frame_bytes += r;
			s->in_sync = true;
			off += r;
			if (s->fn)
				s->fn(s->ctx, f.type, f.payload, f.len);
			continue;
		}
		if (r == -EAGAIN && !eof) {
			if (n - off < WIRE_HDR_SIZE)
				s->need = WIRE_HDR_SIZE;
			else
				s->need = WIRE_HDR_SIZE + (size_t)f.len;
			return off;
		}
		if (r == -EAGAIN) {
			/*
			 * A cut-off frame, or a tail too short for a header: a
			 * cut-off header if one was due here, else more garbage.
			 */
			size_t drop = n - off < WIRE_HDR_SIZE ? n - off : 1;

			if (drop == 1 || s->in_sync)
				s->st.truncated++;
			s->st.resync_bytes += drop;
			s->in_sync = false;
			off += drop;
			continue;
		}
		if (r == -EBADMSG) {
			/* rule 3: trust the header's length, skip the frame */
			s->st.crc_errors++;
			s->st.crc_bytes += WIRE_HDR_SIZE + (size_t)f.len;
			s->in_sync = true;
			off += WIRE_HDR_SIZE + (size_t)f.len;
			continue;
		}
		/* rule 1: -EPROTO or -EMSGSIZE, slide one byte */
		if (r == -EMSGSIZE)
			s->st.oversize++;
		if (s->in_sync)
			s->st.bad_headers++;
		s->in_sync = false;
		s->st.resync_bytes++;
		off++;
	}
	s->need = WIRE_HDR_SIZE;
	return off;
}

int wire_stream_feed(struct wire_stream *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t used, take;

	if (s->busy)
		return -EBUSY;
	s->busy = true;
	s->st.bytes_in += n;
	while (n) {
		if (!s->len) {
			used = stream_scan(s, p, n, false);
			p += used;
			n -= used;
			if (!n)
				break;
			if (stream_reserve(s, s->need))
				goto nomem;
			memcpy(s->buf, p, n);
			s->len = n;
			break;
		}
		/* Complete the buffered item and no more; the rest goes the fast way. */
		take = WIRE_MIN(n, s->need - s->len);
		memcpy(s->buf + s->len, p, take);
		s->len += take;
		p += take;
		n -= take;
		if (s->len < s->need)
			break;
		used = stream_scan(s, s->buf, s->len, false);
		s->len -= used;
		memmove(s->buf, s->buf + used, s->len);
		if (s->len && stream_reserve(s, s->need))
			goto nomem;
	}
	s->busy = false;
	return 0;

nomem:
	s->st.dropped_bytes += s->len + n;
	s->len = 0;
	s->need = WIRE_HDR_SIZE;
	s->busy = false;
	return -ENOMEM;
}

int wire_stream_end(struct wire_stream *s)
{
	if (s->busy)
		return -EBUSY;
	s->busy = true;
	stream_scan(s, s->buf, s->len, true);
	s->len = 0;
	s->need = WIRE_HDR_SIZE;
	s->in_sync = true;
	s->busy = false;
	return 0;
}
