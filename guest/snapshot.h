/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-requested snapshots. The payload writes a tag and a newline into
 * the FIFO SNAPSHOT_FIFO; init (which owns the channel) sends
 * SNAPSHOT_REQUEST {id, tag}, the host freezes every vCPU, writes a dump
 * (core/debug/dump.h, the tag sanitised into its file name) and answers
 * SNAPSHOT_REPLY {id, status}; init waits for it at most SNAPSHOT_WAIT_MS
 * and appends "ID STATUS" (status 0: dumped, else -errno) to
 * SNAPSHOT_STATUS, the request's id being its number from 1. So a shell
 * payload does
 *
 *   echo before-exit > /run/ktvm/snapshot
 *   until grep -q '^1 ' /run/ktvm/snapshot.status; do sleep 0.01; done
 */
#ifndef KTVM_GUEST_SNAPSHOT_H
#define KTVM_GUEST_SNAPSHOT_H

#include <stddef.h>

#include "core/base/types.h"
#include "guest/chan.h"

#define SNAPSHOT_DIR	 "/run/ktvm"
#define SNAPSHOT_FIFO	 SNAPSHOT_DIR "/snapshot"
#define SNAPSHOT_STATUS	 SNAPSHOT_DIR "/snapshot.status"
#define SNAPSHOT_WAIT_MS 30000

/*
 * Ask the host for a snapshot: the host's status (0: dumped, <0: its
 * -errno), or -ETIMEDOUT (no reply with this id within timeout_ms), or the
 * port's -errno. Replies to other ids are skipped. tag is cut at
 * WIRE_SNAPSHOT_TAG_MAX bytes.
 */
int snapshot_request(struct chan *ch, u32 id, const char *tag, size_t len, int timeout_ms);
/*
 * Make the FIFO at path (its directory too) and open it for reading,
 * non-blocking; *keep gets a write end init holds so that a payload closing
 * its end does not make the FIFO report EOF forever. The read fd or -errno.
 */
int snapshot_fifo_open(const char *path, int *keep);

#endif
