// SPDX-License-Identifier: GPL-2.0
/*
 * Frame encoding and decoding (wire.h). Shared with the guest: libc and
 * zlib's crc32() only, no allocation, no core/ objects.
 */
#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "wire/wire.h"

#define WIRE_MIN_LEN(a, b) ((a) < (b) ? (a) : (b))

static const char *const wire_type_names[WIRE_TYPE_NR] = {
    [WIRE_INVALID] = "INVALID",
    [WIRE_SYS_RDY] = "SYS_RDY",
    [WIRE_KERN_ADDRS_V1] = "KERN_ADDRS_V1",
    [WIRE_EXIT] = "EXIT",
    [WIRE_STDOUT] = "STDOUT",
    [WIRE_STDERR] = "STDERR",
    [WIRE_LIFECYCLE] = "LIFECYCLE",
    [WIRE_SCHED_EXIT] = "SCHED_EXIT",
    [WIRE_SCENARIO_START] = "SCENARIO_START",
    [WIRE_SCENARIO_END] = "SCENARIO_END",
    [WIRE_TEST_RESULT] = "TEST_RESULT",
    [WIRE_DMESG] = "DMESG",
    [WIRE_SNAPSHOT_REQUEST] = "SNAPSHOT_REQUEST",
    [WIRE_SNAPSHOT_REPLY] = "SNAPSHOT_REPLY",
    [WIRE_KSYMS] = "KSYMS",
    [WIRE_WATCH_ARMED] = "WATCH_ARMED",
    [WIRE_SCHED_LOG] = "SCHED_LOG",
    [WIRE_KERN_ADDRS] = "KERN_ADDRS",
    [WIRE_BTF] = "BTF",
    [WIRE_BOOT_TIMES] = "BOOT_TIMES",
};

static const char *const wire_phase_names[WIRE_PHASE_NR] = {
    [WIRE_PHASE_INIT_STARTED] = "INIT_STARTED",
    [WIRE_PHASE_SCHED_STARTING] = "SCHED_STARTING",
    [WIRE_PHASE_SCHED_READY] = "SCHED_READY",
    [WIRE_PHASE_PAYLOAD_STARTING] = "PAYLOAD_STARTING",
    [WIRE_PHASE_PAYLOAD_DONE] = "PAYLOAD_DONE",
    [WIRE_PHASE_SHUTDOWN] = "SHUTDOWN",
    [WIRE_PHASE_FAILED] = "FAILED",
    [WIRE_PHASE_SCHED_DONE] = "SCHED_DONE",
};

bool wire_type_valid(uint32_t type)
{
	return type > WIRE_INVALID && type < WIRE_TYPE_NR;
}

const char *wire_type_name(uint32_t type)
{
	if (type < WIRE_TYPE_NR && wire_type_names[type])
		return wire_type_names[type];
	return "UNKNOWN";
}

const char *wire_phase_name(uint32_t phase)
{
	if (phase < WIRE_PHASE_NR && wire_phase_names[phase])
		return wire_phase_names[phase];
	return "UNKNOWN";
}

/*
 * CRC-32 as zlib computes it (the gzip CRC, RFC 1952 section 8: reflected
 * polynomial 0xedb88320, initial value and final xor 0xffffffff). zlib takes
 * a uInt length; payloads are capped far below that, but stay correct anyway.
 */
uint32_t wire_crc32(const void *p, size_t n)
{
	const Bytef *b = p;
	uLong crc = crc32(0L, Z_NULL, 0);

	while (n) {
		uInt chunk = n > 0x40000000 ? 0x40000000 : (uInt)n;

		crc = crc32(crc, b, chunk);
		b += chunk;
		n -= chunk;
	}
	return (uint32_t)crc;
}

void wire_hdr_encode(uint8_t out[WIRE_HDR_SIZE], const struct wire_hdr *h)
{
	wire_put_le32(out + 0, h->type);
	wire_put_le32(out + 4, h->length);
	wire_put_le32(out + 8, h->crc);
	wire_put_le32(out + 12, h->reserved);
}

void wire_hdr_decode(struct wire_hdr *h, const uint8_t in[WIRE_HDR_SIZE])
{
	h->type = wire_get_le32(in + 0);
	h->length = wire_get_le32(in + 4);
	h->crc = wire_get_le32(in + 8);
	h->reserved = wire_get_le32(in + 12);
}

int wire_hdr_check(const struct wire_hdr *h, uint32_t cap)
{
	if (!wire_type_valid(h->type) || h->reserved != 0)
		return -EPROTO;
	if (h->length > cap || h->length > WIRE_PAYLOAD_MAX)
		return -EMSGSIZE;
	return 0;
}

int wire_encode_hdr(uint8_t out[WIRE_HDR_SIZE], uint32_t type, const void *payload, size_t len)
{
	struct wire_hdr h;

	if (!wire_type_valid(type))
		return -EINVAL;
	if (len > WIRE_PAYLOAD_MAX)
		return -EMSGSIZE;
	h.type = type;
	h.length = (uint32_t)len;
	h.crc = wire_crc32(payload, len);
	h.reserved = 0;
	wire_hdr_encode(out, &h);
	return 0;
}

ssize_t wire_encode(void *buf, size_t size, uint32_t type, const void *payload, size_t len)
{
	uint8_t hdr[WIRE_HDR_SIZE];
	uint8_t *out = buf;
	int r;

	r = wire_encode_hdr(hdr, type, payload, len);
	if (r)
		return r;
	if (size < WIRE_HDR_SIZE || size - WIRE_HDR_SIZE < len)
		return -ENOSPC;
	if (len)
		memmove(out + WIRE_HDR_SIZE, payload, len);
	memcpy(out, hdr, WIRE_HDR_SIZE);
	return WIRE_HDR_SIZE + len;
}

ssize_t wire_decode(struct wire_frame *f, const void *buf, size_t n, uint32_t cap)
{
	const uint8_t *p = buf;
	struct wire_hdr h;
	int r;

	f->type = WIRE_INVALID;
	f->len = 0;
	f->payload = NULL;
	if (n < WIRE_HDR_SIZE)
		return -EAGAIN;
	wire_hdr_decode(&h, p);
	r = wire_hdr_check(&h, cap);
	if (r)
		return r;
	f->type = h.type;
	f->len = h.length;
	if (n - WIRE_HDR_SIZE < h.length)
		return -EAGAIN;
	if (wire_crc32(p + WIRE_HDR_SIZE, h.length) != h.crc)
		return -EBADMSG;
	f->payload = p + WIRE_HDR_SIZE;
	return WIRE_HDR_SIZE + (size_t)h.length;
}

static const char *const wire_ka_names[WIRE_KA_NR] = {
    [WIRE_KA_PHYS_BASE] = "phys_base",
    [WIRE_KA_PAGE_OFFSET_BASE] = "page_offset_base",
    [WIRE_KA_KIMAGE_VOFFSET] = "kimage_voffset",
    [WIRE_KA_MEMSTART_ADDR] = "memstart_addr",
};

const char *wire_ka_name(unsigned int i)
{
	return i < WIRE_KA_NR ? wire_ka_names[i] : NULL;
}

#define WIRE_KA_ALL ((1u << WIRE_KA_NR) - 1)

ssize_t wire_kern_addrs_build(void *buf, size_t size, const struct wire_kern_addrs *ka)
{
	uint8_t *p = buf;

	if (size < WIRE_KERN_ADDRS_LEN)
		return -ENOSPC;
	wire_put_le32(p, ka->known & WIRE_KA_ALL);
	wire_put_le32(p + 4, 0);
	for (unsigned int i = 0; i < WIRE_KA_NR; i++)
		wire_put_le64(p + 8 + 8 * i, ka->known & 1u << i ? ka->val[i] : 0);
	return WIRE_KERN_ADDRS_LEN;
}

int wire_kern_addrs_parse(struct wire_kern_addrs *ka, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	uint32_t known;

	if (len != WIRE_KERN_ADDRS_LEN)
		return -EBADMSG;
	known = wire_get_le32(p);
	if (known & ~WIRE_KA_ALL || wire_get_le32(p + 4))
		return -EBADMSG;
	for (unsigned int i = 0; i < WIRE_KA_NR; i++) {
		uint64_t v = wire_get_le64(p + 8 + 8 * i);

		if (!(known & 1u << i) && v)
			return -EBADMSG;
		ka->val[i] = v;
	}
	ka->known = known;
	return 0;
}

/* Is (total, offset, n) a frame the format allows? */
static bool wire_btf_ok(uint32_t total, uint32_t offset, size_t n)
{
	if (total > WIRE_BTF_MAX)
		return false;
	if (!total)
		return !offset && n <= WIRE_REASON_MAX;
	return n >= 1 && offset <= total && n <= total - offset;
}

ssize_t wire_btf_build(void *buf, size_t size, uint32_t total, uint32_t offset, const void *data,
		       size_t n)
{
	uint8_t *p = buf;

	if (!wire_btf_ok(total, offset, n) || n > WIRE_PAYLOAD_MAX - WIRE_BTF_HDR)
		return -EINVAL;
	if (size < WIRE_BTF_HDR + n)
		return -ENOSPC;
	wire_put_le32(p, total);
	wire_put_le32(p + 4, offset);
	if (n)
		memcpy(p + WIRE_BTF_HDR, data, n);
	return (ssize_t)(WIRE_BTF_HDR + n);
}

int wire_btf_parse(struct wire_btf *b, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	uint32_t total, offset;

	if (len < WIRE_BTF_HDR)
		return -EBADMSG;
	total = wire_get_le32(p);
	offset = wire_get_le32(p + 4);
	if (!wire_btf_ok(total, offset, len - WIRE_BTF_HDR))
		return -EBADMSG;
	b->total = total;
	b->offset = offset;
	b->data = p + WIRE_BTF_HDR;
	b->len = len - WIRE_BTF_HDR;
	return 0;
}

ssize_t wire_exit_build(void *buf, size_t size, int32_t status)
{
	if (size < WIRE_EXIT_LEN)
		return -ENOSPC;
	wire_put_le32(buf, (uint32_t)status);
	return WIRE_EXIT_LEN;
}

int wire_exit_parse(int32_t *status, const void *payload, size_t len)
{
	if (len != WIRE_EXIT_LEN)
		return -EBADMSG;
	*status = (int32_t)wire_get_le32(payload);
	return 0;
}

ssize_t wire_lifecycle_build(void *buf, size_t size, uint32_t phase, const char *reason,
			     size_t reason_len)
{
	uint8_t *p = buf;

	if (reason_len > WIRE_REASON_MAX)
		return -EMSGSIZE;
	if (size < WIRE_LIFECYCLE_MIN + reason_len)
		return -ENOSPC;
	wire_put_le32(p, phase);
	if (reason_len)
		memmove(p + WIRE_LIFECYCLE_MIN, reason, reason_len);
	return WIRE_LIFECYCLE_MIN + reason_len;
}

int wire_lifecycle_parse(struct wire_lifecycle *lc, const void *payload, size_t len)
{
	const uint8_t *p = payload;

	if (len < WIRE_LIFECYCLE_MIN || len - WIRE_LIFECYCLE_MIN > WIRE_REASON_MAX)
		return -EBADMSG;
	lc->phase = wire_get_le32(p);
	lc->reason = (const char *)p + WIRE_LIFECYCLE_MIN;
	lc->reason_len = len - WIRE_LIFECYCLE_MIN;
	return 0;
}

ssize_t wire_snapshot_request_build(void *buf, size_t size, uint32_t id, const char *tag,
				    size_t tag_len)
{
	uint8_t *p = buf;

	if (tag_len > WIRE_SNAPSHOT_TAG_MAX)
		return -EMSGSIZE;
	if (size < WIRE_SNAPSHOT_REQUEST_MIN + tag_len)
		return -ENOSPC;
	wire_put_le32(p, id);
	p[4] = (uint8_t)tag_len;
	if (tag_len)
		memmove(p + WIRE_SNAPSHOT_REQUEST_MIN, tag, tag_len);
	return WIRE_SNAPSHOT_REQUEST_MIN + tag_len;
}

int wire_snapshot_request_parse(struct wire_snapshot_request *rq, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	uint32_t tag_len;

	if (len < WIRE_SNAPSHOT_REQUEST_MIN)
		return -EBADMSG;
	tag_len = p[4];
	if (tag_len > WIRE_SNAPSHOT_TAG_MAX || len - WIRE_SNAPSHOT_REQUEST_MIN != tag_len)
		return -EBADMSG;
	rq->id = wire_get_le32(p);
	rq->tag_len = tag_len;
	memcpy(rq->tag, p + WIRE_SNAPSHOT_REQUEST_MIN, tag_len);
	rq->tag[tag_len] = '\0';
	return 0;
}

ssize_t wire_snapshot_reply_build(void *buf, size_t size, uint32_t id, int32_t status)
{
	uint8_t *p = buf;

	if (status > 0)
		return -EINVAL;
	if (size < WIRE_SNAPSHOT_REPLY_LEN)
		return -ENOSPC;
	wire_put_le32(p, id);
	wire_put_le32(p + 4, (uint32_t)status);
	return WIRE_SNAPSHOT_REPLY_LEN;
}

int wire_snapshot_reply_parse(struct wire_snapshot_reply *rp, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	int32_t status;

	if (len != WIRE_SNAPSHOT_REPLY_LEN)
		return -EBADMSG;
	status = (int32_t)wire_get_le32(p + 4);
	if (status > 0)
		return -EBADMSG;
	rp->id = wire_get_le32(p);
	rp->status = status;
	return 0;
}

bool wire_ksym_name_valid(const char *name, size_t len)
{
	if (!len || len > WIRE_KSYM_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '$'))
			return false;
	}
	return true;
}

ssize_t wire_ksyms_build(void *buf, size_t size, const struct wire_ksym *k, uint32_t n)
{
	uint8_t *p = buf;
	size_t off = WIRE_KSYMS_MIN;

	if (n > WIRE_KSYMS_MAX)
		return -EMSGSIZE;
	if (size < WIRE_KSYMS_MIN)
		return -ENOSPC;
	wire_put_le32(p, n);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strnlen(k[i].name, sizeof(k[i].name));

		if (!wire_ksym_name_valid(k[i].name, len))
			return -EINVAL;
		if (size - off < WIRE_KSYM_ENTRY_MIN + len)
			return -ENOSPC;
		wire_put_le64(p + off, k[i].addr);
		p[off + 8] = (uint8_t)len;
		memcpy(p + off + WIRE_KSYM_ENTRY_MIN, k[i].name, len);
		off += WIRE_KSYM_ENTRY_MIN + len;
	}
	return off;
}

int wire_ksyms_parse(struct wire_ksym *out, uint32_t max, uint32_t *n, const void *payload,
		     size_t len)
{
	const uint8_t *p = payload;
	size_t off = WIRE_KSYMS_MIN;
	uint32_t count;

	if (len < WIRE_KSYMS_MIN)
		return -EBADMSG;
	count = wire_get_le32(p);
	if (count > max || count > WIRE_KSYMS_MAX)
		return -EBADMSG;
	for (uint32_t i = 0; i < count; i++) {
		size_t name_len;

		if (len - off < WIRE_KSYM_ENTRY_MIN)
			return -EBADMSG;
		name_len = p[off + 8];
		if (len - off - WIRE_KSYM_ENTRY_MIN < name_len ||
		    !wire_ksym_name_valid((const char *)p + off + WIRE_KSYM_ENTRY_MIN, name_len))
			return -EBADMSG;
		out[i].addr = wire_get_le64(p + off);
		memcpy(out[i].name, p + off + WIRE_KSYM_ENTRY_MIN, name_len);
		out[i].name[name_len] = '\0';
		off += WIRE_KSYM_ENTRY_MIN + name_len;
	}
	if (off != len)
		return -EBADMSG;
	*n = count;
	return 0;
}

ssize_t wire_watch_armed_build(void *buf, size_t size, int32_t status, uint32_t armed)
{
	uint8_t *p = buf;

	if (status > 0 || armed > WIRE_KSYMS_MAX)
		return -EINVAL;
	if (size < WIRE_WATCH_ARMED_LEN)
		return -ENOSPC;
	wire_put_le32(p, (uint32_t)status);
	wire_put_le32(p + 4, armed);
	return WIRE_WATCH_ARMED_LEN;
}

int wire_watch_armed_parse(struct wire_watch_armed *wa, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	int32_t status;
	uint32_t armed;

	if (len != WIRE_WATCH_ARMED_LEN)
		return -EBADMSG;
	status = (int32_t)wire_get_le32(p);
	armed = wire_get_le32(p + 4);
	if (status > 0 || armed > WIRE_KSYMS_MAX)
		return -EBADMSG;
	wa->status = status;
	wa->armed = armed;
	return 0;
}

ssize_t wire_sched_exit_build(void *buf, size_t size, uint32_t stage, const char *reason)
{
	size_t n = reason ? strnlen(reason, WIRE_REASON_MAX) : 0;
	uint8_t *p = buf;

	if (stage != WIRE_SCHED_ATTACH && stage != WIRE_SCHED_RUN)
		return -EINVAL;
	if (size < WIRE_SCHED_EXIT_MIN + n)
		return -ENOSPC;
	wire_put_le32(p, stage);
	if (n)
		memcpy(p + WIRE_SCHED_EXIT_MIN, reason, n);
	return (ssize_t)(WIRE_SCHED_EXIT_MIN + n);
}

int wire_sched_exit_parse(struct wire_sched_exit *se, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	size_t n;

	if (len < WIRE_SCHED_EXIT_MIN)
		return -EBADMSG;
	se->stage = wire_get_le32(p);
	if (se->stage != WIRE_SCHED_ATTACH && se->stage != WIRE_SCHED_RUN)
		return -EBADMSG;
	n = WIRE_MIN_LEN(len - WIRE_SCHED_EXIT_MIN, (size_t)WIRE_REASON_MAX);
	memcpy(se->reason, p + WIRE_SCHED_EXIT_MIN, n);
	se->reason[n] = '\0';
	return 0;
}

static const char *const wire_boot_point_names[WIRE_BOOT_NR] = {
    [WIRE_BOOT_KERNEL_INIT] = "kernel_init",   [WIRE_BOOT_INIT_START] = "init_start",
    [WIRE_BOOT_INIT_READY] = "init_ready",     [WIRE_BOOT_PAYLOAD_START] = "payload_start",
    [WIRE_BOOT_PAYLOAD_EXIT] = "payload_exit",
};

const char *wire_boot_point_name(uint32_t point)
{
	return point < WIRE_BOOT_NR ? wire_boot_point_names[point] : NULL;
}

ssize_t wire_boot_times_build(void *buf, size_t size, const struct wire_boot_time *t, uint32_t n)
{
	uint8_t *p = buf;

	if (!n || n > WIRE_BOOT_TIMES_MAX)
		return -EINVAL;
	if (size < (size_t)n * WIRE_BOOT_TIME_LEN)
		return -ENOSPC;
	for (uint32_t i = 0; i < n; i++, p += WIRE_BOOT_TIME_LEN) {
		if (!t[i].point)
			return -EINVAL;
		wire_put_le32(p, t[i].point);
		wire_put_le32(p + 4, 0);
		wire_put_le64(p + 8, t[i].ns);
	}
	return (ssize_t)n * WIRE_BOOT_TIME_LEN;
}

int wire_boot_times_parse(struct wire_boot_time *out, uint32_t max, uint32_t *n,
			  const void *payload, size_t len)
{
	const uint8_t *p = payload;
	size_t count = len / WIRE_BOOT_TIME_LEN;

	if (!len || len % WIRE_BOOT_TIME_LEN || count > max || count > WIRE_BOOT_TIMES_MAX)
		return -EBADMSG;
	for (size_t i = 0; i < count; i++, p += WIRE_BOOT_TIME_LEN) {
		if (!wire_get_le32(p) || wire_get_le32(p + 4))
			return -EBADMSG;
		out[i].point = wire_get_le32(p);
		out[i].ns = wire_get_le64(p + 8);
	}
	*n = (uint32_t)count;
	return 0;
}
