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
# shellcheck source=scripts/debian-packages.sh
source "$(dirname "$0")/debian-packages.sh"

packages=(chromium fonts-thai-tlwg poppler-utils)

ensure_debian_packages "the browser tests" "${packages[@]}"
