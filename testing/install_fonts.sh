#!/usr/bin/env bash
# The Lao font of the corpus card's charts (called by `make install`; a fast no-op when ready):
# Debian's fonts-lao (Phetsarath OT), installed with apt-get only when no Lao font is there.
# Without apt-get or root it says so and exits 0 (the card then draws Lao with DejaVu Sans and
# warns), or 1 under CI=true, where the card tests need the font.
set -euo pipefail

PACKAGE=fonts-lao
say() { echo "fonts: $*" >&2; }
give_up() {
    say "$*"
    if [ "${CI:-}" = "true" ]; then exit 1; fi
    exit 0
}
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
        return 1
    fi
}

if dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed"; then
    exit 0
fi
if command -v fc-list >/dev/null && [ -n "$(fc-list :lang=lo family 2>/dev/null | grep -v DejaVu)" ]; then
    exit 0  # another Lao font (Noto Sans Lao...) does the job
fi
command -v apt-get >/dev/null || give_up "no apt-get: install a Lao font ($PACKAGE) by hand"
say "installing $PACKAGE"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$PACKAGE" >/dev/null 2>&1 \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq "$PACKAGE" >/dev/null; } \
    || give_up "apt-get install $PACKAGE failed (not root?)"
