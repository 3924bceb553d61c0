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
# shellcheck source=scripts/debian-packages.sh
source "$(dirname "$0")/debian-packages.sh"

packages=(swig libpcsclite-dev gcc libc6-dev)
if [ "${1:-}" != "--build-only" ]; then
  packages+=(pcscd vsmartcard-vpcd softhsm2)
fi

ensure_debian_packages "the card tests" "${packages[@]}"

# Debian starts pcscd through systemd socket activation. The card tests start their own pcscd in
# the foreground (one per host) and say so clearly if another one is running.
