/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM object and its lifecycle.
 *
 *   vm_begin()   maps guest RAM and starts KVM's part of the setup (open
 *                KVM, create the VM, its memory slots, the arch platform,
 *                the vCPUs) on a build thread of its own, then returns: the
 *                caller's own preparation, and vm_finish()'s, overlap it.
 *   vm_finish()  runs the rest of the ordered setup phases (devices, inputs,
 *                kernel load), sets each vCPU up as soon as the build thread
 *                has made it, then attaches the devices; on failure it
 *                unwinds what both did and returns a message in
 *                core/base/error.h. The build thread then waits to run
 *                vCPU 0 for vm_run().
 *   vm_create()  both, for a caller with nothing to overlap.
 *   vm_run()     starts one thread per vCPU, waits until the guest shuts down,
 *                reboots, crashes, or the timeout passes, then stops and joins
 *                every vCPU thread and fills a struct vm_result. -ETIMEDOUT
 *                when a vCPU thread or the I/O thread would not stop: they
 *                still use the VM, so the caller must not vm_destroy() it.
 *   vm_destroy() tears everything down.
 */
#ifndef KTVM_CORE_VM_H
#define KTVM_CORE_VM_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/base/error.h"
#include "core/vm/bus.h"
#include "core/vm/conlog.h"
#include "core/vm/device.h"
#include "core/vm/freeze.h"
#include "core/vm/ioloop.h"
#include "core/vm/resources.h"
#include "core/vm/topology.h"
#include "core/base/types.h"
#include "core/vm/vcpu.h"
#include "ktvm-arch.h"

#define VM_MAX_MEM_SLOTS 8
#define VM_MAX_CMDLINE	 4096
#define VM_RAW_MAX	 0x10000ULL /* bytes of raw guest code (vm_config.raw) */

struct vm_config {
	const char *kernel;
	const char *kernel_name; /* the kernel as the user named it, for messages; NULL: kernel */
	/*
	 * The kernel file never changes while the VM lives (the kernel cache's
	 * files: content-named, replaced only by rename): its pages may be
	 * mapped into guest RAM copy-on-write instead of copied
	 * (vm_load_kernel()). A file that can be rewritten in place must not
	 * be: the guest would see the new bytes, or a truncation would fault.
	 */
	bool kernel_mappable;
	const char *initrd; /* NULL: none */
	/*
	 * An initramfs archive the guest gets in front of initrd (NULL: none):
	 * the initramfs cache's base, which never changes once written, so it
	 * is mapped into guest RAM rather than copied (vm_load_initrd()).
	 */
	const char *initrd_base;
	const char *cmdline; /* the user's; appended after ktvm's defaults, wins over them */
	u32 nr_cpus;
	u64 mem_size; /* bytes */
	/*
	 * NUMA nodes, LLCs, cores, threads (core/vm/topology.h), finished with
	 * topology_finish(); NULL: one node, one LLC, nr_cpus cores. It must
	 * agree with nr_cpus and mem_size.
	 */
	const struct topology *topo;
	u64 timeout_ms; /* 0: none */
	int console_fd; /* live copy of the console, -1: none */
	u64 t_start_ns; /* process start, for setup timing (clock_now_ns()) */
	/*
	 * The devices beyond the arch's platform (core/vm/device.h), in the
	 * order they are planned and attached; the array must outlive the VM.
	 */
	struct vm_device *devices;
	u32 nr_devices;
	/*
	 * Raw boot (tests/kvm): instead of a kernel, raw_len bytes of guest code
	 * at raw, loaded and started on every vCPU by arch_boot_raw()
	 * (core/vm/arch.h); kernel and initrd are not read. NULL: a kernel.
	 */
	const u8 *raw;
	size_t raw_len;
};

/* How a run ended. Order matters only for the names in vm_end_name(). */
enum vm_end {
	VM_END_NONE = 0,
	VM_END_POWEROFF, /* guest powered off */
	VM_END_REBOOT,	 /* guest asked for a reset (i8042, ACPI reset, PSCI) */
	VM_END_CRASH,	 /* kernel panic, triple fault, KVM internal error */
	VM_END_TIMEOUT,	 /* the wall-clock timeout passed */
	VM_END_ERROR,	 /* the host side failed (KVM_RUN error) */
	VM_END_WATCH,	 /* a watchpoint with the stop action fired */
	VM_END_SIGNAL,	 /* the host asked it to end (vm_interrupt(): ktvm got SIGINT) */
};

/* Where exits went: a bus region (a device) and the accesses it took. */
#define VM_EXIT_SITES 16
struct vm_exit_site {
	const char *bus; /* "pio" or "mmio" */
	char name[40];	 /* the region's */
	u64 base;
	u64 hits;
};

/* One step of the setup before the first KVM_RUN, and what it took. */
#define VM_SETUP_STEPS 32
#define VM_BUILD_STEPS 8
struct vm_setup_step {
	const char *name; /* static: a phase's or the caller's */
	u64 ns;
};

struct vm_result {
	enum vm_end end;
	char detail[256]; /* what ended it: "i8042 reset", "triple fault on vcpu 2", ... */
	bool timed_out;
	u64 setup_ns;	 /* process start to the first KVM_RUN */
	/*
	 * process start to the last vCPU's first KVM_RUN (the others may set
	 * up on their own threads while the first runs: arch_vcpu_prepare());
	 * 0 if not every vCPU got there
	 */
	u64 setup_all_ns;
	u64 duration_ns; /* first KVM_RUN to the end of the run */
	u64 init_ns;	 /* first KVM_RUN to the kernel starting init, 0 if never */
	char *console;	 /* NUL-terminated capture of the kernel console */
	size_t console_len;
	u64 console_dropped;
	u32 nr_vcpus;
	u32 threads_joined;
	u64 exits[VCPU_EXIT_REASONS]; /* KVM exits by KVM_EXIT_* reason, all vCPUs */
	/* The regions that took the most accesses, most first; and those no region took. */
	struct vm_exit_site sites[VM_EXIT_SITES];
	u32 nr_sites;
	u64 unclaimed_pio, unclaimed_mmio;
	/*
	 * Where setup_ns went: vm_create()'s phases in order, then "start"
	 * (vm_run() to the first KVM_RUN). The caller may put its own steps
	 * in front (vm_result_steps_prepend()).
	 */
	struct vm_setup_step steps[VM_SETUP_STEPS];
	u32 nr_steps;
	/* The build thread's steps (vm_begin()), beside the steps above: "join" waited for them. */
	struct vm_setup_step build_steps[VM_BUILD_STEPS];
	u32 nr_build_steps;
	/* bytes mapped from the files rather than copied (vm_load_kernel(), vm_load_initrd()) */
	u64 kernel_mapped, initrd_mapped;
	/* the user's file was mapped under a lease (file_lease()), not copied */
	bool kernel_leased, initrd_leased;
};

struct vm_debug;

/*
 * Hooks through which a subsystem (the debugger, core/debug/) takes part in
 * a run without the runtime knowing it. Set them before vm_run(): the vCPU
 * threads read them without a lock.
 *
 *   exit     an exit reason's handler, called on the vCPU's thread before
 *            the runtime's own handling: 0 to run on, 1 to stop this vCPU.
 *   request  VCPU_REQ_HOOK, on the vCPU's thread: <0 stops this vCPU.
 *   end      the run is ending before the guest finished ("timeout": it did
 *            not finish in time; "panic": it panicked and did not reboot;
 *            "signal": vm_interrupt() asked it to end),
 *            called on the thread in vm_run() before the vCPUs are stopped,
 *            while the guest is still as it was.
 */
typedef int (*vm_exit_fn)(void *ctx, struct vcpu *vcpu, struct kvm_run *run);
typedef int (*vm_request_fn)(void *ctx, struct vcpu *vcpu);
typedef void (*vm_end_fn)(void *ctx, struct vm *vm, const char *why);

struct vm_hooks {
	struct {
		vm_exit_fn fn;
		void *ctx;
	} exit[VCPU_EXIT_REASONS];
	vm_request_fn request;
	void *request_ctx;
	vm_end_fn end;
	void *end_ctx;
};

struct vm_mem_slot {
	u64 gpa;
	u64 size;
	u8 *hva;
};

struct vm {
	struct vm_config cfg;
	int kvm_fd;
	int fd;
	size_t run_size; /* mmap size of struct kvm_run */
	struct vm_mem_slot mem[VM_MAX_MEM_SLOTS];
	u32 nr_mem;
	struct bus pio;
	struct bus mmio;
	struct vcpu *vcpus; /* cfg.nr_cpus entries */
	struct conlog console;
	struct resources res; /* MMIO windows and lines of ktvm's devices */
	struct topology topo; /* always set: cfg.topo or the flat default */
	struct ioloop io;     /* the I/O thread: the devices' notifications */
	bool io_ready;	      /* io initialised (the "attach" phase) */
	bool io_stuck;	      /* a handler did not stop: the VM must not be freed */
	u32 nr_attached;      /* cfg.devices[] attached so far */
	char cmdline[VM_MAX_CMDLINE];
	/* Input files, mapped and checked while KVM builds the VM; unmapped once loaded. */
	u8 *kernel_img;
	size_t kernel_len;
	int kernel_fd;	   /* the kernel file, open while guest RAM may map it; -1: none */
	bool kernel_leased; /* a lease on it keeps its bytes (file_lease()): mapped */
	u64 kernel_mapped; /* bytes vm_load_kernel() mapped rather than copied */
	u64 initrd_mapped; /* likewise, vm_load_initrd() */
	u8 *initrd_img;	   /* cfg.initrd's bytes */
	size_t initrd_img_len;
	int initrd_fd;	    /* cfg.initrd, likewise */
	bool initrd_leased; /* likewise */
	u8 *initrd_base_img; /* cfg.initrd_base's bytes */
	size_t initrd_base_len;
	int initrd_base_fd; /* to map it from; -1: none */
	size_t initrd_len;  /* the guest's initrd: the base, padded to 4 bytes, then initrd */

	pthread_mutex_t lock; /* guards end, end_detail */
	pthread_cond_t cond;  /* signalled when end is set */
	enum vm_end end;
	char end_detail[256];
	char interrupt[64]; /* vm_interrupt()'s reason; "" while none */
	atomic_ullong t_first_run_ns;
	atomic_uint nr_first_run;  /* vCPUs that reached their first KVM_RUN */
	atomic_ullong t_all_run_ns; /* when the last of them did */

	struct freeze freeze; /* core/vm/freeze.h */
	/*
	 * vCPU threads or devices may write guest memory (vm_run() from the
	 * start of the vCPU threads to the end of the devices' drain): a
	 * lease break then parks the vCPUs and pauses the devices while it
	 * replaces guest pages (load.c), holding run_lock throughout.
	 */
	pthread_mutex_t run_lock;
	bool running;
	bool lease_frozen; /* under run_lock: that break's freeze is to be thawed */
	struct vm_hooks hooks;
	struct vm_debug *debug; /* owned by core/debug/debug.h; NULL: not attached */

	/*
	 * Setup: vm_begin()'s phases, the build thread's, vm_finish()'s
	 * (vm.c), how many of each completed and their times.
	 */
	size_t begin_done, phases_done;
	u64 begin_ns[VM_BUILD_STEPS];
	u64 phase_ns[VM_SETUP_STEPS];
	struct {
		pthread_t thread;
		bool live; /* started, not joined yet */
		/*
		 * Under lock: vCPUs created so far (vm->vcpus[0..created-1]),
		 * which the caller's thread sets up while the rest are made;
		 * over once the thread's phases ended; using while the caller's
		 * thread sets one up (a failed build waits before freeing them).
		 */
		pthread_mutex_t lock;
		pthread_cond_t cond;
		u32 created;
		bool over, using;
		/*
		 * Also under lock: a build on a thread of its own (threaded)
		 * then waits (parked) to become vCPU 0's thread (handoff, from
		 * vm_run()), unless the VM goes away first (quit).
		 */
		bool threaded, parked, quit;
		struct vcpu *handoff;
		size_t done;
		u64 ns[VM_BUILD_STEPS];
		int ret; /* its phases' result; its error, to say on the caller's thread */
		enum error_kind kind;
		char msg[512];
	} build;
	bool finished; /* vm_finish() succeeded */
	struct arch_vm arch;
};

/*
 * Begin a VM of shape's vCPUs, memory and topology (nr_cpus, mem_size,
 * topo; the rest of shape is not read). 0 and *out, or a negative errno
 * with a message (an impossible shape, no memory). Errors of the build
 * thread (no KVM) are said by vm_finish(), after its own checks of the
 * inputs, as before. *out goes to vm_finish() or vm_destroy().
 */
int vm_begin(struct vm **out, const struct vm_config *shape);
/*
 * Complete *vm with cfg, whose nr_cpus, mem_size and topology must be
 * vm_begin()'s. On failure the VM is destroyed, *vm set to NULL, and a
 * negative errno returned with a message.
 */
int vm_finish(struct vm **vm, const struct vm_config *cfg);
int vm_create(struct vm **out, const struct vm_config *cfg);
/* The kernel's name for messages: as the user gave it (vm_config.kernel_name) or its path. */
static inline const char *vm_kernel_name(const struct vm *vm)
{
	return vm->cfg.kernel_name ? vm->cfg.kernel_name : vm->cfg.kernel;
}

int vm_run(struct vm *vm, struct vm_result *res);
void vm_destroy(struct vm *vm);
void vm_result_free(struct vm_result *res);
/* Put n steps before res's own, as many as fit; the list keeps its order. */
void vm_result_steps_prepend(struct vm_result *res, const struct vm_setup_step *s, u32 n);

/* Ask the run to end; the first reason given wins. Safe from any thread. */
void vm_stop(struct vm *vm, enum vm_end why, const char *fmt, ...) __printf(3, 4);
bool vm_stopping(struct vm *vm);
/*
 * Ask the run to end as VM_END_SIGNAL with detail why, as the timeout ends
 * it: the end hook runs first (a dump with --dump-dir), then the vCPUs
 * stop. Safe from any thread (not from a signal handler), before vm_run()
 * too: the run then ends as soon as it starts. The first reason is kept.
 */
void vm_interrupt(struct vm *vm, const char *why);

/* Host pointer for [gpa, gpa+len), or NULL unless it lies within one RAM slot. */
void *vm_gpa(struct vm *vm, u64 gpa, u64 len);
/* Copy len bytes of guest RAM at gpa (vm is a struct vm; core/debug/gva.h reader): 0 or -EFAULT. */
int vm_read_gpa(void *vm, u64 gpa, void *buf, size_t len);
/*
 * A RAM slot of size bytes at gpa (arch_vm_memory_layout()): its memory is
 * mapped now, and registered with KVM by the build thread.
 */
int vm_mem_add(struct vm *vm, u64 gpa, u64 size);
/*
 * Put the kernel file's bytes [off, off + filesz) at guest address gpa,
 * then memsz - filesz zero bytes. Where the file may be mapped
 * (vm_config.kernel_mappable, or a lease was taken on it: kernel_leased)
 * and the file offset and gpa agree modulo the
 * page size, whole pages are mapped copy-on-write from the file; the rest
 * is copied. The range must lie in one RAM slot: -EFAULT otherwise, and
 * -EINVAL for a span outside the file.
 */
int vm_load_kernel(struct vm *vm, u64 gpa, u64 off, u64 filesz, u64 memsz);
/*
 * Put the initrd (initrd_len bytes: cfg.initrd_base, zeros to a multiple
 * of 4, cfg.initrd; initramfs archives may follow one another so, the
 * kernel's buffer-format.rst) at gpa, page-aligned; the base's whole pages
 * mapped, and cfg.initrd's too when leased (initrd_leased). 0, -EFAULT
 * outside RAM, -ENOMEM.
 */
int vm_load_initrd(struct vm *vm, u64 gpa);
/* The initrd's name for messages. */
static inline const char *vm_initrd_name(const struct vm *vm)
{
	return vm->cfg.initrd ? vm->cfg.initrd : vm->cfg.initrd_base;
}
/*
 * Every attached device stops writing guest memory (device.h pause), and
 * goes on again, in reverse order. With the vCPUs frozen, from a thread
 * that is neither a vCPU's nor the I/O thread (core/vm/load.c).
 */
void vm_devices_pause(struct vm *vm);
void vm_devices_resume(struct vm *vm);
/* Total guest RAM in bytes. */
u64 vm_mem_total(const struct vm *vm);

const char *vm_end_name(enum vm_end end);

/* Register a hook (struct vm_hooks); before vm_run(). -EINVAL: no such exit reason. */
int vm_set_exit_handler(struct vm *vm, u32 exit_reason, vm_exit_fn fn, void *ctx);
void vm_set_request_handler(struct vm *vm, vm_request_fn fn, void *ctx);
void vm_set_end_handler(struct vm *vm, vm_end_fn fn, void *ctx);
/* Set req on every vCPU and kick it. */
void vm_request_all(struct vm *vm, enum vcpu_request req);

#endif
