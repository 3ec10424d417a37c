# Sourced, not run: where ci/package.sh writes the addon zip, for the scripts
# that make it and those that test it. Run from the repository root.
#   source ci/package-zip.sh
#   zip_path=$(package_zip_path)   # dist/websocket_peer-<version>.zip, version from Cargo.toml
#   require_package_zip [PATH]     # sets zip_path to PATH or that default; dies if it is missing

package_zip_path() {
  local version
  version=$(sed -n 's/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' Cargo.toml | head -n1)
  [[ -n "$version" ]] || { echo "no version in Cargo.toml" >&2; return 1; }
  echo "dist/websocket_peer-$version.zip"
}

require_package_zip() {
  zip_path=${1:-$(package_zip_path)} || die "no version in Cargo.toml"
  [[ -f "$zip_path" ]] || die "$zip_path not found: run ci/package.sh first"
}
