#!/usr/bin/env bash
# Nightly backup (simpul-backup.timer), online through the running box (or offline if it is not
# running), with rotation: the last 7 daily and the last 4 weekly (the first backup of each ISO
# week). A USB stick labelled SIMPUL-BACKUP, when plugged in, gets a copy (and keeps its last 7).
#   backup.sh            today's backup
# SIMPUL_BACKUP_DATE=YYYY-MM-DD names the day (tests).
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
KEEP_DAILY="${SIMPUL_KEEP_DAILY:-7}"
KEEP_WEEKLY="${SIMPUL_KEEP_WEEKLY:-4}"
DAY="${SIMPUL_BACKUP_DATE:-$(date +%F)}"
WEEK="$(date -d "$DAY" +%G-W%V)"
USB_LABEL=SIMPUL-BACKUP

as_box mkdir -p "$BACKUPS/daily" "$BACKUPS/weekly"
[ -f "$DATA/pgdata/PG_VERSION" ] || die "no database in $DATA yet"
file="$BACKUPS/daily/simpul-$DAY.tar.gz"
as_box "$NODE" "$CURRENT/box/backup-cli.mjs" backup "$DATA" "$file.partial" >/dev/null
mv -f "$file.partial" "$file"
sync "$BACKUPS/daily"
if ! ls "$BACKUPS/weekly/simpul-$WEEK".tar.gz >/dev/null 2>&1; then
  ln -f "$file" "$BACKUPS/weekly/simpul-$WEEK.tar.gz"
fi

# Newest first by name (the names sort by date); everything past the kept count goes.
keep_newest() {
  local dir="$1" keep="$2"
  find "$dir" -maxdepth 1 -name 'simpul-*.tar.gz' -printf '%f\n' | sort -r | tail -n +"$((keep + 1))" | while read -r old; do
    rm -f "${dir:?}/$old"
  done
}
keep_newest "$BACKUPS/daily" "$KEEP_DAILY"
keep_newest "$BACKUPS/weekly" "$KEEP_WEEKLY"

# The USB stick: mounted only for the copy (a stick left in is not written to between nights).
usb_dir=''
if under_prefix; then
  [ -d "$R/media/$USB_LABEL" ] && usb_dir="$R/media/$USB_LABEL"
elif [ -e "/dev/disk/by-label/$USB_LABEL" ]; then
  usb_dir="$RUNDIR/usb"
  mkdir -p "$usb_dir"
  mount -o nosuid,nodev,noexec "/dev/disk/by-label/$USB_LABEL" "$usb_dir" || usb_dir=''
fi
if [ -n "$usb_dir" ]; then
  mkdir -p "$usb_dir/simpul"
  cp "$file" "$usb_dir/simpul/.copy.partial"
  sync "$usb_dir/simpul/.copy.partial"
  mv -f "$usb_dir/simpul/.copy.partial" "$usb_dir/simpul/simpul-$DAY.tar.gz"
  keep_newest "$usb_dir/simpul" "$KEEP_DAILY"
  sync
  under_prefix || umount "$usb_dir"
  say "copied to the USB stick $USB_LABEL"
fi
say "backup $file ($(du -h "$file" | cut -f1))"
