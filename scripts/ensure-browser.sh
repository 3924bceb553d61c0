#!/usr/bin/env bash
# Make sure the browser tests (tests/e2e/web) have their browser: Debian's Chromium, driven by
# Playwright at /usr/bin/chromium (never `playwright install`, which downloads browser builds
# from outside and fails here and in CI), and Thai fonts (fonts-thai-tlwg: Laksaman, the free
# font derived from TH Sarabun PSK, Garuda, Loma...), without which Thai text renders as boxes
# in the screenshots; and poppler-utils (pdftotext, pdftoppm), with which the tests read back the
# printed documents (web/pdf.py prints them with this same Chromium and Laksaman). Idempotent
# and quick when everything is there: it checks with dpkg first and only runs apt when something
# is missing.
set -euo pipefail

packages=(chromium fonts-thai-tlwg poppler-utils)

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
  echo "missing Debian packages for the browser tests: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "installing the browser for the browser tests: ${missing[*]}..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
