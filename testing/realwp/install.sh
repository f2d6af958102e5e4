#!/usr/bin/env bash
# Make real WordPress runnable for the tests (called by `make test`; a fast no-op when ready):
#  1. Debian's WordPress 6.1, PHP and MariaDB packages, installed only when one is missing;
#  2. MariaDB running on 127.0.0.1:3306 with root and an empty password over TCP;
#  3. nothing listening on 0.0.0.0 because of the apache2 that the wordpress package pulls in.
# Without apt-get or root it says what is missing and leaves the tests to skip (or to fail
# under CI=true).
set -euo pipefail

PACKAGES=(
    wordpress php-cli php-mysql php-xml mariadb-server
    wordpress-theme-twentytwentyone wordpress-theme-twentytwentytwo
    wordpress-theme-twentytwentythree
)
HOST=${REALWP_MYSQL_HOST:-127.0.0.1}
PORT=${REALWP_MYSQL_PORT:-3306}

say() { echo "realwp: $*" >&2; }
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

missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || give_up "no apt-get: install ${missing[*]} by hand"
    say "installing ${missing[*]}"
    # Keep the packages' services (apache2 above all) from starting while they install.
    created_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d' \
            && created_policy=yes
    fi
    cleanup() { if [ -n "$created_policy" ]; then as_root rm -f /usr/sbin/policy-rc.d; fi; }
    trap cleanup EXIT
    as_root apt-get update -qq || give_up "apt-get update failed (not root?)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
        || give_up "apt-get install ${missing[*]} failed"
    cleanup
    trap - EXIT
fi

# apache2 comes with the wordpress package; the tests serve WordPress with PHP on 127.0.0.1.
if pgrep -x apache2 >/dev/null 2>&1; then
    say "stopping apache2 (installed with wordpress, listening on all interfaces)"
    as_root service apache2 stop >/dev/null 2>&1 || as_root apache2ctl stop || true
fi
if compgen -G "/etc/rc[2-5].d/S*apache2" >/dev/null; then  # nor at the next boot
    as_root update-rc.d apache2 disable >/dev/null 2>&1 || true
fi
if command -v ss >/dev/null && ss -ltnp 2>/dev/null | grep -E '(0\.0\.0\.0|\*|\[::\]):80 ' | grep -q apache2; then
    say "warning: apache2 still listens on port 80 of every interface"
fi

client=$(command -v mariadb || command -v mysql || true)
[ -n "$client" ] || give_up "no mariadb client"
tcp_ok() { "$client" -h"$HOST" -P"$PORT" -uroot -e "SELECT 1" >/dev/null 2>&1; }

if ! tcp_ok && ! "$client" -uroot -e "SELECT 1" >/dev/null 2>&1; then
    say "starting MariaDB"
    if ! as_root service mariadb start >/dev/null 2>&1; then
        as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld || true
        (as_root nohup mysqld_safe --bind-address=127.0.0.1 --port="$PORT" >/dev/null 2>&1 &)
    fi
    for _ in $(seq 1 60); do
        tcp_ok || "$client" -uroot -e "SELECT 1" >/dev/null 2>&1 && break
        sleep 0.5
    done
fi

if ! tcp_ok; then
    # A fresh Debian MariaDB lets root in by unix socket only; the tests connect over TCP
    # (a connection from 127.0.0.1 may match root@localhost or root@127.0.0.1).
    as_root "$client" -uroot -e "
        ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket
            OR mysql_native_password USING PASSWORD('');
        CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
        GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;" >/dev/null 2>&1 \
        || true
fi
tcp_ok || give_up "MariaDB does not answer root@$HOST:$PORT without a password"
