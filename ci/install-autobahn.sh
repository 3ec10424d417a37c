#!/usr/bin/env bash
# Installs Autobahn|Testsuite (`wstest`), the WebSocket conformance suite, into
# .cache/autobahn without touching the system's apt sources or Python:
#   - Python 2.7 (the suite runs on nothing newer) from Debian bullseye's
#     packages, fetched with `apt-get download` through a private apt config
#     and unpacked with `dpkg -x` into .cache/autobahn/root, as
#     ci/install-godot.sh does for Godot;
#   - pip 20.3.4 (the last for Python 2) from PyPI, run from its wheel, and the
#     pinned suite with its dependencies installed from PyPI into
#     .cache/autobahn/site.
# Prints the command that runs wstest on success:
#   ci/install-autobahn.sh   -> .cache/autobahn/wstest
# Idempotent: a marker file with the pinned versions makes reruns instant.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="$PWD/.cache/autobahn"
ROOT="$CACHE/root"
SITE="$CACHE/site"
WHEELS="$CACHE/wheels"
WSTEST="$CACHE/wstest"
SUITE="${WSP_AUTOBAHN_SUITE:-bullseye}"
MIRROR="${WSP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PIP_VERSION=20.3.4
SETUPTOOLS_VERSION=44.1.1
WHEEL_VERSION=0.37.1
# Versions that install and run together on Python 2.7 (newer Twisted,
# autobahn or txaio releases dropped Python 2).
PINS=(autobahntestsuite==25.10.1 autobahn==0.10.9 Twisted==19.10.0 txaio==2.1.0 six==1.16.0)
# Packages of the closure that the system's own copies replace, or that
# Python never loads (mime-support's tools pull in Perl and newt).
SKIP_RE='^(libc6|libgcc-s1|libcrypt1|libselinux1|libpcre2-8-0|libacl1|libperl.*|libdebian-installer4|libnewt.*|libslang2|libtextwrap1)$'
MARKER="$CACHE/.installed"
WANT="suite=$SUITE pip=$PIP_VERSION setuptools=$SETUPTOOLS_VERSION ${PINS[*]}"

source ci/log.sh install-autobahn

if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$WANT" && -x "$WSTEST" ]]; then
  say "already installed: $WANT"
  exit 0
fi

t0=$(date +%s)

# ---- Python 2.7 from bullseye, private apt config ----------------------------
if [[ ! -x "$ROOT/usr/bin/python2.7" ]]; then
  source ci/private-apt.sh
  private_apt_init "$CACHE/apt" "$SUITE" "$MIRROR" || die "private apt config in $CACHE/apt"
  say "apt-get update ($SUITE, private lists in $CACHE/apt)"
  apt-get "${APTOPT[@]}" -qq update || die "apt-get update with the private $SUITE config"
  # The interpreter, its standard library and the shared libraries its
  # modules load (ssl, ctypes, sqlite, ...) in the versions bullseye built
  # them against.
  mapfile -t closure < <(private_apt_closure python2.7)
  ((${#closure[@]})) || die "python2.7 not found in $SUITE"
  # The system's C library and loader stay in use (bookworm's glibc runs
  # bullseye's binaries); only what the system lacks or has in another
  # version (libssl1.1, libffi7, ...) is unpacked.
  pkgs=()
  for p in "${closure[@]}"; do
    [[ "$p" =~ $SKIP_RE ]] && continue
    case "$p" in
      python2.7|python2.7-minimal|lib*|zlib1g|mime-support|media-types) pkgs+=("$p") ;;
    esac
  done
  say "downloading and unpacking ${#pkgs[@]} packages: ${pkgs[*]}"
  private_apt_unpack "$ROOT" "${pkgs[@]}" || die "the packages of $SUITE's python2.7 into $ROOT"
fi

# Python 2.7 with bullseye's libraries; PYTHONHOME points it at the unpacked
# standard library. Environment variables, not a loader command line, so that
# pip's own `python2.7` subprocesses inherit them. The suite's folder is added
# as a site folder (by sitecustomize), not through PYTHONPATH, so that its
# .pth files (zope's namespace package) are read.
LIB="$ROOT/lib/x86_64-linux-gnu:$ROOT/usr/lib/x86_64-linux-gnu"
mkdir -p "$CACHE/boot"
echo "import site; site.addsitedir('$SITE')" > "$CACHE/boot/sitecustomize.py"
cat > "$CACHE/python2" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$LIB" PYTHONHOME="$ROOT/usr" PYTHONPATH="$CACHE/boot" PYTHONNOUSERSITE=1 exec "$ROOT/usr/bin/python2.7" "\$@"
EOF
chmod +x "$CACHE/python2"
v=$("$CACHE/python2" -c 'import sys, ssl, zlib; print("%d.%d" % sys.version_info[:2])' 2>&1) \
  || die "the unpacked Python 2.7 does not start: $v"
[[ "$v" == 2.7 ]] || die "the unpacked Python says version '$v'"

# ---- pip for Python 2, then the suite ------------------------------------------
mkdir -p "$WHEELS"
pipwhl="$WHEELS/pip-$PIP_VERSION-py2.py3-none-any.whl"
if [[ ! -f "$pipwhl" ]]; then
  say "downloading pip $PIP_VERSION"
  python3 -m pip download --disable-pip-version-check --quiet --no-deps \
      --only-binary=:all: -d "$WHEELS" "pip==$PIP_VERSION" \
    || die "pip download pip==$PIP_VERSION (from PyPI, with the system's python3)"
fi
rm -rf "$SITE"
mkdir -p "$SITE"
# Some of the pinned packages are source releases: building them needs the
# last setuptools and wheel for Python 2 first.
say "installing setuptools==$SETUPTOOLS_VERSION wheel==$WHEEL_VERSION into $SITE"
"$CACHE/python2" "$pipwhl/pip" install --disable-pip-version-check --no-warn-script-location \
    --quiet --no-compile --target "$SITE" "setuptools==$SETUPTOOLS_VERSION" "wheel==$WHEEL_VERSION" \
  || die "pip install setuptools==$SETUPTOOLS_VERSION wheel==$WHEEL_VERSION (Python 2.7, into $SITE)"
say "installing ${PINS[*]} into $SITE"
"$CACHE/python2" "$pipwhl/pip" install --disable-pip-version-check --no-warn-script-location \
    --quiet --no-compile --upgrade --target "$SITE" "${PINS[@]}" \
  || die "pip install ${PINS[*]} (Python 2.7, into $SITE)"

cat > "$WSTEST" <<EOF
#!/bin/sh
exec "$CACHE/python2" -c 'import sys; from autobahntestsuite.wstest import run; sys.argv[0] = "wstest"; sys.exit(run())' "\$@"
EOF
chmod +x "$WSTEST"
"$WSTEST" --autobahnversion >/dev/null 2>&1 || die "wstest does not start: $("$WSTEST" --autobahnversion 2>&1 | tail -n 5)"
echo "$WANT" > "$MARKER"
say "installed wstest ($("$WSTEST" --autobahnversion 2>&1 | tail -n1)) in $(( $(date +%s) - t0 ))s"
