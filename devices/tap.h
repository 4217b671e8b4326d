/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host TAP interfaces for `--net tap[:IFNAME]` (virtio-net's TAP backend,
 * devices/virtio/net.h). Creating one needs CAP_NET_ADMIN; a persistent TAP
 * the user owns (ip tuntap add mode tap user U) is attached to without it.
 *
 * The TAP carries a 12-byte virtio_net_hdr before each frame in both
 * directions (IFF_VNET_HDR, TUNSETVNETHDRSZ 12: the layout virtio 1.2
 * 5.1.6 gives with VERSION_1), and has every offload off (TUNSETOFFLOAD 0),
 * so the kernel never hands us GSO frames or partial checksums. A TAP
 * tap_open() creates is not persistent: it goes away with its last fd.
 */
#ifndef KTVM_DEVICES_TAP_H
#define KTVM_DEVICES_TAP_H

/* The vnet header size set on every TAP we open. */
#define TAP_VNET_HDR_LEN 12

/*
 * Create a TAP named ifname (NULL or "": the kernel picks ktvm0, ktvm1,
 * ...); its name goes to name_out (IFNAMSIZ bytes) and an O_RDWR |
 * O_NONBLOCK | O_CLOEXEC fd to *fd_out. Returns 0, or -errno with the
 * message set (core/base/error.h).
 */
int tap_open(const char *ifname, char *name_out, int *fd_out);
/*
 * Give the host side of TAP `name` the IPv4 address and netmask of cidr
 * ("10.0.2.1/24") and bring the link up. Returns 0, or -errno with the
 * message set.
 */
int tap_set_addr(const char *name, const char *cidr);
/*
 * Set the MTU of TAP `name` to the guest's (--net ...,mtu=N), so the host
 * sends it no frame larger than it takes. Returns 0, or -errno with the
 * message set.
 */
int tap_set_mtu(const char *name, unsigned int mtu);

#endif
