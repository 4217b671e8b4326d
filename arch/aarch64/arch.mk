# aarch64 backend build settings (see the top-level Makefile).
# libfdt-dev is not multi-arch in Debian 12: scripts/deps.sh extracts the
# arm64 package into $(KTVM_CACHE)/sysroot-arm64 and its pkg-config file is
# found from there.
ARCH_CROSS_COMPILE := aarch64-linux-gnu-
ARCH_DEB_ARCH := arm64
ARCH_SYSROOT := $(KTVM_CACHE)/sysroot-arm64
ARCH_PKG_CONFIG_LIBDIR := /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
ARCH_TARGET_RUN := qemu-aarch64-static -L /usr/aarch64-linux-gnu
ARCH_LIB_LDFLAGS :=
# libfdt-dev:arm64, extracted by scripts/deps.sh
ARCH_LIBDIR := $(ARCH_SYSROOT)/usr/lib/aarch64-linux-gnu
