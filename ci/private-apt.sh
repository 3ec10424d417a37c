# Sourced, not run: an apt configuration of our own for fetching packages of
# another Debian suite with `apt-get download`, leaving the system's sources,
# lists and package state untouched.
#   source ci/private-apt.sh
#   private_apt_init DIR "SUITE [SUITE…]" [MIRROR]   # sets the array APTOPT
#   apt-get "${APTOPT[@]}" -qq update
#   apt-cache "${APTOPT[@]}" show PKG; (cd DEBS && apt-get "${APTOPT[@]}" download PKG)
#   private_apt_closure PKG                          # PKG's dependency closure
#   private_apt_unpack ROOT PKG…                     # downloads them, unpacks them into ROOT
# MIRROR defaults to $WSP_DEBIAN_MIRROR, else deb.debian.org.

private_apt_init() {
  local dir suites=$2 mirror="${3:-${WSP_DEBIAN_MIRROR:-http://deb.debian.org/debian}}"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg suite
  command -v apt-get >/dev/null || { echo "apt-get not found (need Debian/Ubuntu)" >&2; return 1; }
  command -v dpkg >/dev/null || { echo "dpkg not found" >&2; return 1; }
  [[ -f "$keyring" ]] || { echo "$keyring missing (apt-get install debian-archive-keyring)" >&2; return 1; }
  # apt reads relative Dir:: paths from /, not from here.
  mkdir -p "$1" && dir=$(cd "$1" && pwd)
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  : > "$dir/sources.list"
  for suite in $suites; do
    echo "deb [signed-by=$keyring] $mirror $suite main" >> "$dir/sources.list"
  done
  [[ -f "$dir/status" ]] || : > "$dir/status"
  PRIVATE_APT_DIR=$dir
  APTOPT=(
    -o "Dir::Etc::SourceList=$dir/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=/dev/null"
    -o "Dir::Etc::PreferencesParts=/dev/null"
    -o "Dir::State::Lists=$dir/lists"
    -o "Dir::State::status=$dir/status"
    -o "Dir::Cache=$dir/cache"
    -o "APT::Architecture=amd64"
    -o "APT::Architectures::=amd64"
    -o "Acquire::Languages=none"
    -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false"
    -o "Acquire::IndexTargets::deb::CNF::DefaultEnabled=false"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root"
  )
}

# private_apt_closure PACKAGE: prints PACKAGE's dependency closure, one name a line.
private_apt_closure() {
  apt-cache "${APTOPT[@]}" depends --recurse --no-recommends --no-suggests \
      --no-conflicts --no-breaks --no-replaces --no-enhances "$1" \
    | grep -v '^ ' | grep -v '^<' | sort -u
}

# private_apt_unpack ROOT PACKAGE…: downloads the packages (into DIR/debs,
# removed afterwards) and unpacks them with `dpkg -x` into a new ROOT. ROOT is
# made beside it and moved in place at the end, so that a failed run leaves
# no half-filled ROOT behind. Returns 1 with the reason on stderr.
private_apt_unpack() {
  local root=$1 debs="$PRIVATE_APT_DIR/debs" p deb
  shift
  rm -rf "$debs" && mkdir -p "$debs" || return 1
  (cd "$debs" && apt-get "${APTOPT[@]}" -qq download "$@") \
    || { echo "apt-get download failed (packages: $*)" >&2; return 1; }
  rm -rf "$root.tmp" && mkdir -p "$root.tmp" || return 1
  for p in "$@"; do
    deb=$(ls "$debs/${p%%:*}_"*.deb 2>/dev/null | head -n1 || true)
    [[ -n "$deb" ]] || { echo "no .deb for $p in $debs" >&2; return 1; }
    dpkg -x "$deb" "$root.tmp" || { echo "dpkg -x $deb failed" >&2; return 1; }
  done
  rm -rf "$root" && mv "$root.tmp" "$root" && rm -rf "$debs"
}
