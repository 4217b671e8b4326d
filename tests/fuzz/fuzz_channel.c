// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the host side of the guest channel
 * (core/run/channel.c over wire/stream.c): what a hostile guest's init or
 * payload writes to the bulk port, as the I/O thread feeds it, then the
 * end of the stream and the "channel" JSON of the result. Guest requests
 * (KSYMS, SNAPSHOT_REQUEST) go to a stub that parses them as the agent
 * does (core/run/agent.c).
 *
 * Input: a list of pieces:
 *   0 TYPE(1) LEN(2) BYTES(LEN)  a frame encoded right (header, CRC), so
 *                                the typed payload parsers are reached
 *   1 LEN(2) BYTES(LEN)          raw bytes, as they are
 * fed in chunks whose sizes come from the data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/types.h"
#include "core/run/channel.h"
#include "wire/wire.h"
#include "tests/fuzz/fuzz.h"

static u64 fz_requests;

static void fz_request(void *ctx, u32 type, const u8 *payload, u32 len)
{
	struct wire_ksym k[WIRE_KSYMS_MAX];
	struct wire_snapshot_request rq;
	u32 n = 0;

	(void)ctx;
	fz_requests++;
	if (type == WIRE_KSYMS && wire_ksyms_parse(k, WIRE_KSYMS_MAX, &n, payload, len) == 0)
		for (u32 i = 0; i < n; i++)
			CHECK(strlen(k[i].name) <= WIRE_KSYM_NAME_MAX);
	if (type == WIRE_SNAPSHOT_REQUEST)
		(void)wire_snapshot_request_parse(&rq, payload, len);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct channel c;
	static u8 frame[WIRE_HDR_SIZE + 65536];
	size_t i = 0;
	char *json = NULL;
	size_t json_len = 0;
	FILE *f;

	CHECK(channel_init(&c, -1, -1, 0) == 0);
	c.request = fz_request;
	/* half the inputs run as if the host had asked for the guest's BTF */
	c.btf.want = size && data[0] & 0x80;
	while (i < size) {
		u8 op = data[i++] & 1;
		size_t len;

		if (size - i < 2)
			break;
		len = (size_t)(data[i] | data[i + 1] << 8);
		i += 2;
		if (op == 0) {
			u32 type;
			ssize_t n;

			if (!len || size - i < 1)
				break;
			/* every known type, and one past the table */
			type = data[i] % (WIRE_TYPE_NR + 1);
			len = MIN(len - 1, size - i - 1);
			n = wire_encode(frame, sizeof(frame), type, data + i + 1, len);
			i += 1 + len;
			if (n > 0)
				channel_feed(&c, frame, (size_t)n);
		} else {
			len = MIN(len, size - i);
			/* In two chunks: the assembler must not care where they split. */
			channel_feed(&c, data + i, len / 2);
			channel_feed(&c, data + i + len / 2, len - len / 2);
			i += len;
		}
	}
	channel_end(&c);
	/* whatever came, the BTF is consistent: never past its total or its buffer */
	CHECK(c.btf.got <= c.btf.cap && c.btf.cap <= (c.btf.total ? c.btf.total : WIRE_BTF_MAX));
	CHECK(c.btf.state != CHANNEL_BTF_DONE || (c.btf.got == c.btf.total && c.btf.buf));
	CHECK(c.btf.want || c.btf.state == CHANNEL_BTF_NONE);
	/* only the points this host knows are kept */
	CHECK(!(c.gclock.have & ~((1u << WIRE_BOOT_NR) - 2)));
	f = open_memstream(&json, &json_len);
	if (f) {
		channel_write_json(f, &c, "  ");
		fclose(f);
		CHECK(json && json_len > 0);
	}
	free(json);
	channel_destroy(&c);
	return 0;
}
