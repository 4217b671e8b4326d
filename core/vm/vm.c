// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "core/vm/arch.h"
#include "core/base/clock.h"
#include "core/vm/cmdline.h"
#include "core/base/error.h"
#include "core/base/file.h"
#include "core/vm/kick.h"
#include "core/vm/phase.h"
#include "core/vm/vm.h"

#define VM_MIN_MEM	 (32 * MiB)
#define VM_MAX_MEM	 (1024 * GiB)
#define VM_JOIN_LIMIT_MS 5000
/* After the kernel says it panicked, give it this long to reboot by itself. */
#define VM_PANIC_GRACE_MS 2000

const char *vm_end_name(enum vm_end end)
{
	static const char *const names[] = {
	    [VM_END_NONE] = "none",   [VM_END_POWEROFF] = "poweroff", [VM_END_REBOOT] = "reboot",
	    [VM_END_CRASH] = "crash", [VM_END_TIMEOUT] = "timeout",   [VM_END_ERROR] = "error",
	    [VM_END_WATCH] = "watch", [VM_END_SIGNAL] = "signal",
	};

	return (unsigned int)end < ARRAY_SIZE(names) ? names[end] : "?";
}

void vm_stop(struct vm *vm, enum vm_end why, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (vm->end == VM_END_NONE) {
		vm->end = why;
		va_start(ap, fmt);
		vsnprintf(vm->end_detail, sizeof(vm->end_detail), fmt, ap);
		va_end(ap);
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
}

void vm_interrupt(struct vm *vm, const char *why)
{
	pthread_mutex_lock(&vm->lock);
	if (!vm->interrupt[0]) {
		snprintf(vm->interrupt, sizeof(vm->interrupt), "%s",
			 why && *why ? why : "interrupted");
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
}

bool vm_stopping(struct vm *vm)
{
	bool s;

	pthread_mutex_lock(&vm->lock);
	s = vm->end != VM_END_NONE;
	pthread_mutex_unlock(&vm->lock);
	return s;
}

void *vm_gpa(struct vm *vm, u64 gpa, u64 len)
{
	u32 i;

	for (i = 0; i < vm->nr_mem; i++) {
		struct vm_mem_slot *m = &vm->mem[i];

		if (gpa >= m->gpa && gpa - m->gpa <= m->size && len <= m->size - (gpa - m->gpa))
			return m->hva + (gpa - m->gpa);
	}
	return NULL;
}

u64 vm_mem_total(const struct vm *vm)
{
	u64 total = 0;
	u32 i;

	for (i = 0; i < vm->nr_mem; i++)
		total += vm->mem[i].size;
	return total;
}

int vm_read_gpa(void *vm, u64 gpa, void *buf, size_t len)
{
	void *p = vm_gpa(vm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int vm_mem_add(struct vm *vm, u64 gpa, u64 size)
{
	struct vm_mem_slot *m;
	void *hva;

	if (vm->nr_mem == VM_MAX_MEM_SLOTS)
		return error_host(-ENOSPC, "guest memory: too many slots");
	hva = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (hva == MAP_FAILED)
		return error_host(-errno, "guest memory: cannot map %llu MiB: %s",
				  (unsigned long long)(size / MiB), strerror(errno));
	m = &vm->mem[vm->nr_mem++];
	m->gpa = gpa;
	m->size = size;
	m->hva = hva;
	return 0;
}

/* ---- setup phases, in order (see phases[] below) ---- */

#define VM_KERNEL_MAX_FILE (512 * MiB)
#define VM_INITRD_MAX_FILE (4 * GiB)

/* The input files' whole mappings, once their bytes are in guest RAM. */
static void vm_unmap_inputs(struct vm *vm)
{
	file_unmap(vm->kernel_img, vm->kernel_len);
	file_unmap(vm->initrd_img, vm->initrd_img_len);
	file_unmap(vm->initrd_base_img, vm->initrd_base_len);
	vm->kernel_img = vm->initrd_img = vm->initrd_base_img = NULL;
	vm->kernel_len = vm->initrd_len = vm->initrd_img_len = vm->initrd_base_len = 0;
}

/*
 * And their descriptors: only once guest RAM is gone (vm_unbuild(), after
 * every phase), since a leased file's lease lasts while its descriptor is
 * open and must outlive every mapping of it (file_lease()).
 */
static void vm_close_inputs(struct vm *vm)
{
	int *fds[] = {&vm->kernel_fd, &vm->initrd_fd, &vm->initrd_base_fd};

	for (u32 i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int vm_phase_inputs(struct vm *vm)
{
	int ret;

	if (vm->cfg.raw)
		return 0;
	/*
	 * The fds: to read or map the segments from (vm_load_kernel(),
	 * vm_load_initrd()). A file of the user's is mapped only under a
	 * lease: it could be rewritten in place while the guest runs.
	 */
	ret = file_map_lease(vm->cfg.kernel, "kernel", VM_KERNEL_MAX_FILE, &vm->kernel_img,
			     &vm->kernel_len, &vm->kernel_fd,
			     vm->cfg.kernel_mappable ? NULL : &vm->kernel_leased);
	if (ret < 0)
		return ret;
	if (vm->cfg.initrd_base) {
		ret = file_map_fd(vm->cfg.initrd_base, "initrd", VM_INITRD_MAX_FILE,
				  &vm->initrd_base_img, &vm->initrd_base_len, &vm->initrd_base_fd);
		if (ret < 0)
			goto fail;
		vm->initrd_len = ALIGN_UP(vm->initrd_base_len, 4);
	}
	if (vm->cfg.initrd) {
		ret = file_map_lease(vm->cfg.initrd, "initrd", VM_INITRD_MAX_FILE, &vm->initrd_img,
				     &vm->initrd_img_len, &vm->initrd_fd, &vm->initrd_leased);
		if (ret < 0)
			goto fail;
		vm->initrd_len += vm->initrd_img_len;
	}
	ret = arch_kernel_check(vm);
	if (ret < 0)
		goto fail;
	return 0;
fail:
	vm_unmap_inputs(vm);
	return ret;
}

/* Raw boot (tests/kvm): the code at arch_raw_gpa(), then the arch's entry state. */
static int vm_boot_raw(struct vm *vm)
{
	u64 gpa = arch_raw_gpa();
	u8 *dst;

	if (!vm->cfg.raw_len || vm->cfg.raw_len > VM_RAW_MAX)
		return error_input(-EINVAL, "raw guest code: %zu bytes, must be 1 to %llu",
				   vm->cfg.raw_len, VM_RAW_MAX);
	dst = vm_gpa(vm, gpa, VM_RAW_MAX);
	if (!dst)
		return error_input(-EFBIG, "raw guest code: no RAM at 0x%llx",
				   (unsigned long long)gpa);
	memcpy(dst, vm->cfg.raw, vm->cfg.raw_len);
	return arch_boot_raw(vm);
}

static int vm_phase_boot(struct vm *vm)
{
	int ret = vm->cfg.raw ? vm_boot_raw(vm) : arch_boot_load(vm);

	vm_unmap_inputs(vm);
	/* Copied after all (a bzImage's payload, pages that did not line up): no lease to keep. */
	if (vm->kernel_leased && !vm->kernel_mapped) {
		file_lease_end(vm->kernel_fd);
		vm->kernel_leased = false;
	}
	if (vm->initrd_leased && !vm->initrd_mapped) {
		file_lease_end(vm->initrd_fd);
		vm->initrd_leased = false;
	}
	return ret;
}

static int vm_phase_kvm(struct vm *vm)
{
	int ver, size, ret;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return error_host(-errno, "/dev/kvm: %s", strerror(errno));
	ver = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION) {
		ret = error_host(-ENOTSUP, "/dev/kvm: KVM API version %d, need %d", ver,
				 KVM_API_VERSION);
		goto fail;
	}
	ret = arch_kvm_check(vm->kvm_fd);
	if (ret < 0)
		goto fail;
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		ret = error_host(-ENOTSUP, "/dev/kvm: KVM_GET_VCPU_MMAP_SIZE returned %d", size);
		goto fail;
	}
	vm->run_size = (size_t)size;
	return 0;
fail:
	close(vm->kvm_fd);
	vm->kvm_fd = -1;
	return ret;
}

static void vm_unphase_kvm(struct vm *vm)
{
	close(vm->kvm_fd);
	vm->kvm_fd = -1;
}

/*
 * On the caller's thread, while the build thread works: what the arch
 * asks of KVM for the vCPUs (x86: the supported CPUID), through a
 * descriptor of its own (the build thread opens vm->kvm_fd). Nothing to
 * say if /dev/kvm does not open: the build thread's error will.
 */
static int vm_phase_prefetch(struct vm *vm)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 0;
	arch_kvm_prefetch(vm, fd);
	close(fd);
	return 0;
}

static int vm_phase_create(struct vm *vm)
{
	do {
		vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	} while (vm->fd < 0 && errno == EINTR);
	if (vm->fd < 0)
		return error_host(-errno, "KVM_CREATE_VM: %s", strerror(errno));
	return 0;
}

static void vm_unphase_create(struct vm *vm)
{
	close(vm->fd);
	vm->fd = -1;
}

static void vm_unphase_memory(struct vm *vm)
{
	while (vm->nr_mem > 0) {
		struct vm_mem_slot *m = &vm->mem[--vm->nr_mem];

		file_untrack_within(m->hva, m->size); /* the file pages vm_load_*() mapped */
		munmap(m->hva, m->size);
	}
}

static int vm_phase_memory(struct vm *vm)
{
	int ret = arch_vm_memory_layout(vm);

	/* A failed phase is not torn down by phases_run: undo the slots added so far. */
	if (ret < 0)
		vm_unphase_memory(vm);
	return ret;
}

/* On the build thread: the slots vm_mem_add() mapped, given to KVM (gone with the VM fd). */
static int vm_phase_slots(struct vm *vm)
{
	for (u32 i = 0; i < vm->nr_mem; i++) {
		struct kvm_userspace_memory_region region = {
		    .slot = i,
		    .guest_phys_addr = vm->mem[i].gpa,
		    .memory_size = vm->mem[i].size,
		    .userspace_addr = (u64)(uintptr_t)vm->mem[i].hva,
		};

		if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
			return error_host(-errno,
					  "guest memory: KVM_SET_USER_MEMORY_REGION at 0x%llx: %s",
					  (unsigned long long)vm->mem[i].gpa, strerror(errno));
	}
	return 0;
}

static int vm_phase_console(struct vm *vm)
{
	return conlog_init(&vm->console, CONLOG_DEFAULT_CAP, vm->cfg.console_fd,
			   vm->cfg.t_start_ns);
}

static void vm_unphase_console(struct vm *vm)
{
	conlog_destroy(&vm->console);
}

static int vm_phase_cmdline(struct vm *vm)
{
	struct cmdline defaults, out;
	int ret;

	cmdline_init(&defaults);
	arch_cmdline_defaults(&defaults, &vm->res);
	ret = cmdline_build(&out, &defaults, vm->cfg.cmdline, sizeof(vm->cmdline) - 1);
	if (ret < 0)
		return ret;
	memcpy(vm->cmdline, out.buf, out.len + 1);
	return 0;
}

/* On the build thread: n vCPUs exist (published to the caller's thread), or none (n = 0). */
static void vm_vcpus_published(struct vm *vm, u32 n)
{
	pthread_mutex_lock(&vm->build.lock);
	if (!n)
		while (vm->build.using)
			pthread_cond_wait(&vm->build.cond, &vm->build.lock);
	vm->build.created = n;
	pthread_cond_broadcast(&vm->build.cond);
	pthread_mutex_unlock(&vm->build.lock);
}

/*
 * On the build thread: the vCPUs' descriptors and kvm_run areas, each
 * handed to the caller's thread as soon as it exists (vm_phase_vcpu_init()).
 * Their number comes from the topology: the caller's thread may be
 * writing vm->cfg meanwhile (vm_finish()).
 */
static int vm_phase_vcpus(struct vm *vm)
{
	u32 i, n = topology_nr_cpus(&vm->topo);
	int ret;

	vm->vcpus = calloc(n, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return error_host(-ENOMEM, "cannot allocate %u vCPUs", n);
	for (i = 0; i < n; i++) {
		ret = vcpu_create(vm, i, &vm->vcpus[i]);
		if (ret < 0) {
			/* Taken back first: the caller's thread may be setting one up. */
			vm_vcpus_published(vm, 0);
			while (i > 0)
				vcpu_destroy(&vm->vcpus[--i]);
			free(vm->vcpus);
			vm->vcpus = NULL;
			return ret;
		}
		vm_vcpus_published(vm, i + 1);
	}
	return 0;
}

static void vm_unphase_vcpus(struct vm *vm)
{
	u32 i, n = topology_nr_cpus(&vm->topo);

	if (!vm->vcpus)
		return;
	vm_vcpus_published(vm, 0);
	for (i = 0; i < n; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
}

/*
 * On the caller's thread: each vCPU's arch state (vCPU 0's entry, ...), in
 * order, each as soon as the build thread made it, so vCPU 0's setup
 * overlaps the creation of the others. A build that failed leaves the rest
 * to the "join" phase, which says why.
 */
static int vm_phase_vcpu_init(struct vm *vm)
{
	for (u32 i = 0; i < vm->cfg.nr_cpus; i++) {
		int ret;

		pthread_mutex_lock(&vm->build.lock);
		while (vm->build.created <= i && !vm->build.over)
			pthread_cond_wait(&vm->build.cond, &vm->build.lock);
		if (vm->build.created <= i) {
			pthread_mutex_unlock(&vm->build.lock);
			return 0;
		}
		vm->build.using = true;
		pthread_mutex_unlock(&vm->build.lock);
		ret = arch_vcpu_init(&vm->vcpus[i]);
		pthread_mutex_lock(&vm->build.lock);
		vm->build.using = false;
		pthread_cond_broadcast(&vm->build.cond);
		pthread_mutex_unlock(&vm->build.lock);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The window and lines of ktvm's devices, then each device's place in them. */
static int vm_phase_resources(struct vm *vm)
{
	int ret;

	arch_resources_init(&vm->res);
	for (u32 i = 0; i < vm->cfg.nr_devices; i++) {
		const struct vm_device_ops *ops = vm->cfg.devices[i].ops;

		ret = ops->plan ? ops->plan(vm, &vm->cfg.devices[i]) : 0;
		if (ret < 0)
			return ret;
	}
	return 0;
}

#define VM_IO_STOP_MS 5000

static void vm_unphase_attach(struct vm *vm)
{
	if (!vm->io_ready)
		return;
	/*
	 * A handler that does not stop still uses its device and the VM: leak
	 * rather than free under it (vm_run() said so; the caller then keeps
	 * the VM).
	 */
	if (vm->io_stuck || !ioloop_stop(&vm->io, VM_IO_STOP_MS)) {
		vm->io_stuck = true;
		return;
	}
	while (vm->nr_attached > 0) {
		struct vm_device *d = &vm->cfg.devices[--vm->nr_attached];

		if (d->ops->detach)
			d->ops->detach(vm, d);
	}
	ioloop_destroy(&vm->io);
	vm->io_ready = false;
}

static int vm_phase_attach(struct vm *vm)
{
	int ret = ioloop_init(&vm->io);

	if (ret < 0)
		return ret;
	vm->io_ready = true;
	for (u32 i = 0; i < vm->cfg.nr_devices; i++) {
		struct vm_device *d = &vm->cfg.devices[i];

		ret = d->ops->attach ? d->ops->attach(vm, d) : 0;
		if (ret < 0) {
			vm_unphase_attach(vm);
			return ret;
		}
		vm->nr_attached++;
	}
	return 0;
}

/*
 * The phases of vm_begin(), on the caller's thread: guest RAM mapped, then
 * the build thread started. Unwound last, after vm_finish()'s.
 */
static int vm_phase_build(struct vm *vm);
static void vm_unphase_build(struct vm *vm);

static const struct phase vm_begin_phases[] = {
    {"memory", vm_phase_memory, vm_unphase_memory},
    {"build", vm_phase_build, vm_unphase_build},
    {"prefetch", vm_phase_prefetch, arch_kvm_prefetch_end},
};

/*
 * The build thread's: KVM's objects, in the order KVM wants them (the
 * irqchip before the vCPUs). They touch only what vm_begin() set (the
 * topology, the RAM slots) and what they make: the caller's thread reads
 * none of it before the "join" phase.
 */
static const struct phase vm_build_phases[] = {
    {"kvm", vm_phase_kvm, vm_unphase_kvm},
    {"vm", vm_phase_create, vm_unphase_create},
    {"slots", vm_phase_slots, NULL},
    {"platform", arch_vm_init, arch_vm_exit},
    {"vcpus", vm_phase_vcpus, vm_unphase_vcpus},
};

static int vm_phase_join(struct vm *vm);

/* vm_finish()'s, on the caller's thread: up to "join" beside the build thread. */
static const struct phase vm_phases[] = {
    {"resources", vm_phase_resources, NULL},
    {"cmdline", vm_phase_cmdline, NULL},
    {"inputs", vm_phase_inputs, vm_unmap_inputs},
    {"console", vm_phase_console, vm_unphase_console},
    {"devices", arch_devices_init, arch_devices_exit},
    {"boot", vm_phase_boot, NULL},
    {"vcpu_init", vm_phase_vcpu_init, NULL},
    {"join", vm_phase_join, NULL},
    /*
     * After the vCPUs: arm64 KVM refuses KVM_IRQFD (EAGAIN) until the GIC
     * is initialised, which needs every vCPU. The firmware tables were
     * built from the resource registry ("resources") already.
     */
    {"attach", vm_phase_attach, vm_unphase_attach},
};

_Static_assert(ARRAY_SIZE(vm_begin_phases) + ARRAY_SIZE(vm_phases) < VM_SETUP_STEPS,
	       "a step for each phase, and start");
_Static_assert(ARRAY_SIZE(vm_begin_phases) <= VM_BUILD_STEPS &&
		   ARRAY_SIZE(vm_build_phases) <= VM_BUILD_STEPS,
	       "the begin and build steps fit");

/* phase_fail_at numbers: vm_begin()'s, the build thread's, then vm_finish()'s. */
#define VM_BUILD_FIRST	ARRAY_SIZE(vm_begin_phases)
#define VM_FINISH_FIRST (VM_BUILD_FIRST + ARRAY_SIZE(vm_build_phases))

/*
 * The build; then, on a thread of its own, it waits to run vCPU 0
 * (vm_run(), vm_vcpu_start()): starting that thread would cost vm_run()
 * about 0.1 ms on the way to the first KVM_RUN.
 */
static void *vm_build_thread(void *arg)
{
	struct vm *vm = arg;
	struct vcpu *run = NULL;

	vm->build.ret = phases_run_at(vm, vm_build_phases, ARRAY_SIZE(vm_build_phases),
				      &vm->build.done, vm->build.ns, VM_BUILD_FIRST);
	if (vm->build.ret < 0) {
		vm->build.kind = error_kind();
		snprintf(vm->build.msg, sizeof(vm->build.msg), "%s", error_msg());
	}
	/* A vCPU thread starts with the kick blocked (vcpu_start()). */
	if (vm->build.threaded && vm->build.ret == 0)
		kick_block(NULL);
	pthread_mutex_lock(&vm->build.lock);
	vm->build.over = true;
	pthread_cond_broadcast(&vm->build.cond);
	if (vm->build.threaded && vm->build.ret == 0) {
		vm->build.parked = true;
		while (!vm->build.handoff && !vm->build.quit)
			pthread_cond_wait(&vm->build.cond, &vm->build.lock);
		vm->build.parked = false;
		run = vm->build.handoff;
	}
	pthread_mutex_unlock(&vm->build.lock);
	return run ? vcpu_thread_run(run) : NULL;
}

/* Without a thread (none could be started), the build runs here: slower, not wrong. */
static int vm_phase_build(struct vm *vm)
{
	vm->build.threaded = true; /* before the thread reads it */
	vm->build.live = pthread_create(&vm->build.thread, NULL, vm_build_thread, vm) == 0;
	if (!vm->build.live) {
		vm->build.threaded = false;
		vm_build_thread(vm);
		error_clear(); /* kept in build.msg, said at "join" */
	}
	return 0;
}

/* The build thread's end, unless vCPU 0 took it over (its thread then, joined as such). */
static void vm_unphase_build(struct vm *vm)
{
	pthread_mutex_lock(&vm->build.lock);
	vm->build.quit = true;
	pthread_cond_broadcast(&vm->build.cond);
	pthread_mutex_unlock(&vm->build.lock);
	if (vm->build.live)
		pthread_join(vm->build.thread, NULL);
	vm->build.live = false;
	phases_unwind(vm, vm_build_phases, vm->build.done);
	vm->build.done = 0;
}

/* The build thread's objects are all the caller's from here; its error is said now. */
static int vm_phase_join(struct vm *vm)
{
	pthread_mutex_lock(&vm->build.lock);
	while (!vm->build.over)
		pthread_cond_wait(&vm->build.cond, &vm->build.lock);
	pthread_mutex_unlock(&vm->build.lock);
	if (vm->build.ret < 0)
		return error_set(vm->build.kind, vm->build.ret, "%s", vm->build.msg);
	return 0;
}

/* vCPU i's thread: vCPU 0's is the parked build thread where there is one. */
static int vm_vcpu_start(struct vm *vm, u32 i)
{
	bool taken = false;

	if (i == 0) {
		pthread_mutex_lock(&vm->build.lock);
		if (vm->build.parked && !vm->build.handoff && vm->build.live) {
			vcpu_adopt(&vm->vcpus[0], vm->build.thread);
			vm->build.live = false;
			vm->build.handoff = &vm->vcpus[0];
			pthread_cond_broadcast(&vm->build.cond);
			taken = true;
		}
		pthread_mutex_unlock(&vm->build.lock);
	}
	return taken ? 0 : vcpu_start(&vm->vcpus[i]);
}

/* A topology and memory size the VM can have (vm_begin()). */
static int vm_check_shape(const struct vm_config *cfg)
{
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > arch_max_vcpus())
		return error_input(-EINVAL, "--cpus %u: must be between 1 and %u", cfg->nr_cpus,
				   arch_max_vcpus());
	if (cfg->mem_size < VM_MIN_MEM || cfg->mem_size > VM_MAX_MEM)
		return error_input(-EINVAL, "--memory %llu MiB: must be between %llu and %llu MiB",
				   (unsigned long long)(cfg->mem_size / MiB),
				   (unsigned long long)(VM_MIN_MEM / MiB),
				   (unsigned long long)(VM_MAX_MEM / MiB));
	if (cfg->mem_size % MiB)
		return error_input(-EINVAL, "memory size must be a whole number of MiB");
	if (cfg->topo) {
		u64 sum = 0;

		if (topology_nr_cpus(cfg->topo) != cfg->nr_cpus)
			return error_input(-EINVAL,
					   "--cpus %u disagrees with the topology's %u vCPUs",
					   cfg->nr_cpus, topology_nr_cpus(cfg->topo));
		for (u32 n = 0; n < cfg->topo->nr_nodes; n++)
			sum += cfg->topo->mem_mib[n];
		if (sum * MiB != cfg->mem_size)
			return error_input(
			    -EINVAL, "the topology's nodes hold %llu MiB, the guest has %llu MiB",
			    (unsigned long long)sum, (unsigned long long)(cfg->mem_size / MiB));
		return arch_topology_check(cfg->topo);
	}
	return 0;
}

/* The rest of the configuration (vm_finish()), and that its shape is vm_begin()'s. */
static int vm_check_config(const struct vm *vm, const struct vm_config *cfg)
{
	struct topology flat;
	int ret = vm_check_shape(cfg);

	if (ret < 0)
		return ret;
	/* The topology holds the vCPUs and the memory too (vm_check_shape() made them agree). */
	if (!cfg->topo)
		topology_default(&flat, cfg->nr_cpus, cfg->mem_size / MiB);
	if (memcmp(cfg->topo ? cfg->topo : &flat, &vm->topo, sizeof(vm->topo)))
		return error_input(-EINVAL, "the VM's vCPUs, memory or topology differ from "
					    "those it was begun with (vm_begin())");
	if (cfg->nr_devices > VM_MAX_DEVICES || (cfg->nr_devices && !cfg->devices))
		return error_input(-EINVAL, "%u devices: at most %u", cfg->nr_devices,
				   VM_MAX_DEVICES);
	for (u32 i = 0; i < cfg->nr_devices; i++)
		if (!cfg->devices[i].ops)
			return error_input(-EINVAL, "device %u has no ops", i);
	if (!cfg->raw && (!cfg->kernel || !*cfg->kernel))
		return error_input(-EINVAL, "no kernel given (--kernel PATH)");
	return 0;
}

static void vm_free(struct vm *vm)
{
	pthread_cond_destroy(&vm->build.cond);
	pthread_mutex_destroy(&vm->build.lock);
	freeze_destroy(&vm->freeze);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
	pthread_mutex_destroy(&vm->run_lock);
	free(vm);
}

/* Everything vm_begin() did and the build thread made, then the input files. */
static void vm_unbuild(struct vm *vm)
{
	phases_unwind(vm, vm_begin_phases, vm->begin_done);
	vm->begin_done = 0;
	vm_close_inputs(vm);
}

int vm_begin(struct vm **out, const struct vm_config *shape)
{
	struct vm *vm;
	int ret;

	*out = NULL;
	ret = vm_check_shape(shape);
	if (ret < 0)
		return ret;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return error_host(-ENOMEM, "cannot allocate the VM");
	vm->cfg.nr_cpus = shape->nr_cpus;
	vm->cfg.mem_size = shape->mem_size;
	if (shape->topo) /* memcpy: vm_check_config() compares the bytes, padding included */
		memcpy(&vm->topo, shape->topo, sizeof(vm->topo));
	else
		topology_default(&vm->topo, shape->nr_cpus, shape->mem_size / MiB);
	vm->cfg.topo = &vm->topo;
	vm->kvm_fd = -1;
	vm->fd = -1;
	vm->kernel_fd = vm->initrd_fd = vm->initrd_base_fd = -1;
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->run_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&vm->build.lock, NULL);
	pthread_cond_init(&vm->build.cond, NULL);
	freeze_init(&vm->freeze);

	ret = phases_run(vm, vm_begin_phases, ARRAY_SIZE(vm_begin_phases), &vm->begin_done,
			 vm->begin_ns);
	if (ret < 0) {
		vm_free(vm);
		return ret;
	}
	*out = vm;
	return 0;
}

int vm_finish(struct vm **vmp, const struct vm_config *cfg)
{
	struct vm *vm = *vmp;
	int ret = vm_check_config(vm, cfg);

	/*
	 * The build thread reads vm->topo, not vm->cfg: the copy below may
	 * be written while it runs. vm->topo stays vm_begin()'s (equal, checked).
	 */
	if (ret >= 0) {
		vm->cfg = *cfg;
		vm->cfg.topo = &vm->topo;
		ret = phases_run_at(vm, vm_phases, ARRAY_SIZE(vm_phases), &vm->phases_done,
				    vm->phase_ns, VM_FINISH_FIRST);
	}
	if (ret < 0) {
		vm_unbuild(vm);
		vm_free(vm);
		*vmp = NULL;
		return ret;
	}
	vm->finished = true;
	return 0;
}

int vm_create(struct vm **out, const struct vm_config *cfg)
{
	int ret = vm_begin(out, cfg);

	return ret < 0 ? ret : vm_finish(out, cfg);
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	/*
	 * vCPU threads first (vm_run() joined them already): the devices they
	 * use are undone before the vCPUs themselves (the build's phases go last).
	 */
	if (vm->finished)
		for (u32 i = 0; i < vm->cfg.nr_cpus; i++)
			vcpu_join(&vm->vcpus[i]);
	phases_unwind(vm, vm_phases, vm->phases_done);
	vm_unbuild(vm);
	vm_free(vm);
}

int vm_set_exit_handler(struct vm *vm, u32 exit_reason, vm_exit_fn fn, void *ctx)
{
	if (exit_reason >= VCPU_EXIT_REASONS)
		return -EINVAL;
	vm->hooks.exit[exit_reason].fn = fn;
	vm->hooks.exit[exit_reason].ctx = ctx;
	return 0;
}

void vm_set_request_handler(struct vm *vm, vm_request_fn fn, void *ctx)
{
	vm->hooks.request = fn;
	vm->hooks.request_ctx = ctx;
}

void vm_set_end_handler(struct vm *vm, vm_end_fn fn, void *ctx)
{
	vm->hooks.end = fn;
	vm->hooks.end_ctx = ctx;
}

void vm_request_all(struct vm *vm, enum vcpu_request req)
{
	for (u32 i = 0; i < vm->cfg.nr_cpus; i++)
		vcpu_request(&vm->vcpus[i], req);
}

/* The run is ending because the guest failed: let a subsystem look first. */
static void vm_before_end(struct vm *vm, const char *why)
{
	if (vm->hooks.end)
		vm->hooks.end(vm->hooks.end_ctx, vm, why);
}

static void vm_deadline(struct timespec *ts, u64 at_ns)
{
	ts->tv_sec = (time_t)(at_ns / 1000000000ULL);
	ts->tv_nsec = (long)(at_ns % 1000000000ULL);
}

/* Waits until something ends the run: the guest, a panic, the timeout or vm_interrupt(). */
static void vm_wait(struct vm *vm, u64 t_start)
{
	u64 deadline = vm->cfg.timeout_ms ? t_start + vm->cfg.timeout_ms * 1000000ULL : 0;
	u64 panic_at = 0;

	pthread_mutex_lock(&vm->lock);
	while (vm->end == VM_END_NONE) {
		u64 now = clock_now_ns(), wake = now + 200 * 1000000ULL;
		struct timespec ts;
		bool panicked;

		if (vm->interrupt[0]) {
			char why[sizeof(vm->interrupt)];

			memcpy(why, vm->interrupt, sizeof(why));
			pthread_mutex_unlock(&vm->lock);
			vm_before_end(vm, "signal");
			vm_stop(vm, VM_END_SIGNAL, "%s", why);
			pthread_mutex_lock(&vm->lock);
			break;
		}
		if (deadline && now >= deadline) {
			pthread_mutex_unlock(&vm->lock);
			vm_before_end(vm, "timeout");
			vm_stop(vm, VM_END_TIMEOUT, "no shutdown within %llu s",
				(unsigned long long)(vm->cfg.timeout_ms / 1000));
			pthread_mutex_lock(&vm->lock);
			break;
		}
		/*
		 * A panic that never reboots must still end the run. Read without
		 * the console lock: a vCPU may hold it, blocked on a live copy.
		 */
		panicked = atomic_load(&vm->console.panic_seen);
		if (panicked && !panic_at)
			panic_at = now;
		if (panic_at && now - panic_at >= VM_PANIC_GRACE_MS * 1000000ULL) {
			pthread_mutex_unlock(&vm->lock);
			vm_before_end(vm, "panic");
			vm_stop(vm, VM_END_CRASH, "kernel panic");
			pthread_mutex_lock(&vm->lock);
			break;
		}
		if (deadline && wake > deadline)
			wake = deadline;
		vm_deadline(&ts, wake);
		pthread_cond_timedwait(&vm->cond, &vm->lock, &ts);
	}
	pthread_mutex_unlock(&vm->lock);
}

void vm_devices_pause(struct vm *vm)
{
	for (u32 i = 0; i < vm->nr_attached; i++)
		if (vm->cfg.devices[i].ops->pause)
			vm->cfg.devices[i].ops->pause(vm, &vm->cfg.devices[i]);
}

void vm_devices_resume(struct vm *vm)
{
	for (u32 i = vm->nr_attached; i-- > 0;)
		if (vm->cfg.devices[i].ops->resume)
			vm->cfg.devices[i].ops->resume(vm, &vm->cfg.devices[i]);
}

/*
 * After the vCPUs: stop the I/O thread and let each device process what
 * the guest queued but nobody has read yet (Linux's port write returns
 * once the buffer is in the ring, so a guest that powers off right after
 * writing leaves data there).
 */
static void vm_drain(struct vm *vm)
{
	if (!vm->io_ready || vm->io_stuck)
		return;
	/* Already stopped by vm_stop_vcpus(): returns at once. */
	if (!ioloop_stop(&vm->io, VM_IO_STOP_MS)) {
		vm->io_stuck = true;
		return;
	}
	for (u32 i = 0; i < vm->nr_attached; i++) {
		struct vm_device *d = &vm->cfg.devices[i];

		if (d->ops->drain)
			d->ops->drain(vm, d);
	}
}

/*
 * A vCPU that has not stopped this long may be waiting for a device's lock
 * that an I/O-thread handler holds while it blocks (a relay writing to a
 * stdout nobody reads): the I/O thread is stopped then, which interrupts
 * the handler, and the vCPU gets the lock and its stop request.
 */
#define VM_JOIN_IO_MS 500

/* Stop every vCPU and join its thread; returns how many threads were joined. */
static u32 vm_stop_vcpus(struct vm *vm)
{
	u64 now = clock_now_ns(), give_up = now + VM_JOIN_LIMIT_MS * 1000000ULL;
	u64 stop_io = now + VM_JOIN_IO_MS * 1000000ULL;
	u32 i, joined = 0, live;

	atomic_store(&vm->console.stop_stream, true);
	for (i = 0; i < vm->cfg.nr_cpus; i++)
		atomic_fetch_or(&vm->vcpus[i].requests, VCPU_REQ_STOP);
	do {
		live = 0;
		for (i = 0; i < vm->cfg.nr_cpus; i++) {
			struct vcpu *v = &vm->vcpus[i];

			if (!v->thread_started)
				continue;
			vcpu_kick(v);
			if (vcpu_timedjoin(v, 20)) {
				if (v->thread_started) {
					joined++;
					v->thread_started = false;
				}
			} else {
				live++;
			}
		}
		if (live && vm->io_ready && !vm->io_stuck && clock_now_ns() >= stop_io &&
		    !ioloop_stop(&vm->io, VM_IO_STOP_MS))
			vm->io_stuck = true;
	} while (live && clock_now_ns() < give_up);
	return joined;
}

/* Add bus's regions that took accesses to res->sites, which stays sorted, most hits first. */
static void vm_result_sites(struct vm_result *res, struct bus *bus)
{
	for (u32 i = 0; i < bus->nr; i++) {
		struct bus_region *r = bus->regions[i];
		u64 hits = atomic_load(&r->hits);
		u32 at;

		if (!hits)
			continue;
		for (at = res->nr_sites; at > 0 && res->sites[at - 1].hits < hits; at--)
			;
		if (at == VM_EXIT_SITES)
			continue;
		if (res->nr_sites < VM_EXIT_SITES)
			res->nr_sites++;
		memmove(&res->sites[at + 1], &res->sites[at],
			(res->nr_sites - 1 - at) * sizeof(res->sites[0]));
		res->sites[at] =
		    (struct vm_exit_site){.bus = bus->name, .base = r->base, .hits = hits};
		snprintf(res->sites[at].name, sizeof(res->sites[at].name), "%s",
			 r->name ? r->name : "?");
	}
}

int vm_run(struct vm *vm, struct vm_result *res)
{
	u64 t_start = clock_now_ns(), t_first, t_end;
	u32 i, started = 0;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (!vm->finished)
		return error_host(-EINVAL, "vm_run(): the VM was begun but not finished (vm_finish())");
	pthread_mutex_lock(&vm->run_lock);
	vm->running = true;
	pthread_mutex_unlock(&vm->run_lock);
	/*
	 * The boot vCPU first, then the I/O thread, then the others: the
	 * guest needs neither for a while (a notification before the I/O
	 * thread runs waits in its eventfd), and each thread costs about
	 * 0.1 ms to start.
	 */
	for (i = 0; i < vm->cfg.nr_cpus && ret == 0; i++) {
		ret = vm_vcpu_start(vm, i);
		if (ret < 0) {
			vm_stop(vm, VM_END_ERROR, "%s", error_msg());
			break;
		}
		started++;
		if (i == 0 && vm->io.nr) {
			ret = ioloop_start(&vm->io);
			if (ret < 0)
				vm_stop(vm, VM_END_ERROR, "%s", error_msg());
		}
	}
	if (ret == 0)
		vm_wait(vm, t_start);
	res->threads_joined = vm_stop_vcpus(vm);
	t_end = clock_now_ns();
	vm_drain(vm);
	/* The drain writes guest memory too (rings): a lease break waits for it. */
	if (res->threads_joined == started) {
		pthread_mutex_lock(&vm->run_lock);
		vm->running = false;
		pthread_mutex_unlock(&vm->run_lock);
	}

	res->nr_vcpus = vm->cfg.nr_cpus;
	res->end = vm->end;
	snprintf(res->detail, sizeof(res->detail), "%s", vm->end_detail);
	res->timed_out = vm->end == VM_END_TIMEOUT;
	t_first = atomic_load(&vm->t_first_run_ns);
	if (!t_first)
		t_first = t_start;
	res->setup_ns = t_first - vm->cfg.t_start_ns;
	if (atomic_load(&vm->t_all_run_ns))
		res->setup_all_ns = atomic_load(&vm->t_all_run_ns) - vm->cfg.t_start_ns;
	res->kernel_mapped = vm->kernel_mapped;
	res->initrd_mapped = vm->initrd_mapped;
	res->kernel_leased = vm->kernel_leased;
	res->initrd_leased = vm->initrd_leased;
	for (i = 0; i < vm->begin_done; i++)
		res->steps[res->nr_steps++] =
		    (struct vm_setup_step){.name = vm_begin_phases[i].name, .ns = vm->begin_ns[i]};
	for (i = 0; i < vm->phases_done; i++)
		res->steps[res->nr_steps++] =
		    (struct vm_setup_step){.name = vm_phases[i].name, .ns = vm->phase_ns[i]};
	for (i = 0; i < ARRAY_SIZE(vm_build_phases); i++)
		res->build_steps[res->nr_build_steps++] = (struct vm_setup_step){
		    .name = vm_build_phases[i].name, .ns = vm->build.ns[i]};
	res->steps[res->nr_steps++] =
	    (struct vm_setup_step){.name = "start", .ns = t_first - t_start};
	res->duration_ns = t_end - t_first;
	/* The console's clock starts at process start. */
	if (vm->console.init_ns && vm->cfg.t_start_ns + vm->console.init_ns > t_first)
		res->init_ns = vm->cfg.t_start_ns + vm->console.init_ns - t_first;
	/* A kernel that panicked and then rebooted (panic=-1) crashed. */
	if (atomic_load(&vm->console.panic_seen) && res->end != VM_END_TIMEOUT) {
		res->end = VM_END_CRASH;
		snprintf(res->detail, sizeof(res->detail), "%.200s", vm->console.panic_line);
	}
	for (i = 0; i < vm->cfg.nr_cpus; i++)
		for (u32 r = 0; r < VCPU_EXIT_REASONS; r++)
			res->exits[r] += vm->vcpus[i].exits[r];
	vm_result_sites(res, &vm->pio);
	vm_result_sites(res, &vm->mmio);
	res->unclaimed_pio = atomic_load(&vm->pio.unclaimed);
	res->unclaimed_mmio = atomic_load(&vm->mmio.unclaimed);
	res->console = conlog_text(&vm->console, &res->console_len);
	res->console_dropped = vm->console.dropped;
	if (res->threads_joined != started)
		return error_host(-ETIMEDOUT, "%u of %u vCPU threads did not stop",
				  started - res->threads_joined, started);
	if (vm->io_stuck)
		return error_host(-ETIMEDOUT, "the I/O thread did not stop within %u ms",
				  VM_IO_STOP_MS);
	return 0;
}

void vm_result_steps_prepend(struct vm_result *res, const struct vm_setup_step *s, u32 n)
{
	n = MIN(n, (u32)VM_SETUP_STEPS - res->nr_steps);
	memmove(&res->steps[n], &res->steps[0], res->nr_steps * sizeof(res->steps[0]));
	memcpy(&res->steps[0], s, n * sizeof(*s));
	res->nr_steps += n;
}

void vm_result_free(struct vm_result *res)
{
	free(res->console);
	res->console = NULL;
}
