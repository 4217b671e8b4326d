# aarch64 backend build settings (see the top-level Makefile).
# libfdt-dev is not multi-arch in Debian 12: scripts/deps.sh extracts the
# arm64 package into $(KTVM_CACHE)/sysroot-arm64 and its pkg-config file is
# found from there.
ARCH_CROSS_COMPILE := aarch64-linux-gnu-
ARCH_DEB_ARCH := arm64
ARCH_SYSROOT := $(KTVM_CACHE)/sysroot-arm64
ARCH_PKG_CONFIG_LIBDIR := /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
# -E LD_LIBRARY_PATH: load the cross libc that matches the cross loader, not
# the host's libc6:arm64 (a mismatched pair hangs in pthread_create).
ARCH_TARGET_RUN := qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib
ARCH_LIB_LDFLAGS :=
# libfdt-dev:arm64, extracted by scripts/deps.sh
ARCH_LIBDIR := $(ARCH_SYSROOT)/usr/lib/aarch64-linux-gnu
# Debug hooks (core/debug/arch.h): watchpoints, debug exits, page walks, dumps.
# (debugreg.c stays: every vCPU embeds the step-over state at creation.)
ARCH_HAS_DEBUG := y
ARCH_DEBUG_SRCS := debug.c ptwalk.c
# The kernel's name for this arch in BPF programs (-D__TARGET_ARCH_arm64: bpf_tracing.h).
ARCH_BPF_TARGET := arm64
