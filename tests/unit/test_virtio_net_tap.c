// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net's TAP backend (devices/virtio/net*.c) and host TAPs
 * (devices/tap.c): the backend over a SOCK_SEQPACKET pair standing in for
 * the TAP (a packet per frame, with its 12-byte header), and, as root, a
 * real TAP in a network namespace of the test's own. Driven through the
 * bus region by the fake Linux driver of virtio_net_fake.h.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/tap.h"
#include "tests/unit/virtio_net_fake.h"

/* The TAP backend, with a SOCK_SEQPACKET pair standing in for the TAP: a packet per frame. */

static int tap_sv[2];

static void tap_up(u64 features, bool csum)
{
	struct virtio_net_config cfg = fake_cfg(0, csum);

	ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, tap_sv), 0);
	ASSERT_EQ(fcntl(tap_sv[0], F_SETFL, O_NONBLOCK), 0);
	cfg.mode = VIRTIO_NET_TAP;
	cfg.tap_fd = tap_sv[0];
	ASSERT_EQ(fake_create_cfg(&fk, &cfg), 0);
	if (features)
		ASSERT_TRUE(fake_init(&fk, features));
}

static void tap_down(void)
{
	fake_destroy(&fk);
	close(tap_sv[0]);
	close(tap_sv[1]);
}

/* What the device wrote to the TAP: one packet, or -1. */
static ssize_t tap_take(u8 *buf, size_t size)
{
	return recv(tap_sv[1], buf, size, MSG_DONTWAIT);
}

/* The host sends a frame into the TAP: header with num_buffers set to junk, then the frame. */
static bool tap_give(u8 flags, u8 gso, const u8 *frame, u32 len)
{
	static u8 pkt[HDR + 2048];

	make_hdr(pkt, flags, gso, 0, 0);
	pkt[10] = 0x77;
	pkt[11] = 0x77;
	memcpy(pkt + HDR, frame, len);
	return send(tap_sv[1], pkt, HDR + len, MSG_DONTWAIT) == (ssize_t)(HDR + len);
}

TEST(tap_transmit_one_write_per_frame)
{
	u8 f1[60], f2[1514], buf[4096], hdr[HDR], udp[128];
	struct virtio_net_stats s;
	u16 pseudo, head;
	u32 len, ulen;

	tap_up(F_NET, false);
	make_frame(f1, sizeof(f1), 16);
	make_frame(f2, sizeof(f2), 17);
	ASSERT_TRUE(send_frame(&fk, f1, sizeof(f1)));
	ASSERT_TRUE(send_frame(&fk, f2, sizeof(f2)));
	ASSERT_EQ(tap_take(buf, sizeof(buf)), HDR + sizeof(f1));
	EXPECT_EQ(memcmp(buf, "\0\0\0\0\0\0\0\0\0\0\0\0", HDR), 0); /* num_buffers 0 too */
	EXPECT_EQ(memcmp(buf + HDR, f1, sizeof(f1)), 0);
	ASSERT_EQ(tap_take(buf, sizeof(buf)), HDR + sizeof(f2));
	EXPECT_EQ(memcmp(buf + HDR, f2, sizeof(f2)), 0);
	EXPECT_EQ(tap_take(buf, sizeof(buf)), -1);
	/* Without CSUM offered the TAP gets complete checksums only. */
	ulen = make_udp(udp, &pseudo);
	make_hdr(hdr, NEEDS_CSUM, 0, 34, 6);
	ASSERT_TRUE(send_pkt(&fk, hdr, udp, ulen));
	ASSERT_EQ(tap_take(buf, sizeof(buf)), HDR + ulen);
	EXPECT_EQ(buf[0], 0);
	EXPECT_EQ(buf[HDR + 40] << 8 | buf[HDR + 41], ref_udp_csum(udp + 14, udp + 34, ulen - 34));
	s = stats(&fk);
	EXPECT_EQ(s.tx_frames, 3);
	EXPECT_EQ(s.tx_bytes, sizeof(f1) + sizeof(f2) + ulen);
	EXPECT_EQ(s.csum_fixed, 1);
	/* Nothing loops back. */
	EXPECT_EQ(s.rx_pending, 0);
	EXPECT_FALSE(used_next(&fk, RXQ, &head, &len));
	tap_down();
}

TEST(tap_transmit_keeps_partial_csum_when_offered)
{
	u8 buf[4096], hdr[HDR], udp[128];
	u16 pseudo;
	u32 ulen;

	tap_up(F_NET | F_CSUM, true);
	ulen = make_udp(udp, &pseudo);
	make_hdr(hdr, NEEDS_CSUM, 0, 34, 6);
	ASSERT_TRUE(send_pkt(&fk, hdr, udp, ulen));
	ASSERT_EQ(tap_take(buf, sizeof(buf)), HDR + ulen);
	EXPECT_EQ(buf[0], NEEDS_CSUM);
	EXPECT_EQ(hdr16(buf, 6), 34);
	EXPECT_EQ(hdr16(buf, 8), 6);
	EXPECT_EQ(memcmp(buf + HDR, udp, ulen), 0);
	EXPECT_EQ(stats(&fk).csum_fixed, 0);
	tap_down();
}

TEST(tap_transmit_full_counts_dropped)
{
	u8 frame[1514];
	struct virtio_net_stats s;
	u32 i;

	tap_up(F_NET, false);
	make_frame(frame, sizeof(frame), 18);
	/* Nobody reads the far end: its buffer fills and frames are dropped, never waited for. */
	for (i = 0; i < 1000; i++)
		ASSERT_TRUE(send_frame(&fk, frame, sizeof(frame)));
	s = stats(&fk);
	EXPECT_GT(s.tx_frames, 0);
	EXPECT_GT(s.tx_dropped, 0);
	EXPECT_EQ(s.tx_frames + s.tx_dropped, 1000);
	EXPECT_EQ(s.bad_chains, 0);
	tap_down();
}

TEST(tap_receive_sets_num_buffers)
{
	u8 f1[100], f2[60];
	struct virtio_net_stats s;
	const u8 *b;
	u32 len;

	tap_up(F_NET, false);
	make_frame(f1, sizeof(f1), 19);
	make_frame(f2, sizeof(f2), 20);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	/* DATA_VALID goes only with GUEST_CSUM; num_buffers is ours to set. */
	ASSERT_TRUE(tap_give(DATA_VALID, 0, f1, sizeof(f1)));
	/* Dropped: a GSO frame, and one shorter than an Ethernet header. */
	ASSERT_TRUE(tap_give(0, 1, f2, sizeof(f2)));
	ASSERT_TRUE(tap_give(0, 0, f2, 10));
	ASSERT_TRUE(tap_give(0, 0, f2, sizeof(f2)));
	virtio_net_tap_readable(fk.n);
	b = rx_next(&len);
	ASSERT_TRUE(b != NULL);
	EXPECT_EQ(len, HDR + sizeof(f1));
	EXPECT_EQ(b[0], 0);
	EXPECT_EQ(hdr16(b, 10), 1);
	EXPECT_EQ(memcmp(b + HDR, f1, sizeof(f1)), 0);
	EXPECT_RX_FRAME(f2, sizeof(f2));
	s = stats(&fk);
	EXPECT_EQ(s.rx_frames, 2);
	EXPECT_EQ(s.rx_bytes, sizeof(f1) + sizeof(f2));
	EXPECT_EQ(s.rx_dropped, 2);
	EXPECT_EQ(s.tx_frames, 0);
	tap_down();

	/* With GUEST_CSUM DATA_VALID stays. */
	tap_up(F_NET | F_GUEST_CSUM, true);
	ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	ASSERT_TRUE(tap_give(DATA_VALID, 0, f1, sizeof(f1)));
	virtio_net_tap_readable(fk.n);
	b = rx_next(&len);
	ASSERT_TRUE(b != NULL);
	EXPECT_EQ(b[0], DATA_VALID);
	tap_down();
}

TEST(tap_receive_drops_when_guest_does_not_read)
{
	u8 frame[60], buf[64];
	struct virtio_net_stats s;
	u32 i, sent = 0, rounds, lens[QSIZE];
	static u8 got[QSIZE * SLOT];

	tap_up(0, false);
	make_frame(frame, sizeof(frame), 0);
	/* Before the driver is up nobody can take frames: read and dropped. */
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(tap_give(0, 0, frame, sizeof(frame)));
	virtio_net_tap_readable(fk.n);
	EXPECT_EQ(stats(&fk).rx_dropped, 3);
	EXPECT_EQ(recv(tap_sv[0], buf, sizeof(buf), MSG_DONTWAIT), -1);
	ASSERT_TRUE(fake_init(&fk, F_NET));
	/* One call takes at most a burst. */
	for (i = 0; i < 100; i++) {
		make_frame(frame, sizeof(frame), sent);
		ASSERT_TRUE(tap_give(0, 0, frame, sizeof(frame)));
		sent++;
	}
	virtio_net_tap_readable(fk.n);
	EXPECT_EQ(stats(&fk).rx_pending, VIRTIO_NET_TAP_BURST);
	/* A guest that never posts buffers: the TAP is still emptied, frames past the bound dropped. */
	for (rounds = 0; rounds < 100 && sent < 400; rounds++) {
		while (sent < 400) {
			make_frame(frame, sizeof(frame), sent);
			if (!tap_give(0, 0, frame, sizeof(frame)))
				break;
			sent++;
		}
		virtio_net_tap_readable(fk.n);
	}
	for (i = 0; i < 10; i++)
		virtio_net_tap_readable(fk.n);
	ASSERT_EQ(sent, 400);
	EXPECT_EQ(recv(tap_sv[0], buf, sizeof(buf), MSG_DONTWAIT), -1);
	s = stats(&fk);
	EXPECT_EQ(s.rx_pending, VIRTIO_NET_PENDING_FRAMES);
	EXPECT_EQ(s.rx_dropped, 3 + 400 - VIRTIO_NET_PENDING_FRAMES);
	/* The guest comes back: the oldest frames, in order. */
	for (i = 0; i < QSIZE; i++)
		ASSERT_GE(post_in(&fk, SLOT), 0);
	notify(&fk, RXQ);
	ASSERT_EQ(rx_collect(QSIZE, got, lens), QSIZE * (HDR + sizeof(frame)));
	for (i = 0; i < QSIZE; i++) {
		make_frame(frame, sizeof(frame), i);
		EXPECT_EQ(memcmp(got + i * (HDR + sizeof(frame)) + HDR, frame, sizeof(frame)), 0);
	}
	tap_down();
}

/* A TAP that fails for good (here: a descriptor that cannot be read) is reported, not retried. */
TEST(tap_failure_is_reported)
{
	struct virtio_net_config cfg = fake_cfg(0, false);
	int p[2];

	ASSERT_EQ(pipe2(p, O_NONBLOCK), 0);
	cfg.mode = VIRTIO_NET_TAP;
	cfg.tap_fd = p[1]; /* the write end: read() fails with EBADF */
	ASSERT_EQ(fake_create_cfg(&fk, &cfg), 0);
	ASSERT_TRUE(fake_init(&fk, F_NET));
	EXPECT_EQ(virtio_net_tap_readable(fk.n), -EBADF);
	/* Nothing to read is not a failure. */
	fake_destroy(&fk);
	cfg.tap_fd = p[0];
	ASSERT_EQ(fake_create_cfg(&fk, &cfg), 0);
	EXPECT_EQ(virtio_net_tap_readable(fk.n), 0);
	fake_destroy(&fk);
	close(p[0]);
	close(p[1]);
}

/* A real TAP, as root, in a network namespace of the test's own (a forked child). */

#define CHILD_SKIP 77

static int child_fd = -1;

static void __printf(1, 2) child_say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(child_fd, buf, MIN((size_t)n, sizeof(buf) - 1)) < 0)
		_exit(3);
}

#define CHILD_CHECK(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			child_say("%s:%d: %s: ", __FILE__, __LINE__, #cond);                       \
			child_say(__VA_ARGS__);                                                    \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

static bool child_wait(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};

	return poll(&p, 1, 2000) == 1;
}

/* A frame both ways between the device (guest side) and an AF_PACKET socket on the TAP. */
static int child_round_trip(const char *name, int tap_fd)
{
	struct virtio_net_config cfg = fake_cfg(0, false);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	u8 out[80], in[80], buf[2048], marker[14 + 4];
	u32 i, len;
	const u8 *b;
	int ps, found = 0;
	ssize_t r;

	cfg.mode = VIRTIO_NET_TAP;
	cfg.tap_fd = tap_fd;
	CHILD_CHECK(fake_create_cfg(&fk, &cfg) == 0, "%s\n", error_msg());
	CHILD_CHECK(fake_init(&fk, F_NET), "driver init refused\n");
	for (i = 0; i < QSIZE; i++)
		post_in(&fk, SLOT);
	notify(&fk, RXQ);
	sll.sll_ifindex = (int)if_nametoindex(name);
	ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	CHILD_CHECK(ps >= 0, "AF_PACKET: %s\n", strerror(errno));
	CHILD_CHECK(bind(ps, (struct sockaddr *)&sll, sizeof(sll)) == 0, "bind: %s\n",
		    strerror(errno));
	/* Host -> guest: sent on the interface, it comes out of the TAP fd and into a buffer. */
	make_frame(in, sizeof(in), 21);
	CHILD_CHECK(send(ps, in, sizeof(in), 0) == (ssize_t)sizeof(in), "send: %s\n",
		    strerror(errno));
	/* The kernel may send its own frames (IPv6 router solicitations): look for ours. */
	for (i = 0; i < 20 && !found; i++) {
		CHILD_CHECK(child_wait(tap_fd, POLLIN), "nothing came out of the TAP\n");
		virtio_net_tap_readable(fk.n);
		while (!found && (b = rx_next(&len)) != NULL)
			found = len == HDR + sizeof(in) && !memcmp(b + HDR, in, sizeof(in)) &&
				hdr16(b, 10) == 1;
	}
	CHILD_CHECK(found, "the frame sent on %s did not reach the guest\n", name);
	/* Guest -> host: written to the TAP, the interface receives it. */
	make_frame(out, sizeof(out), 22);
	memcpy(marker, out, sizeof(marker));
	CHILD_CHECK(send_frame(&fk, out, sizeof(out)), "transmit\n");
	CHILD_CHECK(stats(&fk).tx_frames == 1, "tx_frames %llu\n",
		    (unsigned long long)stats(&fk).tx_frames);
	for (i = 0, found = 0; i < 20 && !found; i++) {
		CHILD_CHECK(child_wait(ps, POLLIN), "the guest's frame did not reach %s\n", name);
		r = recv(ps, buf, sizeof(buf), 0);
		found = r == (ssize_t)sizeof(out) && !memcmp(buf, out, sizeof(out));
	}
	CHILD_CHECK(found, "the guest's frame did not reach %s unchanged\n", name);
	close(ps);
	fake_destroy(&fk);
	return 0;
}

static int child_tap(void)
{
	const char *runner = getenv("KTVM_TEST_RUNNER");
	char name[IFNAMSIZ], name2[IFNAMSIZ];
	struct ifreq ifr;
	int fd, fd2, s, hdr = 0, ret;
	unsigned int flags = 0;
	FILE *f;

	if (unshare(CLONE_NEWNET) < 0) {
		child_say("unshare(CLONE_NEWNET): %s", strerror(errno));
		return CHILD_SKIP;
	}
	/* No IPv6 chatter on the new link (best effort; the round trip filters anyway). */
	f = fopen("/proc/sys/net/ipv6/conf/default/disable_ipv6", "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	ret = tap_open(NULL, name, &fd);
	if (ret && runner && *runner) {
		child_say("under user-mode emulation (%s): %s", runner, error_msg());
		return CHILD_SKIP;
	}
	CHILD_CHECK(ret == 0, "%s\n", error_msg());
	CHILD_CHECK(!strcmp(name, "ktvm0"), "the first TAP is %s\n", name);
	CHILD_CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "blocking fd\n");
	CHILD_CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "no FD_CLOEXEC\n");
	CHILD_CHECK(ioctl(fd, TUNGETIFF, &ifr) == 0, "TUNGETIFF: %s\n", strerror(errno));
	flags = (unsigned short)ifr.ifr_flags;
	CHILD_CHECK((flags & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)) ==
			(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR),
		    "flags 0x%x\n", flags);
	CHILD_CHECK(ioctl(fd, TUNGETVNETHDRSZ, &hdr) == 0 && hdr == 12, "vnet header %d\n", hdr);
	/* A name of our choosing; one too long. */
	CHILD_CHECK(tap_open("ktvmtest", name2, &fd2) == 0, "%s\n", error_msg());
	CHILD_CHECK(!strcmp(name2, "ktvmtest"), "named %s\n", name2);
	close(fd2);
	CHILD_CHECK(if_nametoindex("ktvmtest") == 0, "ktvmtest outlived its fd\n");
	CHILD_CHECK(tap_open("ktvm-15-chars-x", name2, &fd2) == 0, "%s\n", error_msg());
	close(fd2);
	CHILD_CHECK(tap_open("ktvm-16-chars-xy", name2, &fd2) == -EINVAL && fd2 == -1,
		    "a 16-byte name\n");
	/* The host side's address. */
	CHILD_CHECK(tap_set_addr(name, "10.0.2.1/24") == 0, "%s\n", error_msg());
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(s >= 0, "socket: %s\n", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	CHILD_CHECK(ioctl(s, SIOCGIFADDR, &ifr) == 0, "SIOCGIFADDR: %s\n", strerror(errno));
	CHILD_CHECK(((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr == htonl(0x0a000201),
		    "address\n");
	CHILD_CHECK(ioctl(s, SIOCGIFNETMASK, &ifr) == 0, "SIOCGIFNETMASK: %s\n", strerror(errno));
	CHILD_CHECK(((struct sockaddr_in *)&ifr.ifr_netmask)->sin_addr.s_addr == htonl(0xffffff00),
		    "netmask\n");
	CHILD_CHECK(ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP), "not up\n");
	close(s);
	CHILD_CHECK(tap_set_addr(name, "10.0.2.1") == -EINVAL, "no prefix accepted\n");
	CHILD_CHECK(tap_set_addr(name, "10.0.2.1/33") == -EINVAL, "/33 accepted\n");
	CHILD_CHECK(tap_set_addr("nosuch0", "10.0.2.1/24") == -ENODEV, "%s\n", error_msg());
	CHILD_CHECK(strstr(error_msg(), "tap nosuch0: SIOCSIFADDR") != NULL, "%s\n", error_msg());
	ret = child_round_trip(name, fd);
	if (ret)
		return ret;
	/* Not persistent: the interface goes with the fd. */
	close(fd);
	CHILD_CHECK(if_nametoindex(name) == 0, "%s outlived its fd\n", name);
	return 0;
}

TEST(tap_open_in_own_network_namespace)
{
	char msg[1024] = "";
	int p[2], st = 0;
	ssize_t n, got = 0;
	pid_t pid;

	if (geteuid() != 0)
		SKIP("not root: a TAP needs CAP_NET_ADMIN");
	if (access("/dev/net/tun", R_OK | W_OK))
		SKIP("no /dev/net/tun: %s", strerror(errno));
	ASSERT_EQ(pipe(p), 0);
	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(p[0]);
		child_fd = p[1];
		_exit(child_tap());
	}
	close(p[1]);
	while ((n = read(p[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
		got += n;
	msg[got] = '\0';
	close(p[0]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(WIFEXITED(st));
	if (WEXITSTATUS(st) == CHILD_SKIP)
		SKIP("%s", msg);
	if (WEXITSTATUS(st))
		test_fail_at(__FILE__, __LINE__, "in the child: %s", msg);
}
