/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest<->host message format. One source for both sides: the host links it
 * into libktvm, the guest's PID-1 init compiles wire.c into its static binary.
 *
 * A frame is a 16-byte header followed by `length` payload bytes. Every
 * field is little-endian on the wire whatever the CPU; the code below
 * encodes and decodes byte by byte and never copies a struct onto the wire.
 *
 *   offset  size  field
 *   0       4     type      (enum wire_type; 0 is never valid)
 *   4       4     length    payload bytes, at most WIRE_PAYLOAD_MAX
 *   8       4     crc32     zlib's crc32() of the payload (0 for no payload)
 *   12      4     reserved  must be 0
 *
 * Types. Numbers are fixed forever: a new type takes the next free number
 * (20, 21, ...; up to 255 is reserved for this table), a retired one is never
 * reused. "opaque" payloads are not interpreted by wire/; their format belongs
 * to the code that produces and consumes them.
 *
 *   value  name              dir  payload
 *   0      (invalid)         -    never sent; a header with type 0 is garbage
 *   1      SYS_RDY           g>h  empty: init is up and the channel works
 *   2      (retired)         g>h  the first KERN_ADDRS: x86_64's phys_base and
 *                                 page_offset_base, 0 for "unknown" (which a real
 *                                 phys_base can be). Receivers ignore it
 *   3      EXIT              g>h  int32_t exit status of the payload (4 bytes)
 *   4      STDOUT            g>h  raw bytes from the payload's stdout
 *   5      STDERR            g>h  raw bytes from the payload's stderr
 *   6      LIFECYCLE         g>h  uint32_t phase (enum wire_phase), then reason
 *                                 text, 0..WIRE_REASON_MAX bytes, no NUL
 *   7      SCHED_EXIT        g>h  the scheduler under test failed: uint32_t stage
 *                                 (enum wire_sched_stage: it never attached, or it
 *                                 left or died while the payload ran), then reason
 *                                 text, 0..WIRE_REASON_MAX bytes, no NUL. A payload
 *                                 may send one too; the host takes any SCHED_EXIT,
 *                                 well-formed or not, as a scheduler failure
 *   8      SCENARIO_START    g>h  opaque: a scenario begins
 *   9      SCENARIO_END      g>h  opaque: a scenario ended
 *   10     TEST_RESULT       g>h  opaque: a test's verdict
 *   11     DMESG             g>h  raw bytes of the guest kernel log
 *   12     SNAPSHOT_REQUEST  g>h  uint32_t request id, uint8_t tag length (0..WIRE_SNAPSHOT_TAG_MAX),
 *                                 the tag bytes: the guest's name for the snapshot,
 *                                 any bytes (the host sanitises it before putting it
 *                                 in a file name)
 *   13     SNAPSHOT_REPLY    h>g  uint32_t request id (the request's), int32_t status: 0 when
 *                                 the snapshot was dumped, else a negative errno
 *                                 (8 bytes)
 *   14     KSYMS             g>h  the addresses of the kernel symbols the host asked
 *                                 for (ktvm.watch=, guest/ksyms.h): uint32_t count
 *                                 (0..WIRE_KSYMS_MAX), then count entries of
 *                                 uint64_t address (0: not found, or hidden),
 *                                 uint8_t name length (1..WIRE_KSYM_NAME_MAX),
 *                                 the name bytes, no NUL, from [A-Za-z0-9_.$]
 *   15     WATCH_ARMED       h>g  int32_t status (0: armed, else a negative errno),
 *                                 uint32_t watchpoints armed (0..WIRE_KSYMS_MAX) (8 bytes)
 *   16     SCHED_LOG         g>h  raw bytes of the scheduler's stdout and stderr, and
 *                                 the guest kernel's sched_ext lines ("kernel: ..."),
 *                                 in the order init read them
 *   17     KERN_ADDRS        g>h  kernel variables init read at boot (guest/kaddr.h),
 *                                 sent before SYS_RDY: uint32_t known (bit i: value
 *                                 i was read; only bits below WIRE_KA_NR), uint32_t 0,
 *                                 then WIRE_KA_NR uint64_t values in enum wire_ka's
 *                                 order, 0 where the bit is clear (40 bytes)
 *   18     BTF               g>h  the guest kernel's BTF (/sys/kernel/btf/vmlinux), sent
 *                                 before KSYMS when the host asks (ktvm.btf=1): uint32_t
 *                                 total length (0..WIRE_BTF_MAX), uint32_t offset, then
 *                                 bytes [offset, offset + n) of the blob, 1 <= n and
 *                                 offset + n <= total; frames in order. total 0: the
 *                                 guest has none (or could not read it all), and the
 *                                 bytes (0..WIRE_REASON_MAX, offset 0) say why
 *   19     BOOT_TIMES        g>h  guest-clock times of boot points (enum wire_boot_point):
 *                                 1..WIRE_BOOT_TIMES_MAX entries of 16 bytes, the count
 *                                 implied by the length: uint32_t point (not 0),
 *                                 uint32_t 0, uint64_t ns of the guest kernel's printk clock.
 *                                 init sends one before SYS_RDY (kernel_init, init_start,
 *                                 init_ready) and one before EXIT (payload_start,
 *                                 payload_exit); a point it could not have is left out.
 *                                 New points take new numbers; a receiver skips the
 *                                 ones it does not know
 *
 * Names in KSYMS are checked because the host prints them and looks them up;
 * the set is what the kernel's symbol names are made of (C identifiers, the
 * compiler's ".llvm.N", ".isra.N" suffixes, and '$' on some arches).
 *
 * Guest build: wire.c needs only libc and zlib's crc32(). The guest binary is
 * static, so it links zlib statically:
 *   $(CC) -static -I. guest/init.c wire/wire.c -lz
 * Debian's zlib1g-dev (and zlib1g-dev:arm64 for aarch64) ships libz.a.
 * wire.c never allocates. wire/stream.c (the host's stream assembler) does,
 * and is not meant for the guest.
 */
#ifndef KTVM_WIRE_WIRE_H
#define KTVM_WIRE_WIRE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wire_type {
	WIRE_INVALID = 0,
	WIRE_SYS_RDY = 1,
	WIRE_KERN_ADDRS_V1 = 2, /* retired */
	WIRE_EXIT = 3,
	WIRE_STDOUT = 4,
	WIRE_STDERR = 5,
	WIRE_LIFECYCLE = 6,
	WIRE_SCHED_EXIT = 7,
	WIRE_SCENARIO_START = 8,
	WIRE_SCENARIO_END = 9,
	WIRE_TEST_RESULT = 10,
	WIRE_DMESG = 11,
	WIRE_SNAPSHOT_REQUEST = 12,
	WIRE_SNAPSHOT_REPLY = 13,
	WIRE_KSYMS = 14,
	WIRE_WATCH_ARMED = 15,
	WIRE_SCHED_LOG = 16,
	WIRE_KERN_ADDRS = 17,
	WIRE_BTF = 18,
	WIRE_BOOT_TIMES = 19,
	WIRE_TYPE_NR, /* one past the last known type; grows as types are added */
};

/* LIFECYCLE phases. Like types: fixed numbers, append only. */
enum wire_phase {
	WIRE_PHASE_INIT_STARTED = 1,	 /* PID 1 runs */
	WIRE_PHASE_SCHED_STARTING = 2,	 /* loading the scheduler under test */
	WIRE_PHASE_SCHED_READY = 3,	 /* scheduler attached */
	WIRE_PHASE_PAYLOAD_STARTING = 4, /* about to exec the payload */
	WIRE_PHASE_PAYLOAD_DONE = 5,	 /* payload exited (EXIT carries the status) */
	WIRE_PHASE_SHUTDOWN = 6,	 /* init is powering the guest off */
	WIRE_PHASE_FAILED = 7,		 /* init gave up; the reason says why */
	WIRE_PHASE_SCHED_DONE = 8,	 /* the scheduler detached cleanly after the payload */
	WIRE_PHASE_NR,
};

#define WIRE_HDR_SIZE	 16
#define WIRE_PAYLOAD_MAX (1024 * 1024) /* senders never exceed it; receivers may cap lower */
#define WIRE_FRAME_MAX	 (WIRE_HDR_SIZE + WIRE_PAYLOAD_MAX)

#define WIRE_KERN_ADDRS_LEN 40
#define WIRE_BTF_HDR	    8		  /* total and offset; the bytes follow */
#define WIRE_BTF_MAX	    (64u << 20)	  /* a Debian 7.x kernel's BTF is ~6 MiB */
#define WIRE_BTF_CHUNK	    (256u << 10) /* bytes per frame the guest sends */
#define WIRE_BTF_KEY	    "ktvm.btf"	  /* the command-line key that asks for it (=1) */
#define WIRE_EXIT_LEN	    4
#define WIRE_LIFECYCLE_MIN  4	/* the phase; the reason follows */
#define WIRE_REASON_MAX	    256 /* bytes of LIFECYCLE reason text */

#define WIRE_SNAPSHOT_REQUEST_MIN 5 /* the id and the tag length; the tag follows */
#define WIRE_SNAPSHOT_TAG_MAX	  64
#define WIRE_SNAPSHOT_REPLY_LEN	  8

#define WIRE_KSYMS_MIN	    4	/* the count; the entries follow */
#define WIRE_KSYMS_MAX	    16	/* entries in one KSYMS frame */
#define WIRE_KSYM_NAME_MAX  127 /* bytes of one symbol name */
#define WIRE_KSYM_ENTRY_MIN 9	/* address and name length; the name follows */
#define WIRE_KSYMS_LEN_MAX                                                                         \
	(WIRE_KSYMS_MIN + WIRE_KSYMS_MAX * (WIRE_KSYM_ENTRY_MIN + WIRE_KSYM_NAME_MAX))
#define WIRE_WATCH_ARMED_LEN 8
#define WIRE_SCHED_EXIT_MIN  4 /* the stage; the reason follows */

/* SCHED_EXIT stages: when the scheduler under test failed. */
enum wire_sched_stage {
	WIRE_SCHED_ATTACH = 1, /* it never attached (verifier, load, exit, timeout) */
	WIRE_SCHED_RUN = 2,    /* it was kicked out or died while the payload ran */
};

struct wire_hdr {
	uint32_t type;
	uint32_t length;
	uint32_t crc;
	uint32_t reserved;
};

/* One decoded frame; payload points into the buffer it was decoded from. */
struct wire_frame {
	uint32_t type;
	uint32_t len;
	const uint8_t *payload;
};

/*
 * KERN_ADDRS values: kernel variables, named as in the kernel, that place
 * its image and its direct map (KASLR picks them at boot). Fixed numbers,
 * append only. x86_64: phys_base (head_64.S) and page_offset_base
 * (mm/kaslr.c); aarch64: kimage_voffset (image VA - PA) and memstart_addr
 * (the PA at the start of the linear map).
 */
enum wire_ka {
	WIRE_KA_PHYS_BASE = 0,
	WIRE_KA_PAGE_OFFSET_BASE = 1,
	WIRE_KA_KIMAGE_VOFFSET = 2,
	WIRE_KA_MEMSTART_ADDR = 3,
	WIRE_KA_NR,
};

struct wire_kern_addrs {
	uint32_t known; /* bit i: val[i] was read */
	uint64_t val[WIRE_KA_NR];
};

/*
 * BOOT_TIMES points. Fixed numbers, append only; 0 is never valid. All in
 * ns of the guest kernel's printk clock (local_clock(), what /dev/kmsg's
 * records carry): init moves its CLOCK_MONOTONIC readings onto it with an
 * offset it measures (guest/boot_times.h). An init that cannot measure it
 * sends its CLOCK_MONOTONIC as is, which starts at the same point but can
 * fall behind, and leaves kernel_init out.
 */
enum wire_boot_point {
	WIRE_BOOT_KERNEL_INIT = 1,   /* printk time of "Run /init as init process" (/dev/kmsg) */
	WIRE_BOOT_INIT_START = 2,    /* init's main() */
	WIRE_BOOT_INIT_READY = 3,    /* init about to send SYS_RDY */
	WIRE_BOOT_PAYLOAD_START = 4, /* the payload's execve() succeeded */
	WIRE_BOOT_PAYLOAD_EXIT = 5,  /* init reaped the payload */
	WIRE_BOOT_NR,		     /* one past the last known point */
};

#define WIRE_BOOT_TIME_LEN  16 /* one entry: point, 0, ns */
#define WIRE_BOOT_TIMES_MAX 32 /* entries in one frame */

struct wire_boot_time {
	uint32_t point;
	uint64_t ns;
};

/* BTF payload; data points into the payload. total 0: data is the reason. */
struct wire_btf {
	uint32_t total;
	uint32_t offset;
	const uint8_t *data;
	size_t len;
};

/* LIFECYCLE payload; reason points into the payload and is not NUL-terminated. */
struct wire_lifecycle {
	uint32_t phase;
	const char *reason;
	size_t reason_len;
};

/*
 * SNAPSHOT_REQUEST payload, copied out of the frame (the host answers after
 * the frame's buffer is gone). tag[] is NUL-terminated for convenience, but
 * the guest may put a NUL inside it: tag_len is the length that was sent.
 */
struct wire_snapshot_request {
	uint32_t id;
	uint32_t tag_len;
	char tag[WIRE_SNAPSHOT_TAG_MAX + 1];
};

struct wire_snapshot_reply {
	uint32_t id;
	int32_t status;
};

/* One KSYMS entry; name is NUL-terminated. */
struct wire_ksym {
	uint64_t addr;
	char name[WIRE_KSYM_NAME_MAX + 1];
};

struct wire_watch_armed {
	int32_t status;
	uint32_t armed;
};

static inline uint16_t wire_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t wire_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t wire_get_le64(const uint8_t *p)
{
	return (uint64_t)wire_get_le32(p) | (uint64_t)wire_get_le32(p + 4) << 32;
}

static inline void wire_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline void wire_put_le64(uint8_t *p, uint64_t v)
{
	wire_put_le32(p, (uint32_t)v);
	wire_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Known types: 1 .. WIRE_TYPE_NR - 1, including the reserved ones. */
bool wire_type_valid(uint32_t type);
/* "SYS_RDY", ...; "INVALID" for 0 and "UNKNOWN" past the table. Never NULL. */
const char *wire_type_name(uint32_t type);
/* "INIT_STARTED", ...; "UNKNOWN" otherwise. Never NULL. */
const char *wire_phase_name(uint32_t phase);

/* zlib's crc32() of n bytes (p may be NULL when n is 0). */
uint32_t wire_crc32(const void *p, size_t n);

void wire_hdr_encode(uint8_t out[WIRE_HDR_SIZE], const struct wire_hdr *h);
void wire_hdr_decode(struct wire_hdr *h, const uint8_t in[WIRE_HDR_SIZE]);
/*
 * Is h a header a receiver with payload cap `cap` accepts? 0, -EPROTO
 * (unknown type or reserved != 0) or -EMSGSIZE (length over cap).
 */
int wire_hdr_check(const struct wire_hdr *h, uint32_t cap);

/*
 * Fill out[] with the header for a payload of len bytes at payload, for
 * senders that write the header and the payload separately (writev).
 * 0, -EINVAL (unknown type) or -EMSGSIZE (len > WIRE_PAYLOAD_MAX).
 */
int wire_encode_hdr(uint8_t out[WIRE_HDR_SIZE], uint32_t type, const void *payload, size_t len);

/*
 * Write one frame into buf (size bytes). payload may already sit at
 * buf + WIRE_HDR_SIZE (it is moved, not copied, so overlap is fine).
 * Returns the frame's size, WIRE_HDR_SIZE + len, or -EINVAL, -EMSGSIZE as
 * above, or -ENOSPC when buf is too small.
 */
ssize_t wire_encode(void *buf, size_t size, uint32_t type, const void *payload, size_t len);

/*
 * Decode the frame at the start of buf (n bytes) for a receiver with payload
 * cap `cap` (at most WIRE_PAYLOAD_MAX). The header is judged as soon as its
 * 16 bytes are there, before any payload:
 *   > 0        the frame's size; *f describes it
 *   -EAGAIN    incomplete: fewer than 16 bytes, or a good header whose
 *              payload is not all there (f->type and f->len are set)
 *   -EPROTO    unknown type or reserved != 0
 *   -EMSGSIZE  length over cap
 *   -EBADMSG   the payload's CRC does not match (f->type, f->len are set)
 */
ssize_t wire_decode(struct wire_frame *f, const void *buf, size_t n, uint32_t cap);

/*
 * Typed payloads. The builders write into buf (size bytes) and return the
 * payload's length, or -ENOSPC, or -EMSGSIZE for a reason over
 * WIRE_REASON_MAX (a tag over WIRE_SNAPSHOT_TAG_MAX, more than WIRE_KSYMS_MAX
 * symbols), or -EINVAL for a field the format does not allow (a positive
 * status, a bad symbol name). The parsers return 0, or -EBADMSG when the
 * payload is not what the type defines; whatever they accept, the builder
 * turns back into the same bytes.
 */
/* The kernel's name of KERN_ADDRS value i, or NULL past WIRE_KA_NR. */
const char *wire_ka_name(unsigned int i);
/* Values whose known bit is clear are sent as 0. */
ssize_t wire_kern_addrs_build(void *buf, size_t size, const struct wire_kern_addrs *ka);
/* -EBADMSG for a wrong length, an unknown bit, a nonzero pad or a value without its bit. */
int wire_kern_addrs_parse(struct wire_kern_addrs *ka, const void *payload, size_t len);
/* A BTF frame's payload: n bytes at offset of a blob of total; -EINVAL for what the format forbids. */
ssize_t wire_btf_build(void *buf, size_t size, uint32_t total, uint32_t offset, const void *data,
		       size_t n);
/* -EBADMSG for anything the format above does not allow. */
int wire_btf_parse(struct wire_btf *b, const void *payload, size_t len);
ssize_t wire_exit_build(void *buf, size_t size, int32_t status);
int wire_exit_parse(int32_t *status, const void *payload, size_t len);
ssize_t wire_lifecycle_build(void *buf, size_t size, uint32_t phase, const char *reason,
			     size_t reason_len);
int wire_lifecycle_parse(struct wire_lifecycle *lc, const void *payload, size_t len);

ssize_t wire_snapshot_request_build(void *buf, size_t size, uint32_t id, const char *tag,
				    size_t tag_len);
int wire_snapshot_request_parse(struct wire_snapshot_request *rq, const void *payload, size_t len);
ssize_t wire_snapshot_reply_build(void *buf, size_t size, uint32_t id, int32_t status);
int wire_snapshot_reply_parse(struct wire_snapshot_reply *rp, const void *payload, size_t len);

/*
 * Is name[0..len) a symbol name KSYMS can carry: 1..WIRE_KSYM_NAME_MAX bytes
 * from [A-Za-z0-9_.$]?
 */
bool wire_ksym_name_valid(const char *name, size_t len);

/*
 * KSYMS: build from k[0..n) (names NUL-terminated); parse into out[0..max),
 * setting *n to the count. The parser refuses a count over max or
 * WIRE_KSYMS_MAX, a truncated entry, bytes after the last entry and a name
 * wire_ksym_name_valid() refuses; out[] may be partly written when it does.
 */
ssize_t wire_ksyms_build(void *buf, size_t size, const struct wire_ksym *k, uint32_t n);
int wire_ksyms_parse(struct wire_ksym *out, uint32_t max, uint32_t *n, const void *payload,
		     size_t len);

/* SCHED_EXIT: stage (enum wire_sched_stage) and reason (NUL-terminated, cut to WIRE_REASON_MAX). */
struct wire_sched_exit {
	uint32_t stage;
	char reason[WIRE_REASON_MAX + 1];
};

ssize_t wire_sched_exit_build(void *buf, size_t size, uint32_t stage, const char *reason);
/* 0, or -EBADMSG: too short, or a stage that is not one of enum wire_sched_stage. */
int wire_sched_exit_parse(struct wire_sched_exit *se, const void *payload, size_t len);

/* "kernel_init", ... for a known BOOT_TIMES point; NULL otherwise. */
const char *wire_boot_point_name(uint32_t point);
/*
 * BOOT_TIMES: build from t[0..n) (1..WIRE_BOOT_TIMES_MAX entries, no point
 * 0: else -EINVAL); parse into out[0..max), setting *n. The parser refuses
 * an empty payload, a length that is not whole entries, more entries than
 * max or WIRE_BOOT_TIMES_MAX, point 0 and a nonzero pad; it keeps points it
 * does not know, in order, for the caller to skip.
 */
ssize_t wire_boot_times_build(void *buf, size_t size, const struct wire_boot_time *t, uint32_t n);
int wire_boot_times_parse(struct wire_boot_time *out, uint32_t max, uint32_t *n,
			  const void *payload, size_t len);

/* WATCH_ARMED: status 0 or a negative errno; at most WIRE_KSYMS_MAX armed. */
ssize_t wire_watch_armed_build(void *buf, size_t size, int32_t status, uint32_t armed);
int wire_watch_armed_parse(struct wire_watch_armed *wa, const void *payload, size_t len);

#endif
