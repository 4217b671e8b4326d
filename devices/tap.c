// SPDX-License-Identifier: GPL-2.0
/*
 * Host TAP interfaces (tap.h), through /dev/net/tun (Linux
 * Documentation/networking/tuntap.rst) and the classic interface ioctls on
 * an AF_INET socket.
 *
 * TUNSETIFF attaches to a TAP that already exists under the name (a
 * persistent one, made with ip tuntap add mode tap user U) instead of
 * creating one: that is how a user without CAP_NET_ADMIN gets a TAP. Ours
 * are not persistent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/types.h"
#include "devices/tap.h"

/* What an errno from the tun driver or an interface ioctl most likely means here. */
static const char *tap_hint(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return " (needs CAP_NET_ADMIN)";
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return " (no TUN/TAP support: is the tun module loaded?)";
	case EBUSY:
		return " (the interface is in use)";
	}
	return "";
}

/*
 * "tap NAME: WHAT: reason (hint)", -err. Missing rights, a name in use or
 * not a TAP's are the user's to fix (ERROR_INPUT); the rest is the host's.
 */
static int tap_error(const char *name, const char *what, int err)
{
	enum error_kind kind = err == EPERM || err == EACCES || err == EBUSY || err == EINVAL
				   ? ERROR_INPUT
				   : ERROR_HOST;

	return error_set(kind, -err, "tap%s%s: %s: %s%s", name && *name ? " " : "",
			 name ? name : "", what, strerror(err), tap_hint(err));
}

int tap_open(const char *ifname, char *name_out, int *fd_out)
{
	struct ifreq ifr;
	int fd, err, hdr = TAP_VNET_HDR_LEN;

	*fd_out = -1;
	if (!ifname)
		ifname = "";
	if (strlen(ifname) >= IFNAMSIZ)
		return error_input(-EINVAL, "tap %s: interface name longer than %d bytes", ifname,
				   IFNAMSIZ - 1);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return tap_error(ifname, "/dev/net/tun", errno);
	memset(&ifr, 0, sizeof(ifr));
	/* The kernel replaces %d with the first free number. */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", *ifname ? ifname : "ktvm%d");
	/* Ethernet frames, no packet-information prefix, a virtio_net_hdr on each. */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = errno;
		close(fd);
		if (err == EINVAL)
			return error_input(-err,
					   "tap%s%s: TUNSETIFF: %s (not a valid interface name, or "
					   "one of a device that is not a TAP)",
					   *ifname ? " " : "", ifname, strerror(err));
		return tap_error(ifname, "TUNSETIFF", err);
	}
	/* The default is 10 bytes, the header without num_buffers: we use VERSION_1's 12. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		err = errno;
		close(fd);
		return tap_error(ifr.ifr_name, "TUNSETVNETHDRSZ", err);
	}
	/* No checksum or segmentation offload towards us: the device offers the guest none. */
	if (ioctl(fd, TUNSETOFFLOAD, 0UL) < 0) {
		err = errno;
		close(fd);
		return tap_error(ifr.ifr_name, "TUNSETOFFLOAD", err);
	}
	memcpy(name_out, ifr.ifr_name, IFNAMSIZ);
	name_out[IFNAMSIZ - 1] = '\0';
	*fd_out = fd;
	return 0;
}

/* "A.B.C.D/N" into an address and a netmask, network byte order. */
static int tap_parse_cidr(const char *name, const char *cidr, struct in_addr *addr,
			  struct in_addr *mask)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	unsigned long prefix;

	if (strlen(cidr) >= sizeof(buf))
		goto bad;
	memcpy(buf, cidr, strlen(cidr) + 1);
	slash = strchr(buf, '/');
	if (!slash || !slash[1] || slash[1] == '-' || slash[1] == '+')
		goto bad;
	*slash = '\0';
	prefix = strtoul(slash + 1, &end, 10);
	if (*end || prefix > 32 || inet_pton(AF_INET, buf, addr) != 1)
		goto bad;
	mask->s_addr = htonl(prefix ? ~0u << (32 - prefix) : 0);
	return 0;
bad:
	return error_input(-EINVAL, "tap %s: address '%s': not A.B.C.D/N with N 0..32", name, cidr);
}

static void tap_sockaddr(struct sockaddr *sa, struct in_addr a)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = a};

	memcpy(sa, &sin, sizeof(sin));
}

/* An ifreq naming the interface, and a socket to send it with (close it), or -errno. */
static int tap_ifreq(const char *name, struct ifreq *ifr)
{
	int s;

	if (strlen(name) >= IFNAMSIZ)
		return error_input(-EINVAL, "tap %s: interface name longer than %d bytes", name,
				   IFNAMSIZ - 1);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return tap_error(name, "AF_INET socket", errno);
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, name, strlen(name) + 1);
	return s;
}

int tap_set_addr(const char *name, const char *cidr)
{
	struct in_addr addr = {0}, mask = {0};
	struct ifreq ifr;
	int s, ret = 0;

	ret = tap_parse_cidr(name, cidr, &addr, &mask);
	if (ret)
		return ret;
	s = tap_ifreq(name, &ifr);
	if (s < 0)
		return s;
	/* The address first: setting it resets the netmask to its class default. */
	tap_sockaddr(&ifr.ifr_addr, addr);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0) {
		ret = tap_error(name, "SIOCSIFADDR", errno);
		goto out;
	}
	tap_sockaddr(&ifr.ifr_netmask, mask);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) {
		ret = tap_error(name, "SIOCSIFNETMASK", errno);
		goto out;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		ret = tap_error(name, "SIOCGIFFLAGS", errno);
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		ret = tap_error(name, "SIOCSIFFLAGS", errno);
out:
	close(s);
	return ret;
}

int tap_set_mtu(const char *name, unsigned int mtu)
{
	struct ifreq ifr;
	int s, ret = 0;

	s = tap_ifreq(name, &ifr);
	if (s < 0)
		return s;
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		ret = tap_error(name, "SIOCSIFMTU", errno);
	close(s);
	return ret;
}
