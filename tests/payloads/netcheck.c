// SPDX-License-Identifier: GPL-2.0
/*
 * netcheck CMD ARGS...: exercises the guest's network interface (virtio-net)
 * from inside the guest and prints one line per result, for the integration
 * tests to parse:
 *
 *   netcheck info                        netcheck info ifname=X mac=XX:XX:XX:XX:XX:XX mtu=N
 *   netcheck loop N                      netcheck loop sent=N received=M ifname=X ms=T
 *   netcheck ping ADDR/PREFIX HOST N     netcheck ping sent=S replies=M
 *
 * The interface is the first (by name) in /sys/class/net that has a device
 * behind it (a "device" link), else the first that is not lo.
 *
 * loop: for a host device in loopback mode, which hands every frame the guest
 * sends back to it. Brings the interface up (no address), then sends N
 * Ethernet + IPv4 + UDP frames on an AF_PACKET socket, from the interface's
 * MAC to 02:00:00:00:00:02 (not ours: the kernel sees the looped frames as
 * PACKET_OTHERHOST and its IP stack leaves them alone), each carrying
 * "ktvm-netcheck", its sequence number and a fill derived from it, its length
 * varying with the sequence number between 60 and 1514 bytes (the MTU
 * permitting). Sent in bursts of 32, each burst's echo received before the
 * next, so the receive queue does not overflow. A frame counts as received
 * once per sequence number, if it came in (not PACKET_OUTGOING) whole and
 * unchanged. The whole exchange gets 10 s plus 2 ms a frame; ms= is how long
 * it took. Exit 0 iff M == N.
 *
 * ping: assigns ADDR/PREFIX to the interface, brings it up and sends ICMP
 * echo requests to HOST, one per 200 ms, until N replies came back (each
 * echoing its request's data) or 10 s passed; S counts the requests sent.
 * N is at most 40 (8 s of requests). Exit 0 iff M == N.
 *
 * Errors go to stderr, naming the interface; exit 1 on failure, 2 on bad
 * usage.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC		  "ktvm-netcheck"
#define MAGIC_LEN	  (sizeof(MAGIC) - 1)
#define TIMEOUT_MS	  10000
#define LOOP_MS_PER_FRAME 2 /* loop's time limit: TIMEOUT_MS plus this per frame */
#define LINK_WAIT_MS	  5000
#define LOOP_BURST	  32
#define LOOP_QUIET_MS	  1000 /* a burst's echo is given up after this long without a frame */
#define LOOP_MAX	  1000000
#define PING_EVERY_MS	  200
#define PING_MAX	  40
#define PING_DATA	  56

/* Frame layout (IEEE 802.3 Ethernet II, RFC 791 IPv4, RFC 768 UDP). */
#define ETH_HDR	  14
#define IP_HDR	  20
#define UDP_HDR	  8
#define PAYLOAD	  (ETH_HDR + IP_HDR + UDP_HDR)
#define FRAME_MIN 60
#define FRAME_MAX 1514

static const unsigned char loop_dst[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x02};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_num(const char *what, const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 0);
	if (errno || end == s || *end || *out < min || *out > max) {
		fprintf(stderr, "netcheck: %s '%s': not a number in %ld-%ld\n", what, s, min, max);
		return -1;
	}
	return 0;
}

static int sys_read(const char *ifname, const char *attr, char *buf, size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

/* The interface netcheck works on (see the top), into name[IFNAMSIZ]. */
static int net_ifname(char *name)
{
	DIR *d = opendir("/sys/class/net");
	char best[IFNAMSIZ] = "";
	int best_dev = 0;
	struct dirent *de;

	if (!d) {
		fprintf(stderr, "netcheck: /sys/class/net: %s\n", strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char path[300];
		struct stat st;
		int dev;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "lo") ||
		    strlen(de->d_name) >= IFNAMSIZ)
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/device", de->d_name);
		dev = !stat(path, &st);
		if (!best[0] || dev > best_dev ||
		    (dev == best_dev && strcmp(de->d_name, best) < 0)) {
			strcpy(best, de->d_name);
			best_dev = dev;
		}
	}
	closedir(d);
	if (!best[0]) {
		fprintf(stderr, "netcheck: no network interface but lo in /sys/class/net\n");
		return -1;
	}
	strcpy(name, best);
	return 0;
}

static int net_ioctl(int sock, const char *ifname, unsigned long req, const char *what,
		     struct ifreq *ifr)
{
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(sock, req, ifr)) {
		fprintf(stderr, "netcheck: %s: %s: %s\n", ifname, what, strerror(errno));
		return -1;
	}
	return 0;
}

static int net_hwaddr(int sock, const char *ifname, unsigned char *mac)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (net_ioctl(sock, ifname, SIOCGIFHWADDR, "SIOCGIFHWADDR", &ifr))
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

static int net_mtu(int sock, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (net_ioctl(sock, ifname, SIOCGIFMTU, "SIOCGIFMTU", &ifr))
		return -1;
	return ifr.ifr_mtu;
}

/*
 * Sets IFF_UP and waits for the link: operstate "up", or "unknown" for a
 * device that reports no link state (virtio-net without VIRTIO_NET_F_STATUS:
 * its carrier is on from the start).
 */
static int net_up(int sock, const char *ifname)
{
	long long end = now_ms() + LINK_WAIT_MS;
	char state[32] = "?";
	struct ifreq ifr;
	int waited = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (net_ioctl(sock, ifname, SIOCGIFFLAGS, "SIOCGIFFLAGS", &ifr))
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (net_ioctl(sock, ifname, SIOCSIFFLAGS, "SIOCSIFFLAGS IFF_UP", &ifr))
		return -1;
	while (now_ms() < end) {
		if (!sys_read(ifname, "operstate", state, sizeof(state)) &&
		    (!strcmp(state, "up") || !strcmp(state, "unknown"))) {
			/* linkwatch sets operstate just before it starts the tx queue */
			if (waited)
				usleep(100 * 1000);
			return 0;
		}
		waited = 1;
		usleep(10 * 1000);
	}
	fprintf(stderr, "netcheck: %s: link not up after %d ms (operstate %s)\n", ifname,
		LINK_WAIT_MS, state);
	return -1;
}

/* RFC 1071 Internet checksum of len bytes. */
static uint16_t inet_csum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t loop_frame_len(uint32_t seq, size_t max)
{
	return FRAME_MIN + (seq * 211u) % (max - FRAME_MIN + 1);
}

/* Frame seq, from src: Ethernet, IPv4 192.0.2.1 -> 192.0.2.2, UDP 40000 -> 40001. */
static void loop_frame(unsigned char *f, size_t len, const unsigned char *src, uint32_t seq)
{
	unsigned char *ip = f + ETH_HDR, *udp = ip + IP_HDR, *pl = f + PAYLOAD;

	memset(f, 0, len);
	memcpy(f, loop_dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	put16(f + 12, ETH_P_IP);
	ip[0] = 0x45; /* version 4, 5 words of header */
	put16(ip + 2, (uint16_t)(len - ETH_HDR));
	put16(ip + 4, (uint16_t)seq);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put32(ip + 12, 0xc0000201);
	put32(ip + 16, 0xc0000202);
	put16(ip + 10, inet_csum(ip, IP_HDR));
	put16(udp, 40000);
	put16(udp + 2, 40001);
	put16(udp + 4, (uint16_t)(len - ETH_HDR - IP_HDR));
	/* udp + 6: checksum 0, "none computed" for UDP over IPv4 (RFC 768) */
	memcpy(pl, MAGIC, MAGIC_LEN);
	put32(pl + MAGIC_LEN, seq);
	for (size_t i = PAYLOAD + MAGIC_LEN + 4; i < len; i++)
		f[i] = (unsigned char)(seq * 31 + i);
}

/* The sequence number of a frame of ours that came back intact, else -1. */
static long loop_check(const unsigned char *f, size_t len, const unsigned char *src, long n,
		       size_t max)
{
	static unsigned char want[FRAME_MAX];
	uint32_t seq;

	if (len < PAYLOAD + MAGIC_LEN + 4 || memcmp(f + PAYLOAD, MAGIC, MAGIC_LEN))
		return -1;
	seq = get32(f + PAYLOAD + MAGIC_LEN);
	if (seq >= (uint32_t)n) {
		fprintf(stderr, "netcheck: looped frame with sequence number %u of %ld\n", seq, n);
		return -1;
	}
	if (len != loop_frame_len(seq, max)) {
		fprintf(stderr, "netcheck: looped frame %u: %zu bytes, sent %zu\n", seq, len,
			loop_frame_len(seq, max));
		return -1;
	}
	loop_frame(want, len, src, seq);
	if (memcmp(f, want, len)) {
		size_t at = 0;

		while (f[at] == want[at])
			at++;
		fprintf(stderr, "netcheck: looped frame %u: byte %zu is 0x%02x, sent 0x%02x\n", seq,
			at, f[at], want[at]);
		return -1;
	}
	return seq;
}

/* Frames until received reaches target, LOOP_QUIET_MS passes quietly, or end. */
static int loop_receive(int ps, const unsigned char *mac, long n, size_t max, unsigned char *seen,
			long *received, long target, long long end)
{
	static unsigned char f[65536];
	long long quiet = now_ms() + LOOP_QUIET_MS;

	while (*received < target) {
		long long now = now_ms(), until = quiet < end ? quiet : end;
		struct pollfd pfd = {.fd = ps, .events = POLLIN};
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t len;
		long seq;

		if (now >= until)
			break;
		if (poll(&pfd, 1, (int)(until - now)) < 0 && errno != EINTR) {
			perror("netcheck: poll");
			return -1;
		}
		len = recvfrom(ps, f, sizeof(f), MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&sll,
			       &sl);
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len < 0) {
			perror("netcheck: recvfrom");
			return -1;
		}
		if (sll.sll_pkttype == PACKET_OUTGOING || (size_t)len > sizeof(f))
			continue;
		seq = loop_check(f, (size_t)len, mac, n, max);
		if (seq < 0)
			continue;
		quiet = now_ms() + LOOP_QUIET_MS;
		if (seen[seq]) {
			fprintf(stderr, "netcheck: looped frame %ld came back again\n", seq);
			continue;
		}
		seen[seq] = 1;
		(*received)++;
	}
	return 0;
}

static int loop_send(int ps, const unsigned char *f, size_t len)
{
	for (int tries = 0; tries < 1000; tries++) {
		if (send(ps, f, len, 0) == (ssize_t)len)
			return 0;
		if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			break;
		usleep(1000);
	}
	perror("netcheck: send");
	return -1;
}

static int netcheck_loop(const char *ifname, long n)
{
	static unsigned char f[FRAME_MAX];
	unsigned char mac[ETH_ALEN], *seen = calloc((size_t)n, 1);
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ps, mtu, one = 1;
	int rcvbuf = 4 << 20;
	long sent = 0, received = 0;
	long long end, t0;
	size_t max;
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET,
	    .sll_protocol = htons(ETH_P_ALL),
	};

	if (!seen || sock < 0) {
		perror("netcheck: socket");
		return 1;
	}
	if (net_hwaddr(sock, ifname, mac) || (mtu = net_mtu(sock, ifname)) < 0)
		return 1;
	if (mtu < FRAME_MIN) {
		fprintf(stderr, "netcheck: %s: MTU %d is too small for the frames\n", ifname, mtu);
		return 1;
	}
	max = (size_t)mtu + ETH_HDR < FRAME_MAX ? (size_t)mtu + ETH_HDR : FRAME_MAX;
	if (net_up(sock, ifname))
		return 1;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (ps < 0 || bind(ps, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "netcheck: %s: AF_PACKET socket: %s\n", ifname, strerror(errno));
		return 1;
	}
	/* best effort: our own frames need not be queued to us, room for a burst */
	setsockopt(ps, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	if (setsockopt(ps, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(ps, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));

	t0 = now_ms();
	end = t0 + TIMEOUT_MS + LOOP_MS_PER_FRAME * n;
	while (sent < n && now_ms() < end) {
		long burst = n - sent < LOOP_BURST ? n - sent : LOOP_BURST,
		     target = received + burst;

		for (long i = 0; i < burst; i++, sent++) {
			size_t len = loop_frame_len((uint32_t)sent, max);

			loop_frame(f, len, mac, (uint32_t)sent);
			if (loop_send(ps, f, len))
				return 1;
		}
		if (loop_receive(ps, mac, n, max, seen, &received, target, end))
			return 1;
	}
	/* frames of earlier bursts that came late */
	if (received < n && loop_receive(ps, mac, n, max, seen, &received, n, end))
		return 1;
	printf("netcheck loop sent=%ld received=%ld ifname=%s ms=%lld\n", sent, received, ifname,
	       now_ms() - t0);
	if (received != n)
		fprintf(stderr, "netcheck: %s: %ld of %ld frames came back within %ld ms\n", ifname,
			received, n, (long)TIMEOUT_MS + LOOP_MS_PER_FRAME * n);
	return received == n ? 0 : 1;
}

static int parse_prefix(const char *s, struct in_addr *addr, struct in_addr *mask)
{
	char buf[INET_ADDRSTRLEN + 4], *slash;
	long prefix;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash || strlen(s) >= sizeof(buf)) {
		fprintf(stderr, "netcheck: '%s': not ADDR/PREFIX\n", s);
		return -1;
	}
	*slash = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1) {
		fprintf(stderr, "netcheck: '%s': not an IPv4 address\n", buf);
		return -1;
	}
	if (parse_num("PREFIX", slash + 1, 0, 32, &prefix))
		return -1;
	mask->s_addr = htonl(prefix ? 0xffffffffu << (32 - prefix) : 0);
	return 0;
}

static int ping_set_addr(int sock, const char *ifname, unsigned long req, const char *what,
			 struct in_addr a)
{
	struct ifreq ifr;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = a};

	memset(&ifr, 0, sizeof(ifr));
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	return net_ioctl(sock, ifname, req, what, &ifr);
}

/* RFC 792 echo request: type 8, code 0, checksum, identifier, sequence, data. */
static void ping_request(unsigned char *p, uint16_t id, uint16_t seq)
{
	memset(p, 0, 8);
	p[0] = 8;
	put16(p + 4, id);
	put16(p + 6, seq);
	memcpy(p + 8, MAGIC, MAGIC_LEN);
	for (size_t i = 8 + MAGIC_LEN; i < 8 + PING_DATA; i++)
		p[i] = (unsigned char)(seq + i);
	put16(p + 2, inet_csum(p, 8 + PING_DATA));
}

/* The sequence number of an echo reply to one of our requests, else -1. */
static long ping_check(const unsigned char *p, size_t len, struct in_addr host, uint16_t id,
		       long sent)
{
	unsigned char want[8 + PING_DATA];
	size_t ihl;
	uint16_t seq;

	/* a raw IPPROTO_ICMP socket reads the IPv4 header too */
	if (len < IP_HDR || (p[0] >> 4) != 4)
		return -1;
	ihl = (size_t)(p[0] & 0xf) * 4;
	if (ihl < IP_HDR || len < ihl + 8 || memcmp(p + 12, &host, 4))
		return -1;
	p += ihl;
	len -= ihl;
	if (p[0] != 0 || p[1] != 0 || ((uint16_t)(p[4] << 8 | p[5])) != id)
		return -1;
	seq = (uint16_t)(p[6] << 8 | p[7]);
	if (seq >= sent)
		return -1;
	ping_request(want, id, seq);
	if (len != sizeof(want) || memcmp(p + 8, want + 8, PING_DATA) || inet_csum(p, len)) {
		fprintf(stderr, "netcheck: echo reply %u: %zu bytes, not the request's data\n", seq,
			len);
		return -1;
	}
	return seq;
}

static int netcheck_ping(const char *ifname, const char *cidr, const char *hoststr, long n)
{
	unsigned char req[8 + PING_DATA], buf[65536], seen[TIMEOUT_MS / PING_EVERY_MS + 1] = {0};
	uint16_t id = (uint16_t)getpid();
	struct in_addr addr, mask, host;
	struct sockaddr_in to = {.sin_family = AF_INET};
	long sent = 0, replies = 0, send_errors = 0;
	long long end, next;
	int sock, rs;

	if (parse_prefix(cidr, &addr, &mask))
		return 2;
	if (inet_pton(AF_INET, hoststr, &host) != 1) {
		fprintf(stderr, "netcheck: '%s': not an IPv4 address\n", hoststr);
		return 2;
	}
	to.sin_addr = host;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		perror("netcheck: socket");
		return 1;
	}
	if (ping_set_addr(sock, ifname, SIOCSIFADDR, "SIOCSIFADDR", addr) ||
	    ping_set_addr(sock, ifname, SIOCSIFNETMASK, "SIOCSIFNETMASK", mask) ||
	    net_up(sock, ifname))
		return 1;
	rs = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (rs < 0) {
		perror("netcheck: raw ICMP socket");
		return 1;
	}

	end = now_ms() + TIMEOUT_MS;
	next = now_ms();
	while (replies < n) {
		long long now = now_ms(), until = next < end ? next : end;
		struct pollfd pfd = {.fd = rs, .events = POLLIN};
		ssize_t len;
		long seq;

		if (now >= end)
			break;
		if (now >= next) {
			next = now + PING_EVERY_MS;
			if (sent >= (long)sizeof(seen))
				continue;
			ping_request(req, id, (uint16_t)sent);
			if (sendto(rs, req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)) <
			    0) {
				int err = errno;

				/* EHOSTUNREACH (no ARP answer yet) may pass; no route will not */
				if (!send_errors++ || err == ENETUNREACH)
					fprintf(stderr,
						"netcheck: %s: echo request %ld to %s: %s\n",
						ifname, sent, hoststr, strerror(err));
				if (err == ENETUNREACH)
					break;
			}
			sent++;
			continue;
		}
		if (poll(&pfd, 1, until > now ? (int)(until - now) : 0) < 0 && errno != EINTR) {
			perror("netcheck: poll");
			return 1;
		}
		len = recv(rs, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len < 0) {
			perror("netcheck: recv");
			return 1;
		}
		seq = ping_check(buf, (size_t)len, host, id, sent);
		if (seq >= 0 && !seen[seq]) {
			seen[seq] = 1;
			replies++;
		}
	}
	printf("netcheck ping sent=%ld replies=%ld\n", sent, replies);
	if (replies != n)
		fprintf(stderr, "netcheck: %s: %ld of %ld echo replies from %s within %d ms\n",
			ifname, replies, n, hoststr, TIMEOUT_MS);
	return replies == n ? 0 : 1;
}

static int netcheck_info(const char *ifname)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu;
	unsigned char m[ETH_ALEN];

	if (sock < 0) {
		perror("netcheck: socket");
		return 1;
	}
	if (net_hwaddr(sock, ifname, m) || (mtu = net_mtu(sock, ifname)) < 0)
		return 1;
	printf("netcheck info ifname=%s mac=%02x:%02x:%02x:%02x:%02x:%02x mtu=%d\n", ifname, m[0],
	       m[1], m[2], m[3], m[4], m[5], mtu);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: netcheck info\n"
			"       netcheck loop N\n"
			"       netcheck ping ADDR/PREFIX HOSTADDR N\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	char ifname[IFNAMSIZ];
	long n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "info") && argc == 2)
		return net_ifname(ifname) ? 1 : netcheck_info(ifname);
	if (!strcmp(cmd, "loop") && argc == 3) {
		if (parse_num("N", argv[2], 1, LOOP_MAX, &n))
			return 2;
		return net_ifname(ifname) ? 1 : netcheck_loop(ifname, n);
	}
	if (!strcmp(cmd, "ping") && argc == 5) {
		if (parse_num("N", argv[4], 1, PING_MAX, &n))
			return 2;
		return net_ifname(ifname) ? 1 : netcheck_ping(ifname, argv[2], argv[3], n);
	}
	return usage();
}
