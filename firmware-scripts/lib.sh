# shellcheck shell=bash disable=SC2034
# (SC2034: the paths and settings here are used by the scripts that source this file.)
# Paths and helpers shared by the firmware scripts (sourced, never run).
#
# SIMPUL_ROOT prefixes every path, so that the tests install, update, back up and restore a box
# under a temporary directory without touching this machine. Under a root prefix, actions on the
# machine itself (creating the user, apt-get, loading the firewall, restarting chrony/avahi,
# setting the clock, chown) are written to $SIMPUL_ROOT/system-actions.log instead of done; the
# box's own units are still driven through `systemctl`, which the tests replace by a stand-in.

R="${SIMPUL_ROOT:-}"
R="${R%/}"
OPT="$R/opt/simpul"
RELEASES="$OPT/releases"
CURRENT="$OPT/current"
BIN="$OPT/bin"
DATA="$R/var/lib/simpul"
STATE="$R/var/lib/simpul-update"
BACKUPS="$R/var/backups/simpul"
ETC="$R/etc/simpul"
UNITS="$R/etc/systemd/system"
RUNDIR="$R/run/simpul"
FIRMWARE_CONF="$ETC/firmware.conf"
PUBKEY="$ETC/release.pub"
OUTCOME="$DATA/update-outcome.json"

# Settings (install.sh writes them to firmware.conf; these are the defaults).
HTTPS_PORT=8443
HTTP_PORT=8080
RELAY_UDP_MIN=40000
RELAY_UDP_MAX=40199
BOX_USER=simpul
HEALTH_TIMEOUT=90
# Disk guard thresholds (MiB free on the data disk): prune below the first, report below the second.
DISK_PRUNE_MB=1024
DISK_LOW_MB=300
# shellcheck source=/dev/null
[ -r "$FIRMWARE_CONF" ] && . "$FIRMWARE_CONF"
NODE="${SIMPUL_NODE:-$(command -v node || echo /usr/bin/node)}"

say() { printf '%s %s: %s\n' "$(date -u +%FT%TZ)" "${0##*/}" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# Under a root prefix (tests): system-wide actions are recorded, not done.
under_prefix() { [ -n "$R" ]; }
system_action() {
  if under_prefix; then
    printf '%s\n' "$*" >>"$R/system-actions.log"
  else
    "$@"
  fi
}

# Runs a command as the box's user (its data dir is the user's alone).
as_box() {
  if under_prefix || [ "$(id -u)" != 0 ]; then "$@"; else runuser -u "$BOX_USER" -- "$@"; fi
}

# systemctl without the update lock's descriptor: a box started from here must not hold it.
svc() { systemctl "$@" 9>&-; }

# One field of a JSON file or of JSON on stdin (`-`), printed as text ('' when absent/null).
json_get() {
  local file="$1" expr="$2"
  "$NODE" -e '
    const fs = require("node:fs");
    let v; try { v = JSON.parse(fs.readFileSync(process.argv[1] === "-" ? 0 : process.argv[1], "utf8")); } catch { process.exit(0); }
    for (const k of process.argv[2].split(".")) v = v == null ? undefined : v[k];
    if (v !== undefined && v !== null) process.stdout.write(typeof v === "object" ? JSON.stringify(v) : String(v));
  ' "$file" "$expr"
}

# Writes a file atomically and durably: temp file, fsync, rename, fsync of the directory.
write_durably() {
  local file="$1" tmp
  tmp="$(dirname "$file")/.$(basename "$file").tmp.$$"
  cat >"$tmp"
  sync "$tmp"
  mv -f "$tmp" "$file"
  sync "$(dirname "$file")"
}

current_version() {
  if [ -L "$CURRENT" ]; then basename "$(readlink "$CURRENT")"; fi
}

# A > B in version order (sort -V).
version_gt() {
  [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n1)" = "$1" ]
}

# Points `current` at releases/<version> atomically: a new link beside it, renamed over it.
switch_current() {
  ln -sfn "releases/$1" "$OPT/.current.new"
  mv -T "$OPT/.current.new" "$CURRENT"
  sync "$OPT"
}

# Verifies a bundle (signature, then the payload's checksum) into an empty work dir; prints the
# version. Nothing from the payload is unpacked before its checksum matches the signed manifest.
verify_bundle() {
  local bundle="$1" work="$2" members version sum
  [ -f "$bundle" ] || die "no bundle at $bundle"
  [ -r "$PUBKEY" ] || die "no release public key at $PUBKEY"
  members="$(tar -tf "$bundle" 2>/dev/null)" || die "refused: $bundle is not a release bundle (not a tar)"
  grep -qx 'manifest.json.minisig' <<<"$members" || die "refused: $bundle is unsigned"
  tar -xf "$bundle" -C "$work" manifest.json manifest.json.minisig || die "refused: $bundle has no manifest"
  minisign -V -q -p "$PUBKEY" -m "$work/manifest.json" -x "$work/manifest.json.minisig" >/dev/null 2>&1 \
    || die "refused: the signature of $bundle does not verify with $PUBKEY (tampered or signed by another key)"
  [ "$(json_get "$work/manifest.json" name)" = simpul-box ] || die "refused: not a simpul-box release"
  version="$(json_get "$work/manifest.json" version)"
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] || die "refused: bad version '$version'"
  tar -xf "$bundle" -C "$work" payload.tar.gz || die "refused: $bundle has no payload"
  sum="$(sha256sum "$work/payload.tar.gz" | cut -d' ' -f1)"
  [ "$sum" = "$(json_get "$work/manifest.json" payload.sha256)" ] || die "refused: the payload of $bundle does not match its signed checksum (tampered)"
  printf '%s\n' "$version"
}

# Unpacks a verified payload to releases/<version>, checks every file against the manifest, and
# renames it into place (a half-unpacked release only ever exists as releases/.partial-*).
unpack_release() {
  local work="$1" version="$2" partial="$RELEASES/.partial-$2"
  mkdir -p "$RELEASES"
  rm -rf "$partial" "${RELEASES:?}/$version"
  mkdir -p "$partial"
  tar -xzf "$work/payload.tar.gz" -C "$partial" --no-same-owner
  "$NODE" -e '
    const m = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    for (const [f, h] of Object.entries(m.files)) process.stdout.write(`${h}  ${f}\n`);
  ' "$work/manifest.json" >"$work/sums"
  (cd "$partial" && sha256sum --quiet --strict -c "$work/sums") >/dev/null || die "refused: files of $version do not match the manifest"
  [ "$(cd "$partial" && find . -type f | wc -l)" = "$(wc -l <"$work/sums")" ] || die "refused: $version holds files not in its manifest"
  cp "$work/manifest.json" "$work/manifest.json.minisig" "$partial/"
  sync -f "$partial/manifest.json"
  mv -T "$partial" "$RELEASES/$version"
  sync "$RELEASES"
}

# Asks the box's /healthz over loopback: the body goes to file $1; prints the HTTP status (000: no answer).
health_probe() {
  curl -sk --max-time 5 -o "$1" -w '%{http_code}' "https://127.0.0.1:$HTTPS_PORT/healthz" 2>/dev/null || true
}
