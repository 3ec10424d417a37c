#!/usr/bin/env bash
# Makes (once) a minimal Debian 11 "bullseye" userland (glibc 2.31, no
# OpenSSL) at .cache/bullseye/root, the oldest base the Linux library is
# tested on: `debootstrap --variant=minbase`, packages from Debian's archive.
# Installs debootstrap (system apt) if missing. Idempotent: a marker makes a
# rerun a no-op; the downloaded .debs stay in .cache/bullseye/debs.
# Needs root (debootstrap's second stage runs in a chroot).
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=bullseye
CACHE="$PWD/.cache/bullseye"
ROOT="$CACHE/root"
MARKER="$ROOT/.wsp-ready"
MIRROR="${WSP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

source ci/log.sh bullseye-root

if [[ -f "$MARKER" ]]; then
  say "ready: $ROOT ($(cat "$MARKER"))"
  exit 0
fi
(( EUID == 0 )) || die "debootstrap needs root"
if ! command -v debootstrap >/dev/null; then
  command -v apt-get >/dev/null || die "debootstrap not found and no apt-get to install it"
  say "apt-get install debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update (system sources)"
  apt-get install -y -qq debootstrap >/dev/null || die "apt-get install debootstrap"
fi

t0=$(date +%s)
rm -rf "$ROOT"
mkdir -p "$CACHE/debs"
say "debootstrap --variant=minbase $SUITE $ROOT $MIRROR"
if ! debootstrap --variant=minbase --cache-dir="$CACHE/debs" "$SUITE" "$ROOT" "$MIRROR" \
     >"$CACHE/debootstrap.log" 2>&1; then
  tail -n 20 "$CACHE/debootstrap.log" >&2
  die "debootstrap $SUITE (log: $CACHE/debootstrap.log; if $SUITE left $MIRROR, set WSP_DEBIAN_MIRROR=http://archive.debian.org/debian)"
fi
# Whole output first: `| head` would end ldd with SIGPIPE, fatal under pipefail.
ldd_version=$(chroot "$ROOT" /usr/bin/ldd --version 2>/dev/null) || true
glibc=$(awk 'NR == 1 { print $NF }' <<<"$ldd_version")
[[ -n "$glibc" ]] || die "the new root's ldd does not run in a chroot"
echo "Debian $(cat "$ROOT/etc/debian_version"), glibc $glibc, made $(date -u +%FT%TZ)" > "$MARKER"
say "ready: $ROOT ($(cat "$MARKER")) in $(( $(date +%s) - t0 ))s"
