#!/usr/bin/env bash
# tools/deps.sh --check | --install — the Debian packages maasim needs.
# --check exits 1 (listing them) when any is missing; --install installs the missing ones with
# apt-get, through sudo when not root.
set -eu
pkgs=(build-essential pkg-config libgsl-dev libcjson-dev libsqlite3-dev sqlite3 libopenblas-dev
      liblapacke-dev gnuplot-nox
      libopenmpi-dev openmpi-bin                 # Open MPI: maasim sweep under mpirun (sweeps)
      valgrind clang-14 libclang-rt-14-dev)      # reliability: valgrind test, make fuzz (libFuzzer)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
case "${1:---check}" in
--check)
	[ ${#missing[@]} -eq 0 ] && exit 0
	echo "missing packages: ${missing[*]}"; exit 1 ;;
--install)
	[ ${#missing[@]} -eq 0 ] && exit 0
	echo "installing: ${missing[*]}"
	sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" ;;
*) echo "usage: tools/deps.sh --check|--install" >&2; exit 2 ;;
esac
