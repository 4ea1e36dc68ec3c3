#!/usr/bin/env bash
# Restores a backup onto this box (a replaced box, or a database that will not open):
#   restore.sh <backup.tar.gz> [--replace]
# The box is stopped; an existing database is refused unless --replace, which keeps it beside as
# pgdata.replaced-<time> (never deleted here). The restored database is checked (amcheck) by the
# backup command before it is put in place; then the box starts again.
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
FILE=''
REPLACE=no
for a in "$@"; do
  case "$a" in
    --replace) REPLACE=yes ;;
    -*) echo "usage: restore.sh <backup.tar.gz> [--replace]" >&2; exit 2 ;;
    *) FILE="$(readlink -f "$a")" ;;
  esac
done
[ -f "$FILE" ] || die "usage: restore.sh <backup.tar.gz> [--replace]"
[ -L "$CURRENT" ] || die "no installed release (run install.sh first)"
if [ -d "$DATA/pgdata" ] && [ "$REPLACE" != yes ]; then die "$DATA already holds a database: --replace to keep it aside and restore over it"; fi
mkdir -p "$STATE"
exec 9>"$STATE/lock"
flock -n 9 || die "an update is running"
svc stop simpul.service || true
tmp="$DATA/restore.tmp"
src="$DATA/restore-source.tar.gz"
rm -rf "$tmp"
# A copy the box's user can read (the file may be on a stick or in root's home).
cp "$FILE" "$src"
if ! under_prefix; then chown "$BOX_USER:$BOX_USER" "$src"; fi
as_box "$NODE" "$CURRENT/box/backup-cli.mjs" restore "$src" "$tmp" >/dev/null || { rm -f "$src"; die "restore of $FILE failed; the box's database is unchanged"; }
rm -f "$src"
if [ -d "$DATA/pgdata" ]; then mv -T "$DATA/pgdata" "$DATA/pgdata.replaced-$(date -u +%Y%m%dT%H%M%SZ)"; fi
mv -T "$tmp/pgdata" "$DATA/pgdata"
rmdir "$tmp"
sync "$DATA"
svc start simpul.service
say "restored $FILE"
