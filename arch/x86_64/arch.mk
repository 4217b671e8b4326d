# x86_64 backend build settings (see the top-level Makefile).
ARCH_CROSS_COMPILE := x86_64-linux-gnu-
ARCH_DEB_ARCH := amd64
ARCH_PKG_CONFIG_LIBDIR := /usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig
ARCH_TARGET_RUN := qemu-x86_64-static
ARCH_LIB_LDFLAGS :=
# Debug hooks (core/debug/arch.h): watchpoints, debug exits, page walks, dumps.
ARCH_HAS_DEBUG := y
ARCH_DEBUG_SRCS := debug.c debugreg.c ptwalk.c
# The kernel's name for this arch in BPF programs (-D__TARGET_ARCH_x86: bpf_tracing.h).
ARCH_BPF_TARGET := x86
