#!/bin/sh
# install-deps.sh - installs the Debian packages bench needs that are
# missing (apt-get; as root, or through sudo). Safe to run again.
#
# Building and testing: gcc, make, pkg-config, OpenSSL's libcrypto,
# Jansson, SQLite, Check; charts: gnuplot (without it bench still runs and
# says how to get charts); the engines that cross-check bench's timing:
# Google Benchmark (with g++ for its C++ API) and hyperfine; mode mpi:
# Open MPI (without it bench builds, and mode mpi says how to get it);
# mode queue: redis-server and hiredis (likewise without them);
# engine python's mode dask: python3-dask (without it the other modes
# run, and mode dask says how to get it); engine python's checksum fold:
# python3-numpy (without it the fold, bench's check and not the course's
# work, runs in plain Python and costs more than the hashing it checks:
# engine python then says so in a note);
# the fuzz targets (make fuzz): clang, and libclang-rt-dev for libFuzzer's
# runtime (libclang_rt.fuzzer) and the sanitizers' with it; the man pages
# (make install): help2man; the HTML report's test: tidy (validator) and
# chromium (opened headless, offline).
set -eu

packages="gcc g++ make pkg-config libc6-dev libssl-dev libjansson-dev libsqlite3-dev libsimdjson-dev check gnuplot-nox libbenchmark-dev hyperfine jq openmpi-bin libopenmpi-dev redis-server libhiredis-dev python3-dask python3-numpy bubblewrap libseccomp-dev libunwind-dev binutils clang libclang-rt-dev help2man tidy chromium"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: every package is present"
	exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "install-deps: need root or sudo to install:$missing" >&2
		exit 1
	}
	sudo=sudo
fi
echo "install-deps: installing$missing"
$sudo apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the list is intended
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
