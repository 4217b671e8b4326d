# x86_64 backend build settings (see the top-level Makefile).
ARCH_CROSS_COMPILE := x86_64-linux-gnu-
ARCH_DEB_ARCH := amd64
ARCH_PKG_CONFIG_LIBDIR := /usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig
ARCH_TARGET_RUN := qemu-x86_64-static
ARCH_LIB_LDFLAGS :=
