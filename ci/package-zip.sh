# Sourced, not run: where ci/package.sh writes the addon zip, for the scripts
# that make it and those that test it. Run from the repository root.
#   source ci/package-zip.sh
#   zip_path=$(package_zip_path)   # dist/websocket_peer-<version>.zip, version from Cargo.toml
#   require_package_zip [PATH]     # sets zip_path to PATH or that default; dies if it is missing
#   unpack_package_zip [PATH]      # require_package_zip, then unzips it into a new temporary
#                                  # folder, $unpacked, removed on exit (it sets the EXIT trap);
#                                  # dies unless the addon's .gdextension and Linux library are there

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

unpack_package_zip() {
  require_package_zip "${1:-}"
  unpacked=$(mktemp -d)
  trap 'rm -rf "$unpacked"' EXIT
  unzip -q "$zip_path" -d "$unpacked" || die "unzip $zip_path"
  local file
  for file in websocket_peer.gdextension bin/libwebsocket_peer.so; do
    [[ -f "$unpacked/addons/websocket_peer/$file" ]] || die "the zip has no addons/websocket_peer/$file"
  done
}
