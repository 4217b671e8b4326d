// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues (devices/virtio/virtq.c) with the driver and the device on
 * two threads, EVENT_IDX in both directions: every request must come back
 * and no notification may be lost (a lost one shows up as a 10 s wait).
 * Exercises the barriers in virtq_pop() and virtq_need_notify().
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio/virtio.h"
#include "devices/virtio/virtq.h"
#include "tests/test.h"
#include "tests/unit/virtq_fake.h"

#define STRESS_REQS 20000

static struct {
	struct virtq vq;
	sem_t kick, irq;
	bool stop;
	int err;
} stress;

static bool need_event(u16 event, u16 new, u16 old)
{
	return (u16)(new - event - 1) < (u16)(new - old);
}

static void *stress_device(void *arg)
{
	CHAIN(c, 1);
	int r;

	for (;;) {
		while ((r = virtq_pop(&stress.vq, &c)) == 1) {
			*(u32 *)c.buf[0].addr += 1;
			virtq_push(&stress.vq, c.head, 4);
			if (virtq_need_notify(&stress.vq))
				sem_post(&stress.irq);
		}
		if (r < 0) {
			stress.err = r;
			sem_post(&stress.irq);
			return NULL;
		}
		sem_wait(&stress.kick);
		if (__atomic_load_n(&stress.stop, __ATOMIC_ACQUIRE))
			return NULL;
	}
}

static bool stress_wait_irq(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	return sem_timedwait(&stress.irq, &ts) == 0;
}

static void *probe_thread(void *arg)
{
	return arg;
}

/*
 * Can this process create threads at all? Asked in a child with a time
 * limit: under qemu-user with a cross ld.so loading a different glibc
 * build's libc.so.6, pthread_create() spins forever. Such a host cannot
 * run these cases; it is not a virtqueue failure. 0: yes, else why not.
 */
static const char *threads_unusable(void)
{
	static int state; /* 0 unknown, 1 usable, 2 not */
	int status, i;
	pid_t pid;

	if (state)
		return state == 1 ? NULL
				  : "pthread_create() did not return within 10 s in a child "
				    "(qemu-user with a mismatched ld.so and libc?)";
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pthread_t th;

		_exit(pthread_create(&th, NULL, probe_thread, NULL) || pthread_join(th, NULL));
	}
	state = 2;
	if (pid < 0)
		return "fork failed";
	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				state = 1;
			return threads_unusable();
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return threads_unusable();
}

static void stress_run(u16 depth)
{
	u16 *used_event = &drv_avail()->ring[8];
	u16 *avail_event = (u16 *)&drv_used()->ring[8];
	u16 free_heads[8], nr_free = 8, used_seen = 0, old;
	u32 posted = 0, done = 0, i;
	struct drv d;
	pthread_t th;

	if (threads_unusable())
		SKIP("%s", threads_unusable());
	vq_start(&stress.vq, &d, 8, VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	sem_init(&stress.kick, 0, 0);
	sem_init(&stress.irq, 0, 0);
	stress.stop = false;
	stress.err = 0;
	for (i = 0; i < 8; i++) {
		free_heads[i] = (u16)i;
		drv_desc((u16)i, BUF_GPA + 4 * i, 4, VIRTQ_DESC_F_WRITE, 0);
		*(u32 *)host(BUF_GPA + 4 * i) = 0;
	}
	ASSERT_EQ(pthread_create(&th, NULL, stress_device, NULL), 0);
	while (done < STRESS_REQS && !stress.err) {
		/* Post what we can; kick if avail_event asks for it (2.7.10). */
		old = d.avail_idx;
		while (nr_free > 8 - depth && posted < STRESS_REQS) {
			drv_post(&d, free_heads[--nr_free]);
			posted++;
		}
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (d.avail_idx != old &&
		    need_event(__atomic_load_n(avail_event, __ATOMIC_RELAXED), d.avail_idx, old))
			sem_post(&stress.kick);
		/* Reap; when nothing is used, re-arm used_event, recheck, then sleep (2.7.14). */
		for (;;) {
			u16 used_idx = __atomic_load_n(&drv_used()->idx, __ATOMIC_ACQUIRE);

			if (used_idx != used_seen) {
				while (used_seen != used_idx) {
					free_heads[nr_free++] =
					    (u16)drv_used()->ring[used_seen % 8].id;
					used_seen++;
					done++;
				}
				break;
			}
			__atomic_store_n(used_event, used_seen, __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&drv_used()->idx, __ATOMIC_ACQUIRE) != used_seen)
				continue;
			if (!stress_wait_irq()) {
				test_fail_at(__FILE__, __LINE__, "no notification after %u of %u",
					     done, STRESS_REQS);
				stress.err = -ETIMEDOUT;
				break;
			}
		}
	}
	__atomic_store_n(&stress.stop, true, __ATOMIC_RELEASE);
	sem_post(&stress.kick);
	pthread_join(th, NULL);
	EXPECT_EQ(stress.err, 0);
	EXPECT_EQ(done, STRESS_REQS);
	for (i = 0, done = 0; i < 8; i++)
		done += *(u32 *)host(BUF_GPA + 4 * i);
	EXPECT_EQ(done, STRESS_REQS);
	EXPECT_FALSE(stress.vq.broken);
	sem_destroy(&stress.kick);
	sem_destroy(&stress.irq);
}

/* One request at a time: the most sleep/wake transitions, the most races. */
TEST(threaded_event_idx_ping_pong)
{
	stress_run(1);
}

TEST(threaded_event_idx_batches)
{
	stress_run(8);
}
