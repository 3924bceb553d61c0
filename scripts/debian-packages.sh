# Sourced by the ensure-*.sh scripts: install the Debian packages a part of the test suite needs.
# ensure_debian_packages WHAT PACKAGE...: nothing when every package is installed (dpkg is asked
# first, so it is quick); as root, apt installs the missing ones (updating the lists only when
# the first try fails); otherwise it names the missing packages for WHAT and fails.

ensure_debian_packages() {
  local what=$1
  shift
  local missing=()
  local package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done

  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi

  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages for $what: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi

  echo "installing for $what: ${missing[*]}..." >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
