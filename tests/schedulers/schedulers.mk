# ktvm's fixture sched_ext scheduler, ktvm_fifo (tests/schedulers/), for ARCH.
# Included by the top-level Makefile.
#
#   make ktvm-fifo     $(SCHED_OUT)/ktvm_fifo: a static loader with its BPF
#                      program inside (bpftool skeleton)
#
# It is built like the upstream schedulers of `make schedulers`
# (scripts/build-schedulers.sh), from the same toolchain, which that build
# makes first: the Debian 7.x kernel's own tree (its tools/sched_ext
# headers), a host bpftool and a target libbpf built from that tree, and
# vmlinux.h from the kernel's BTF (ktvm btf --c-header). The defaults below
# are where that build puts them; set a variable to use another.

SCX_SRC ?= $(KTVM_CACHE)/debian/$(ARCH_DEB_ARCH)/linux-7/src
SCHED_OUT ?= $(BUILD)/schedulers
SCX_OBJ ?= $(SCHED_OUT)/obj
CLANG ?= clang-19
# The tree's bpftool, named by its upstream version (linux-7.3.4 -> bpftool-7.3.4).
SCX_UPSTREAM = $(patsubst linux-%,%,$(notdir $(realpath $(SCX_SRC))))
BPFTOOL ?= $(KTVM_CACHE)/tools/bpftool-$(SCX_UPSTREAM)/bootstrap/bpftool
SCX_LIBBPF_A ?= $(SCX_OBJ)/libbpf/libbpf.a
# Holds bpf/*.h (libbpf's install_headers) and vmlinux.h.
SCX_LIBBPF_INCLUDE ?= $(SCX_OBJ)/include
SCX_VMLINUX_H ?= $(SCX_OBJ)/include/vmlinux.h

KTVM_FIFO := $(SCHED_OUT)/ktvm_fifo
KTVM_FIFO_OBJ := $(SCHED_OUT)/obj/ktvm_fifo
KTVM_FIFO_TOOLCHAIN = $(SCX_SRC)/tools/sched_ext/include/scx/common.bpf.h $(BPFTOOL) \
		      $(SCX_LIBBPF_A) $(SCX_VMLINUX_H)

# clang's own system include directories, after the BPF ones, as
# tools/sched_ext/Makefile adds them (asm/ headers the BPF target lacks).
KTVM_FIFO_SYS_INCLUDES = $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
KTVM_FIFO_BPF_CFLAGS = -g -O2 -mcpu=v3 -mlittle-endian -D__TARGET_ARCH_$(ARCH_BPF_TARGET) \
	-I$(dir $(SCX_VMLINUX_H)) -I$(SCX_SRC)/tools/sched_ext/include \
	-I$(SCX_SRC)/tools/sched_ext/include/bpf-compat -I$(SCX_LIBBPF_INCLUDE) \
	-I$(SCX_SRC)/tools/include/uapi $(KTVM_FIFO_SYS_INCLUDES) \
	-Wall -Werror -Wno-compare-distinct-pointer-types -Wno-microsoft-anon-tag -fms-extensions
# The tree's libbpf and uapi headers before the system's (Debian 12's libbpf is 1.1).
KTVM_FIFO_CFLAGS = -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE \
	-I$(KTVM_FIFO_OBJ) -Itests/schedulers -I$(SCX_LIBBPF_INCLUDE) \
	-I$(SCX_SRC)/tools/sched_ext/include -I$(SCX_SRC)/tools/include/uapi -MMD -MP

.PHONY: ktvm-fifo
ktvm-fifo: $(KTVM_FIFO)

# A missing toolchain file stops here, saying which and what makes it.
$(KTVM_FIFO_TOOLCHAIN):
	@echo "ktvm-fifo: $@ is missing: build the sched_ext toolchain for ARCH=$(ARCH) first (make schedulers)" >&2
	@exit 1

$(KTVM_FIFO_OBJ)/ktvm_fifo.bpf.o: tests/schedulers/ktvm_fifo.bpf.c $(KTVM_FIFO_TOOLCHAIN)
	@mkdir -p $(@D)
	$(CLANG) $(KTVM_FIFO_BPF_CFLAGS) -target bpf -c -o $@ $<

# bpftool gen object links the object (static functions resolved, BTF
# deduplicated) as tools/sched_ext does before making the skeleton.
$(KTVM_FIFO_OBJ)/ktvm_fifo.bpf.skel.h: $(KTVM_FIFO_OBJ)/ktvm_fifo.bpf.o $(BPFTOOL)
	$(BPFTOOL) gen object $(KTVM_FIFO_OBJ)/ktvm_fifo.linked.o $<
	$(BPFTOOL) gen skeleton $(KTVM_FIFO_OBJ)/ktvm_fifo.linked.o name ktvm_fifo > $@.tmp
	@mv $@.tmp $@

$(KTVM_FIFO_OBJ)/ktvm_fifo.o: tests/schedulers/ktvm_fifo.c $(KTVM_FIFO_OBJ)/ktvm_fifo.bpf.skel.h
	$(CC) $(KTVM_FIFO_CFLAGS) -c -o $@ $<

# The loader's pure part, for the guest: built with the loader's flags, not
# ktvm's (make SANITIZE=1 must not put ASan into a static guest program).
$(KTVM_FIFO_OBJ)/ktvm_fifo_cli.o: tests/schedulers/ktvm_fifo_cli.c
	@mkdir -p $(@D)
	$(CC) $(KTVM_FIFO_CFLAGS) -c -o $@ $<

# Static: the guest has no libbpf, libelf or zlib of its own.
$(KTVM_FIFO): $(KTVM_FIFO_OBJ)/ktvm_fifo.o $(KTVM_FIFO_OBJ)/ktvm_fifo_cli.o \
		$(SCX_LIBBPF_A)
	@mkdir -p $(@D)
	$(CC) -static -o $@ $^ -lelf -lz

# The loader's pure part, tested on any host.
$(BUILD)/tests/unit/test_ktvm_fifo_cli: $(BUILD)/tests/schedulers/ktvm_fifo_cli.o
