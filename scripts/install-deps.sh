#!/usr/bin/env bash
# Installs everything kcsim needs to build and test, from Debian's archive only.
# Idempotent: on a machine that already has it all, it checks and exits quickly.
# Catch2 v3 exists only in bookworm-backports; the backports suite is added using the
# archive URI that this machine's apt sources already name (no host is written here).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsimgrid-dev libboost-graph-dev libfmt-dev
  libprotobuf-dev protobuf-compiler
  libhdf5-dev
  libbenchmark-dev libcli11-dev nlohmann-json3-dev
  libopenmpi-dev openmpi-bin
  clang libclang-rt-dev
  chromium
  python3-h5py python3-matplotlib python3-pandas
  pybind11-dev python3-dev python3-pytest
)
backports_packages=(libcatch2-dev/bookworm-backports catch2/bookworm-backports)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}" libcatch2-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && pkg-config --exists simgrid; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"

# The archive URI the machine already uses for bookworm (deb822 .sources or sources.list).
archive_uri() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/{u=$2} /^Suites:/{ if ($0 ~ /bookworm([ \t]|$)/ && u !~ /security/) {print u; exit} }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk '$1=="deb" && $0 !~ /security/ { for (i=2;i<=NF;i++) if ($i ~ /:\/\//) { print $i; exit } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
}

if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  uri=$(archive_uri)
  if [ -z "$uri" ]; then
    echo "install-deps: no Debian archive URI found in /etc/apt sources; cannot add bookworm-backports" >&2
    exit 1
  fi
  echo "install-deps: adding bookworm-backports from $uri"
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" |
    "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/kcsim-backports.sources >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${backports_packages[@]}"
echo "install-deps: done"
