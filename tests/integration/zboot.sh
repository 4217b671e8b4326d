# shellcheck shell=sh
# zboot_wrap IMAGE OUT: IMAGE gzipped inside an EFI zboot header, as
# CONFIG_EFI_ZBOOT builds vmlinuz.efi (drivers/firmware/efi/libstub/
# zboot-header.S; little-endian): "MZ", the image type "zimg", the
# payload's offset (512) and size, two reserved words, the compression name
# "gzip" NUL-padded to 0x38, the Linux PE magic, the PE header's offset
# (0x40), then "PE\0\0" and the machine (arm64) of a COFF header with no
# sections, which ktvm does not read; the gzip stream from byte 512. POSIX
# sh that busybox ash runs too (run.sh in the nested L1; scripts/fuzz-seeds.sh).

zboot_le32() { # N: 4 little-endian bytes
	# shellcheck disable=SC2059 # the format is the bytes, as octal escapes
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}

zboot_wrap() { # IMAGE OUT
	gzip -1 -c "$1" >"$2.payload" || return 1
	zboot_n=$(wc -c <"$2.payload")
	{
		printf 'MZ\0\0zimg'
		zboot_le32 512
		zboot_le32 "$zboot_n"
		zboot_le32 0
		zboot_le32 0
		printf 'gzip'
		head -c 28 /dev/zero
		zboot_le32 $((0x818223cd))
		zboot_le32 64
		printf 'PE\0\0\144\252'
		head -c $((512 - 70)) /dev/zero
		cat "$2.payload"
	} >"$2"
	rm -f "$2.payload"
}
