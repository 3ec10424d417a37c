#!/usr/bin/env bash
# Checks that a Linux x86_64 library of ours loads on older distributions:
#   ci/check-linux-so.sh path/to/libwebsocket_peer.so [max glibc, default 2.28]
# Fails when it needs a glibc symbol version newer than the maximum, when it
# needs a library beyond glibc's own and libgcc_s (a system libssl/libcrypto
# above all: OpenSSL must be linked in), or when it lacks the GDExtension
# entry point. Reads the ELF headers only (objdump -p, -T); prints what it found.
set -euo pipefail

source "$(dirname "$0")/log.sh" check-linux-so

lib=${1:?usage: ci/check-linux-so.sh LIB.so [MAX_GLIBC]}
max=${2:-2.28}
[[ -f "$lib" ]] || die "$lib not found"
command -v objdump >/dev/null || die "objdump not found (Debian: apt-get install binutils)"

headers=$(objdump -p "$lib") || die "objdump -p $lib: not an ELF file?"
grep -q 'file format elf64-x86-64' <<<"$headers" || die "$lib is not an x86_64 ELF file"

# What the dynamic loader must find: the NEEDED entries.
mapfile -t needed < <(awk '$1 == "NEEDED" { print $2 }' <<<"$headers")
say "NEEDED: ${needed[*]:-(none)}"
for n in "${needed[@]}"; do
  case "$n" in
    libssl.so*|libcrypto.so*)
      die "$lib needs the system's OpenSSL ($n): build it with --features vendored-tls" ;;
    libc.so.6|libm.so.6|libpthread.so.0|libdl.so.2|librt.so.1|libutil.so.1|ld-linux-x86-64.so.2|libgcc_s.so.1) ;;
    *) die "$lib needs $n, which an older or minimal distribution may not have" ;;
  esac
done

# The newest glibc symbol version it references (Version References).
glibc=$(grep -oE '\bGLIBC_[0-9]+(\.[0-9]+)+\b' <<<"$headers" | sed 's/^GLIBC_//' | sort -uV | tail -n1)
[[ -n "$glibc" ]] || die "no GLIBC_ version references in $lib: not a glibc library?"
newest=$(printf '%s\n%s\n' "$glibc" "$max" | sort -V | tail -n1)
if [[ "$newest" != "$max" ]]; then
  # objdump -T: "... DF *UND* ... (GLIBC_2.34) symbol"
  syms=$(objdump -T "$lib" | awk -v v="(GLIBC_$glibc)" 'index($0, v) { print $NF }' | sort -u | paste -sd' ' -)
  die "$lib needs GLIBC_$glibc (newer than $max) for: $syms"
fi
say "newest glibc symbol version: GLIBC_$glibc (allowed: up to $max)"

dynsyms=$(objdump -T "$lib") || die "objdump -T $lib"
grep -qE '[[:space:]]gdext_rust_init$' <<<"$dynsyms" || die "$lib does not export gdext_rust_init"
say "exports gdext_rust_init; ok"
