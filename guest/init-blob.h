/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktvm-init (guest/init.c), built static for the guest's arch and embedded
 * in the ktvm binary by init-blob.S, so that ktvm can pack it as /init
 * without looking for a file next to itself.
 */
#ifndef KTVM_GUEST_INIT_BLOB_H
#define KTVM_GUEST_INIT_BLOB_H

extern const unsigned char ktvm_init_blob[];
extern const unsigned long ktvm_init_blob_size;

#endif
