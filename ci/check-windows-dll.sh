#!/usr/bin/env bash
# Checks that a Windows x86_64 DLL of ours loads on any Windows 10 without
# files beside it:
#   ci/check-windows-dll.sh path/to/websocket_peer.dll
# Fails when it imports a DLL outside the system's own (a MinGW runtime such
# as libgcc_s_seh-1.dll, libwinpthread-1.dll or libstdc++-6.dll above all:
# those must be linked in statically), or lacks the GDExtension entry point.
# Reads the PE headers only (x86_64-w64-mingw32-objdump -p).
set -euo pipefail

source "$(dirname "$0")/log.sh" check-windows-dll

dll=${1:?usage: ci/check-windows-dll.sh DLL}
[[ -f "$dll" ]] || die "$dll not found"
objdump=x86_64-w64-mingw32-objdump
command -v "$objdump" >/dev/null || die "$objdump not found (Debian: apt-get install binutils-mingw-w64-x86-64)"

headers=$("$objdump" -p "$dll") || die "$objdump -p $dll: not a PE file?"
grep -q 'file format pei-x86-64' <<<"$headers" || die "$dll is not an x86_64 PE file"
# The flags listed under "Characteristics", up to the first blank line.
flags=$(sed -n '/^Characteristics /,/^$/p' <<<"$headers")
grep -qx $'\tDLL' <<<"$flags" || die "$dll is not a DLL (PE characteristics lack the DLL flag)"

mapfile -t imports < <(awk '/DLL Name:/ { print $3 }' <<<"$headers" | sort -uf)
say "imports: ${imports[*]:-(none)}"
for d in "${imports[@]}"; do
  # Lower-case: PE names are case-insensitive.
  case "${d,,}" in
    lib*.dll)
      die "$dll imports $d, a MinGW runtime DLL that Windows does not have: link it statically" ;;
    # Part of every Windows 10 (Rust's std, schannel TLS, Winsock, MinGW's
    # msvcrt CRT, and the API sets Windows 8+ resolves itself).
    kernel32.dll|ntdll.dll|advapi32.dll|userenv.dll|ws2_32.dll|bcrypt.dll|bcryptprimitives.dll|\
    secur32.dll|sspicli.dll|crypt32.dll|ncrypt.dll|msvcrt.dll|ucrtbase.dll|user32.dll|shell32.dll|ole32.dll|\
    api-ms-win-core-*.dll|api-ms-win-crt-*.dll) ;;
    *) die "$dll imports $d, which is not in the list of DLLs every Windows 10 has" ;;
  esac
done

# The export table lists names after "[Ordinal/Name Pointer] Table".
exports=$(sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' <<<"$headers")
grep -qE '[[:space:]]gdext_rust_init$' <<<"$exports" || die "$dll does not export gdext_rust_init"
say "exports gdext_rust_init; ok"
