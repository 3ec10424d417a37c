# Sourced by the install scripts: apt-get and apt-cache against one Debian
# suite through a private config, lists and cache in a folder of our own,
# leaving the system's apt sources, lists and status untouched.
#   private_apt_init DIR SUITE MIRROR   -> fills the APTOPT array, runs update
# Then: apt-get "${APTOPT[@]}" download ..., apt-cache "${APTOPT[@]}" depends ...
# Needs step() and die() from the calling script.

private_apt_init() {
  local dir=$1 suite=$2 mirror=$3
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  command -v apt-get >/dev/null || die "apt-get not found (need Debian/Ubuntu)"
  command -v dpkg >/dev/null || die "dpkg not found"
  [[ -f "$keyring" ]] || die "$keyring missing (apt-get install debian-archive-keyring)"
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  echo "deb [signed-by=$keyring] $mirror $suite main" > "$dir/sources.list"
  : > "$dir/status"
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
  step "apt-get update ($suite, private lists in $dir)"
  apt-get "${APTOPT[@]}" -qq update || die "apt-get update with the private $suite config"
}

# private_apt_closure PACKAGE: prints PACKAGE's dependency closure, one name a line.
private_apt_closure() {
  apt-cache "${APTOPT[@]}" depends --recurse --no-recommends --no-suggests \
      --no-conflicts --no-breaks --no-replaces --no-enhances "$1" \
    | grep -v '^ ' | grep -v '^<' | sort -u
}
