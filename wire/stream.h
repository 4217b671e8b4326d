/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side stream assembler: turns the byte stream the guest writes (cut
 * into chunks anywhere by the transport) back into frames (wire.h).
 *
 * Feed it chunks with wire_stream_feed(); each complete frame whose payload
 * CRC matches is handed to the callback, in stream order. A frame whose CRC
 * does not match is not delivered at all: it is counted and skipped. The
 * callback's payload pointer is valid only during the call, and the callback
 * must not feed the same stream.
 *
 * Everything the guest sends is hostile. Memory is bounded: the only buffer
 * holds at most one incomplete frame, WIRE_HDR_SIZE + cap bytes, and grows to
 * that only when a plausible header announces such a payload; a length over
 * the cap is rejected from the header alone, before anything is allocated.
 * Work per fed byte is bounded: each position is decoded as a header at most
 * twice (once more when a waiting frame completes) and CRC'd at most once.
 *
 * Resynchronisation (what happens after garbage or corruption), decided at
 * the current position once its 16 header bytes are there:
 *   1. Implausible header -- unknown type (0 or past the table), reserved
 *      != 0, or length over the cap: slide one byte and look again. A run of
 *      such slides counts once in bad_headers; every byte in resync_bytes.
 *   2. Plausible header, payload not all there yet: wait for more bytes.
 *   3. Plausible header, CRC mismatch: skip the whole frame (header and
 *      announced length) and expect a header right after it.
 *   4. Plausible header, CRC match: deliver the frame, go on after it.
 * Limits. The header carries no checksum of its own and no magic, so:
 *   - Garbage that happens to form a plausible header (a known type, i.e.
 *     one small byte and three zero bytes, four zero bytes of reserved, a
 *     length within the cap) is taken as a frame: the assembler waits for up to
 *     `cap` bytes and then skips them by rule 3, losing any real frames in
 *     that span (counted in crc_errors/crc_bytes). Until those bytes arrive,
 *     frames behind it are held back; wire_stream_end() releases them.
 *   - Sliding through a rejected frame (rule 1), or through the rest of a
 *     real frame after a corrupted length field made rule 3 skip the wrong
 *     span, can deliver a frame embedded in that payload (a STDOUT payload
 *     that itself carries wire bytes) if its CRC holds.
 *   - A frame is only resynchronised to on a header boundary that rule 1
 *     reaches, so a real header inside a span skipped by rule 3 is lost.
 * The decisions depend only on the bytes, never on how they were split into
 * chunks: any split yields the same frames and counters (the fuzzer checks).
 */
#ifndef KTVM_WIRE_STREAM_H
#define KTVM_WIRE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

#define WIRE_STREAM_CAP_DEFAULT WIRE_PAYLOAD_MAX
#define WIRE_STREAM_BUF_INIT	4096 /* first buffer size; grows on demand */

typedef void (*wire_stream_fn)(void *ctx, uint32_t type, const uint8_t *payload, uint32_t len);

/*
 * Every fed byte ends up in exactly one of frame_bytes, crc_bytes,
 * resync_bytes, dropped_bytes, or is still pending (wire_stream_pending()).
 */
struct wire_stream_stats {
	uint64_t bytes_in;		/* bytes fed */
	uint64_t frames;		/* frames delivered */
	uint64_t by_type[WIRE_TYPE_NR]; /* frames delivered, by type ([0] stays 0) */
	uint64_t frame_bytes;		/* header + payload bytes of delivered frames */
	uint64_t crc_errors;		/* frames skipped for a CRC mismatch (rule 3) */
	uint64_t crc_bytes;		/* header + payload bytes of those */
	uint64_t bad_headers;		/* times sync was lost (runs of rule-1 slides) */
	uint64_t resync_bytes;		/* bytes slid over (rule 1, and at the end) */
	uint64_t oversize;		/* headers announcing a length over the cap */
	uint64_t truncated;		/* incomplete frames discarded by wire_stream_end() */
	uint64_t dropped_bytes;		/* bytes discarded because the buffer could not grow */
};

struct wire_stream {
	uint32_t cap;	   /* largest payload accepted */
	uint8_t *buf;	   /* the incomplete item at the stream position */
	size_t len;	   /* bytes in buf; always < need */
	size_t need;	   /* bytes that item needs: a header, or header + length */
	size_t size;	   /* allocated; need <= size <= WIRE_HDR_SIZE + cap */
	bool in_sync;	   /* the last step was not a slide */
	bool busy;	   /* inside feed (catches a callback feeding back) */
	wire_stream_fn fn; /* may be NULL: only count */
	void *ctx;
	struct wire_stream_stats st;
};

/*
 * cap: largest payload accepted, at most WIRE_PAYLOAD_MAX (-EINVAL above).
 * Returns 0 or -ENOMEM.
 */
int wire_stream_init(struct wire_stream *s, uint32_t cap, wire_stream_fn fn, void *ctx);
void wire_stream_destroy(struct wire_stream *s);

/*
 * Feed n bytes. Returns 0; -EBUSY if called from the stream's own callback
 * (nothing is consumed); -ENOMEM if the buffer could not grow to hold a
 * frame: the stream then drops what it had buffered and the rest of this
 * chunk (counted in dropped_bytes) and carries on with the next chunk.
 */
int wire_stream_feed(struct wire_stream *s, const void *data, size_t n);

/*
 * The stream ended (the guest is gone). Bytes still pending can never
 * complete their frame: each incomplete frame is counted in truncated and its
 * first byte skipped, so that frames behind a false header are still found.
 * A tail shorter than a header counts as truncated where a header was due
 * (right after a frame), else as resync bytes.
 * Afterwards the stream is empty and may be fed again. 0, or -EBUSY from the
 * stream's own callback.
 */
int wire_stream_end(struct wire_stream *s);

/* Bytes held waiting for the rest of a frame. */
static inline size_t wire_stream_pending(const struct wire_stream *s)
{
	return s->len;
}

#endif
