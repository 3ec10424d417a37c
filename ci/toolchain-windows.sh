#!/usr/bin/env bash
# Installs (once) what cross-builds the Windows x86_64 (x86_64-pc-windows-gnu)
# library and its tests on this Debian machine:
#   - gcc-mingw-w64-x86-64 (system apt): the linker, Windows import libraries
#     and the static libgcc/libpthread that get linked into our DLL
#   - a Rust toolchain that can compile std for Windows, at
#     .cache/windows-toolchain/rust: a copy (hard links where possible) of the
#     image's nightly toolchain plus the standard library's sources from
#     Debian's `rust-src` package in lib/rustlib/src/rust. rustup cannot fetch
#     the Windows std or rust-src here, so the build compiles std itself
#     (`cargo -Z build-std`, which needs nightly and those sources).
# Idempotent: a marker naming the nightly and rust-src versions makes a rerun
# a no-op. ci/windows-env.sh points cargo at the result.
#
# Knobs:
#   WSP_NIGHTLY            rustup toolchain to copy (default: nightly)
#   WSP_RUST_SRC_VERSION   Debian rust-src version (default below; its x.y
#                          must match the nightly's)
#   WSP_RUST_SRC_SUITES    Debian suites searched for it (default: forky sid)
#   WSP_RUST_SRC_DEB       a local rust-src .deb to use instead of downloading
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/private-apt.sh

NIGHTLY="${WSP_NIGHTLY:-nightly}"
RUST_SRC_VERSION="${WSP_RUST_SRC_VERSION:-1.97.1+dfsg1-1}"
RUST_SRC_SUITES="${WSP_RUST_SRC_SUITES:-forky sid}"
CACHE=.cache/windows-toolchain
TC="$CACHE/rust"
MARKER="$TC/.wsp-installed"

source ci/log.sh toolchain-windows

# ---- MinGW-w64 (system apt) ---------------------------------------------------
if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  command -v apt-get >/dev/null || die "x86_64-w64-mingw32-gcc not found and no apt-get to install gcc-mingw-w64-x86-64"
  say "apt-get install gcc-mingw-w64-x86-64"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update (system sources)"
  apt-get install -y -qq gcc-mingw-w64-x86-64 >/dev/null || die "apt-get install gcc-mingw-w64-x86-64"
fi
say "linker: $(x86_64-w64-mingw32-gcc --version | head -n1)"

# ---- nightly + rust-src -------------------------------------------------------
nightly_rustc=$(rustup which --toolchain "$NIGHTLY" rustc 2>/dev/null) \
  || die "rustup toolchain '$NIGHTLY' not installed (rustup toolchain list; set WSP_NIGHTLY=…)"
nightly_dir=$(dirname "$(dirname "$nightly_rustc")")
nightly_version=$("$nightly_rustc" -V)
want="$nightly_version; rust-src ${WSP_RUST_SRC_DEB:-$RUST_SRC_VERSION}"
if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$want" ]]; then
  say "ready: $TC ($want)"
  exit 0
fi

# build-std compiles the sources with this compiler: their x.y must agree.
nightly_xy=$(sed -E 's/^rustc ([0-9]+\.[0-9]+)\..*/\1/' <<<"$nightly_version")
src_xy=$(sed -E 's/^([0-9]+\.[0-9]+)\..*/\1/' <<<"$RUST_SRC_VERSION")
if [[ -z "${WSP_RUST_SRC_DEB:-}" && "$nightly_xy" != "$src_xy" ]]; then
  die "rust-src $RUST_SRC_VERSION does not match $nightly_version; set WSP_RUST_SRC_VERSION to a Debian rust-src $nightly_xy.* version"
fi

t0=$(date +%s)
if [[ -n "${WSP_RUST_SRC_DEB:-}" ]]; then
  deb=$WSP_RUST_SRC_DEB
  [[ -f "$deb" ]] || die "WSP_RUST_SRC_DEB=$deb is not a file"
else
  debs="$CACHE/debs"
  mkdir -p "$debs"
  deb=$(ls "$debs"/rust-src_"${RUST_SRC_VERSION/:/%3a}"_all.deb 2>/dev/null | head -n1 || true)
  if [[ -z "$deb" ]]; then
    command -v apt-get >/dev/null || die "apt-get not found; set WSP_RUST_SRC_DEB=/path/to/rust-src_${RUST_SRC_VERSION}_all.deb"
    private_apt_init "$CACHE/apt" "$RUST_SRC_SUITES" || die "private apt config in $CACHE/apt"
    say "apt-get update ($RUST_SRC_SUITES, private lists in $CACHE/apt)"
    apt-get "${APTOPT[@]}" -qq update || die "apt-get update with the private config for $RUST_SRC_SUITES"
    # `apt-cache show pkg=version` exits 0 for a missing version: list them.
    versions=$(apt-cache "${APTOPT[@]}" madison rust-src 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}')
    if ! grep -qxF "$RUST_SRC_VERSION" <<<"$versions"; then
      have=$(sort -u <<<"$versions" | paste -sd' ' -)
      die "rust-src $RUST_SRC_VERSION is no longer in Debian's $RUST_SRC_SUITES (there now: ${have:-none}).
  Set WSP_RUST_SRC_VERSION to one of those whose x.y matches $nightly_version,
  or WSP_RUST_SRC_DEB=/path/to/rust-src_${RUST_SRC_VERSION}_all.deb (e.g. from snapshot.debian.org)."
    fi
    say "downloading rust-src $RUST_SRC_VERSION (46 MB)"
    (cd "$debs" && apt-get "${APTOPT[@]}" -qq download "rust-src=$RUST_SRC_VERSION") \
      || die "apt-get download rust-src=$RUST_SRC_VERSION"
    deb=$(ls "$debs"/rust-src_*_all.deb | head -n1)
  fi
fi

say "copying $nightly_dir to $TC"
rm -rf "$TC" "$TC.tmp" "$CACHE/unpack"
mkdir -p "$CACHE"
cp -al "$nightly_dir" "$TC.tmp" 2>/dev/null || cp -a "$nightly_dir" "$TC.tmp" \
  || die "copying the $NIGHTLY toolchain from $nightly_dir"
say "unpacking $(basename "$deb")"
dpkg -x "$deb" "$CACHE/unpack" || die "dpkg -x $deb"
lib=$(ls -d "$CACHE"/unpack/usr/src/rustc-*/library 2>/dev/null | head -n1)
[[ -d "$lib/std" && -f "$lib/Cargo.lock" ]] || die "$deb has no usr/src/rustc-*/library with std and Cargo.lock"
rm -rf "$TC.tmp/lib/rustlib/src"
mkdir -p "$TC.tmp/lib/rustlib/src/rust"
mv "$lib" "$TC.tmp/lib/rustlib/src/rust/library"
rm -rf "$CACHE/unpack"
"$TC.tmp/bin/rustc" -V >/dev/null || die "the copied toolchain's rustc does not run"
mv "$TC.tmp" "$TC"
echo "$want" > "$MARKER"
say "ready: $TC ($want) in $(( $(date +%s) - t0 ))s"
