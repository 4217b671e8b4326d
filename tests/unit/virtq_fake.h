/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake guest of the split virtqueue tests (test_virtq*.c): 4 MiB of
 * guest RAM with the rings and buffers at fixed places, a queue driven
 * straight through devices/virtio/virtq.c (no transport), a counter of
 * broken-queue callbacks, and a driver that posts heads as virtio 1.2 2.7.13
 * describes.
 */
#ifndef KTVM_TESTS_UNIT_VIRTQ_FAKE_H
#define KTVM_TESTS_UNIT_VIRTQ_FAKE_H

#include <errno.h>
#include <string.h>

#include "devices/virtio/virtq.h"
#include "tests/test.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE (4 * MiB)

/* Where the fake driver puts things (guest-physical). */
#define DESC_GPA  (RAM_BASE + 0x0000)
#define AVAIL_GPA (RAM_BASE + 0x10000)
#define USED_GPA  (RAM_BASE + 0x20000)
#define TABLE_GPA (RAM_BASE + 0x30000) /* indirect tables */
#define BUF_GPA	  (RAM_BASE + 0x100000)

#include "tests/unit/virtio_fake.h"

static unsigned int broken_calls;

static inline void count_broken(struct virtq *vq)
{
	broken_calls++;
}

/* The driver side of one queue. */
struct drv {
	u16 size;
	u16 avail_idx;
};

/* 2.7.13: ring entry, barrier, then idx. */
static inline void drv_post(struct drv *d, u16 head)
{
	drv_avail()->ring[d->avail_idx % d->size] = head;
	d->avail_idx++;
	__atomic_store_n(&drv_avail()->idx, d->avail_idx, __ATOMIC_RELEASE);
}

static inline void vq_start(struct virtq *vq, struct drv *d, u16 size, u64 features)
{
	struct virtq_mem mem = {fake_gpa, NULL};

	memset(ram, 0, 0x40000);
	broken_calls = 0;
	d->size = size;
	d->avail_idx = 0;
	virtq_init(vq, &mem, count_broken, NULL);
	ASSERT_EQ(virtq_setup(vq, size, 256, DESC_GPA, AVAIL_GPA, USED_GPA, features), 0);
}

/* Pop expecting refusal: -EIO, broken once, reason containing `why`. */
#define EXPECT_REFUSED(vq, chain, why)                                                             \
	do {                                                                                       \
		EXPECT_EQ(virtq_pop(vq, chain), -EIO);                                             \
		EXPECT_TRUE((vq)->broken);                                                         \
		EXPECT_EQ(broken_calls, 1);                                                        \
		if (!strstr((vq)->error, why))                                                     \
			test_fail_at(__FILE__, __LINE__, "error \"%s\" lacks \"%s\"", (vq)->error, \
				     why);                                                         \
	} while (0)

#define CHAIN(name, n)                                                                             \
	struct virtq_buf name##_buf[n];                                                            \
	struct virtq_chain name = {.buf = name##_buf, .max = n}

#endif
