#!/usr/bin/env bash
# Make sure the smart-card stack is installed: Debian's pcscd (the PC/SC daemon),
# vsmartcard-vpcd (the virtual reader driver the virtual cards connect to), softhsm2 (the
# PKCS#11 test token), and swig + libpcsclite-dev + a C compiler, because pyscard has no Linux
# wheel on PyPI and builds from source when the virtualenv is made.
# With --build-only it installs only what building pyscard needs (used when the virtualenv is
# made, so `make demo` does not bring vpcd onto a machine). Idempotent and quick when everything
# is there: it checks with dpkg first and only runs apt when something is missing. It never starts pcscd: the test session does, in the foreground,
# and stops it by its PID. Nothing here belongs on an operator's PC (vpcd accepts any card
# from anyone who can reach its port; see DESIGN.md section 4).
set -euo pipefail

packages=(swig libpcsclite-dev gcc libc6-dev)
if [ "${1:-}" != "--build-only" ]; then
  packages+=(pcscd vsmartcard-vpcd softhsm2)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages for the card tests: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "installing the smart-card test stack: ${missing[*]}..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian starts pcscd through systemd socket activation. The card tests start their own pcscd in
# the foreground (one per host) and say so clearly if another one is running.
