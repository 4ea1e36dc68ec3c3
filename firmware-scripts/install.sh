#!/usr/bin/env bash
# Installs a box on Debian 13 / Raspberry Pi OS (arm64, x86-64) from a signed release bundle.
#
#   install.sh [--pubkey <release.pub>] <simpul-box-<version>.tar>
#   install.sh --uninstall          removes the code, units and system settings; keeps the data,
#                                   the backups, the config and the simpul user
#
# Settings read at install (kept in /etc/simpul/firmware.conf; running again keeps them):
#   SIMPUL_HTTPS_PORT (8443), SIMPUL_HTTP_PORT (8080), SIMPUL_RELAY_UDP_MIN/_MAX (40000/40199),
#   SIMPUL_HUB_HOST (chrony's first time source, e.g. hub.example.id), SIMPUL_LAN_IP (for the
#   router's dnsmasq snippet; default: the address of the default route's interface).
# Running it twice changes nothing (every file is written only when its content differs).
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

HTTPS_PORT="${SIMPUL_HTTPS_PORT:-$HTTPS_PORT}"
HTTP_PORT="${SIMPUL_HTTP_PORT:-$HTTP_PORT}"
RELAY_UDP_MIN="${SIMPUL_RELAY_UDP_MIN:-$RELAY_UDP_MIN}"
RELAY_UDP_MAX="${SIMPUL_RELAY_UDP_MAX:-$RELAY_UDP_MAX}"
HUB_HOST="${SIMPUL_HUB_HOST:-${HUB_HOST:-}}"
LAN_IP="${SIMPUL_LAN_IP:-${LAN_IP:-}}"
# Debian's packages the box and these scripts use (nodejs: see check_node).
PACKAGES=(nodejs minisign curl nftables chrony avahi-daemon ca-certificates)
CHANGED=0

# Writes stdin to $1 with mode $2 only if the content or mode differs (so a second run changes nothing).
put() {
  local file="$1" mode="$2" tmp
  mkdir -p "$(dirname "$file")"
  tmp="$(mktemp "$(dirname "$file")/.put.XXXXXX")"
  cat >"$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file" && [ "$(stat -c %a "$file")" = "${mode#0}" ]; then
    rm -f "$tmp"
    return 0
  fi
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$file"
  CHANGED=1
  say "wrote ${file#"$R"}"
}

dir() {
  local path="$1" mode="$2" owner="${3:-}"
  [ -d "$path" ] || { mkdir -p "$path"; CHANGED=1; }
  [ "$(stat -c %a "$path")" = "${mode#0}" ] || chmod "$mode" "$path"
  if [ -n "$owner" ]; then system_action chown "$owner" "${path#"$R"}"; fi
}

check_node() {
  local major
  major="$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -ge 20 ]; then return 0; fi
  cat >&2 <<EOF
Node.js 20 or newer is needed; this machine has ${major:-none}.
  - Debian 13 (trixie) and Raspberry Pi OS on it: apt-get install nodejs  (20.x)
  - Debian 12 (bookworm): its own nodejs is 18, past its end of life. Either upgrade to Debian 13,
    or add NodeSource's apt source for Node.js 20 (https://deb.nodesource.com, "node_20.x") and
    apt-get install nodejs. What apt offers here now:
$(apt-cache policy nodejs 2>/dev/null | sed 's/^/      /')
EOF
  exit 1
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if under_prefix; then
    system_action apt-get install -y --no-install-recommends "${PACKAGES[@]}"
  elif [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

ensure_user() {
  if under_prefix; then
    system_action useradd --system --user-group --home-dir /var/lib/simpul --shell /usr/sbin/nologin "$BOX_USER"
  elif ! id "$BOX_USER" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/simpul --shell /usr/sbin/nologin "$BOX_USER"
  fi
}

install_release() {
  local bundle="$1" work version
  work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  version="$(verify_bundle "$bundle" "$work")"
  if [ ! -f "$RELEASES/$version/manifest.json" ]; then
    unpack_release "$work" "$version"
    CHANGED=1
  fi
  if [ -z "$(current_version)" ]; then
    switch_current "$version"
    CHANGED=1
  elif [ "$(current_version)" != "$version" ]; then
    say "the box runs $(current_version); to change release use update.sh $bundle"
  fi
}

install_scripts() {
  local f
  for f in lib.sh install.sh update.sh fetch-release.sh backup.sh restore.sh health-check.sh disk-guard.sh time-floor.sh; do
    put "$BIN/$f" "$([ "$f" = lib.sh ] && echo 0644 || echo 0755)" <"$HERE/$f"
  done
}

write_settings() {
  put "$FIRMWARE_CONF" 0644 <<EOF
# Written by install.sh; read by the firmware scripts. Change and run install.sh again.
HTTPS_PORT=$HTTPS_PORT
HTTP_PORT=$HTTP_PORT
RELAY_UDP_MIN=$RELAY_UDP_MIN
RELAY_UDP_MAX=$RELAY_UDP_MAX
HUB_HOST=$HUB_HOST
LAN_IP=$LAN_IP
EOF
  # The box's own config: made once, then the technician's (and `provisioning enrol`'s) to edit.
  if [ ! -f "$ETC/simpul.config.json" ]; then
    put "$ETC/simpul.config.json" 0640 <<EOF
{
  "mode": "production",
  "firstRunPage": true,
  "httpsPort": $HTTPS_PORT,
  "httpPort": $HTTP_PORT,
  "relayUdpPortMin": $RELAY_UDP_MIN,
  "relayUdpPortMax": $RELAY_UDP_MAX,
  "tlsHostnames": ["simpul.local", "simpul.lan", "localhost"]
}
EOF
    system_action chown "root:$BOX_USER" /etc/simpul/simpul.config.json
  fi
}

write_units() {
  local node_flags="--max-semi-space-size=2 --max-old-space-size=160"
  put "$UNITS/simpul.service" 0644 <<EOF
[Unit]
Description=Simpul puskesmas box
Documentation=file://$OPT/current/firmware/README.md
After=network-online.target time-sync.target simpul-time-floor.service simpul-firewall.service
Wants=network-online.target simpul-time-floor.service simpul-firewall.service
# Past 10 quick failures the health timer keeps trying (it resets the failed state).
StartLimitIntervalSec=10min
StartLimitBurst=10

[Service]
Type=simple
User=$BOX_USER
Group=$BOX_USER
Environment=SIMPUL_CONFIG=$ETC/simpul.config.json
Environment=SIMPUL_DATA_DIR=$DATA
# During an update's trial the new release serves loopback only (update.sh writes this file).
EnvironmentFile=-$RUNDIR/trial.env
# Finishes or undoes an update a power cut interrupted, before the box starts (as root: +).
ExecStartPre=+$BIN/update.sh --recover
ExecStart=$NODE $node_flags $CURRENT/box/main.mjs
Restart=on-failure
RestartSec=5s
TimeoutStopSec=30s
# Measured ~245 MB RSS at idle for the box and its relay process together (npm run bench --
# firmware); calls and a morning peak add to it. A leak is slowed, then stopped, before a 2 GB Pi swaps.
MemoryHigh=450M
MemoryMax=600M
UMask=0077
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
# The backups too: an online backup is written by the running box (backup-cli asks it over its socket).
ReadWritePaths=$DATA $BACKUPS

[Install]
WantedBy=multi-user.target
EOF

  put "$UNITS/simpul-health.service" 0644 <<EOF
[Unit]
Description=Simpul health check (restarts a box that stops answering; disk guard; time floor)
After=simpul.service

[Service]
Type=oneshot
ExecStart=$BIN/health-check.sh
EOF
  put "$UNITS/simpul-health.timer" 0644 <<EOF
[Unit]
Description=Simpul health check every minute

[Timer]
OnBootSec=3min
OnUnitActiveSec=1min
AccuracySec=10s

[Install]
WantedBy=timers.target
EOF

  put "$UNITS/simpul-backup.service" 0644 <<EOF
[Unit]
Description=Simpul nightly backup (7 daily, 4 weekly, and a USB stick labelled SIMPUL-BACKUP)
After=simpul.service

[Service]
Type=oneshot
Nice=10
IOSchedulingClass=idle
ExecStart=$BIN/backup.sh
EOF
  put "$UNITS/simpul-backup.timer" 0644 <<EOF
[Unit]
Description=Simpul nightly backup

[Timer]
OnCalendar=*-*-* 02:30:00
RandomizedDelaySec=20min
Persistent=true

[Install]
WantedBy=timers.target
EOF

  # Releases from the hub: the assignment the box wrote (fetch-release.sh reads it; nothing
  # assigned: nothing to do). Hourly; the script itself downloads only inside the night window.
  put "$UNITS/simpul-fetch-release.service" 0644 <<EOF
[Unit]
Description=Simpul release from the hub (the assigned one, resumable, night window, bandwidth cap)
After=network-online.target simpul.service
Wants=network-online.target

[Service]
Type=oneshot
Nice=10
ExecStart=$BIN/fetch-release.sh
EOF
  put "$UNITS/simpul-fetch-release.timer" 0644 <<EOF
[Unit]
Description=Simpul release from the hub, hourly (downloads only inside the night window)

[Timer]
OnCalendar=hourly
RandomizedDelaySec=15min
Persistent=true

[Install]
WantedBy=timers.target
EOF

  put "$UNITS/simpul-time-floor.service" 0644 <<EOF
[Unit]
Description=Simpul time floor (a box without a clock battery never starts before its last known time)
DefaultDependencies=no
After=local-fs.target
Before=chrony.service time-sync.target simpul.service

[Service]
Type=oneshot
ExecStart=$BIN/time-floor.sh set

[Install]
WantedBy=sysinit.target
EOF

  put "$UNITS/simpul-firewall.service" 0644 <<EOF
[Unit]
Description=Simpul firewall (HTTPS, the HTTP redirect and the relay's UDP ports to the LAN only)
DefaultDependencies=no
Before=network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f $ETC/firewall.nft
ExecStop=/usr/sbin/nft delete table inet simpul

[Install]
WantedBy=multi-user.target
EOF

  put "$R/etc/systemd/journald.conf.d/simpul.conf" 0644 <<EOF
# Logs never fill the box's disk: capped in size, kept free space, and a month at most.
[Journal]
SystemMaxUse=200M
SystemKeepFree=1G
RuntimeMaxUse=50M
MaxRetentionSec=1month
EOF
}

write_firewall() {
  put "$ETC/firewall.nft" 0644 <<EOF
#!/usr/sbin/nft -f
# Simpul's own table: HTTPS (443 → the box's $HTTPS_PORT), the HTTP redirect (80 → $HTTP_PORT) and
# the relay's UDP ports to the LAN (private addresses) only; everything else inbound is dropped
# except replies, loopback, ICMP, DHCP, mDNS (simpul.local), NTP for the LAN and SSH from the LAN.
table inet simpul
delete table inet simpul
table inet simpul {
  set lan4 { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16 } }
  set lan6 { type ipv6_addr; flags interval; elements = { fc00::/7, fe80::/10 } }

  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    tcp dport 443 redirect to :$HTTPS_PORT
    tcp dport 80 redirect to :$HTTP_PORT
  }

  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    ct state invalid drop
    iif lo accept
    meta l4proto { icmp, ipv6-icmp } accept
    udp dport 68 accept
    # Beyond this line only the LAN (an address match only applies to its own IP family).
    ip saddr != @lan4 drop
    ip6 saddr != @lan6 drop
    tcp dport { $HTTPS_PORT, $HTTP_PORT } accept
    udp dport $RELAY_UDP_MIN-$RELAY_UDP_MAX accept
    udp dport { 5353, 123 } accept
    tcp dport 22 accept
  }
}
EOF
}

write_lan_name() {
  local ip="$LAN_IP" conf="$R/etc/avahi/avahi-daemon.conf"
  if [ -z "$ip" ] && ! under_prefix; then ip="$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')"; fi
  put "$R/etc/avahi/services/simpul.service" 0644 <<EOF
<?xml version="1.0" standalone='no'?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<service-group>
  <name>Simpul</name>
  <service><type>_https._tcp</type><port>443</port></service>
</service-group>
EOF
  # The box answers as simpul.local: Avahi publishes its host name.
  if [ -f "$conf" ]; then
    if ! grep -q '^host-name=simpul$' "$conf"; then
      sed -e '/^#\?host-name=/d' -e 's/^\[server\]$/[server]\nhost-name=simpul/' "$conf" | put "$conf" 0644
    fi
  else
    printf '[server]\nhost-name=simpul\nuse-ipv4=yes\nuse-ipv6=yes\n\n[publish]\npublish-addresses=yes\n' | put "$conf" 0644
  fi
  # For the clinic's router (dnsmasq: OpenWrt and most small routers) when phones do not resolve .local.
  put "$ETC/router-dnsmasq.conf" 0644 <<EOF
# Copy onto the clinic router's dnsmasq (OpenWrt: /etc/dnsmasq.d/simpul.conf, or the web UI's
# "Hostnames"): phones that do not resolve .local names find the box as simpul.lan and simpul.local.
address=/simpul.lan/${ip:-192.168.1.2}
address=/simpul.local/${ip:-192.168.1.2}
EOF
}

write_time() {
  put "$R/etc/chrony/conf.d/simpul.conf" 0644 <<EOF
# The hub first when it is reachable, the Debian pool otherwise; the box serves time to the LAN
# (phones, tablets) and keeps doing so from its own clock when no source answers (local stratum).
${HUB_HOST:+server $HUB_HOST iburst prefer}
pool 2.debian.pool.ntp.org iburst maxsources 2
allow 10.0.0.0/8
allow 172.16.0.0/12
allow 192.168.0.0/16
local stratum 10 orphan
# A box that booted with a wrong clock (no battery) steps it at once, however far it is off.
makestep 1 3
EOF
}

uninstall() {
  local u
  for u in simpul-health.timer simpul-backup.timer simpul-fetch-release.timer simpul.service simpul-firewall.service simpul-time-floor.service; do
    svc disable --now "$u" 2>/dev/null || true
  done
  rm -f "$UNITS"/simpul.service "$UNITS"/simpul-*.service "$UNITS"/simpul-*.timer \
    "$R/etc/systemd/journald.conf.d/simpul.conf" "$R/etc/avahi/services/simpul.service" \
    "$R/etc/chrony/conf.d/simpul.conf" "$ETC/firewall.nft"
  svc daemon-reload || true
  system_action systemctl restart systemd-journald chrony avahi-daemon
  rm -rf "$OPT" "$RUNDIR"
  say "uninstalled; kept the data ($DATA), the backups ($BACKUPS), the config ($ETC) and the user $BOX_USER"
}

usage() {
  echo "usage: install.sh [--pubkey <release.pub>] <bundle> | install.sh --uninstall" >&2
  exit 2
}

BUNDLE=''
KEY="$HERE/release.pub"
while [ $# -gt 0 ]; do
  case "$1" in
    --uninstall) uninstall; exit 0 ;;
    --pubkey) [ $# -ge 2 ] || usage; KEY="$2"; shift ;;
    -*) usage ;;
    *) [ -z "$BUNDLE" ] || usage; BUNDLE="$(readlink -f "$1")" ;;
  esac
  shift
done
[ -n "$BUNDLE" ] || usage
if ! under_prefix && [ "$(id -u)" != 0 ]; then die "run as root (sudo)"; fi

started=$SECONDS
check_node
install_packages
ensure_user
dir "$OPT" 0755
dir "$RELEASES" 0755
dir "$BIN" 0755
dir "$ETC" 0755
dir "$DATA" 0700 "$BOX_USER:$BOX_USER"
dir "$STATE" 0700
dir "$BACKUPS" 0700 "$BOX_USER:$BOX_USER"
[ -r "$KEY" ] || die "no release public key at $KEY (--pubkey)"
put "$PUBKEY" 0644 <"$KEY"
# Room the disk guard gives back to the database at the very end (disk-guard.sh).
if [ ! -f "$R/var/lib/simpul-reserve" ]; then
  fallocate -l "${SIMPUL_RESERVE_MB:-64}M" "$R/var/lib/simpul-reserve"
  chmod 0600 "$R/var/lib/simpul-reserve"
  CHANGED=1
fi
install_release "$BUNDLE"
install_scripts
write_settings
write_units
write_firewall
write_lan_name
write_time
svc daemon-reload
svc enable simpul.service simpul-health.timer simpul-backup.timer simpul-fetch-release.timer simpul-firewall.service simpul-time-floor.service
if [ "$CHANGED" = 1 ]; then system_action systemctl restart systemd-journald chrony avahi-daemon; fi
svc start simpul-time-floor.service simpul-firewall.service simpul.service simpul-health.timer simpul-backup.timer simpul-fetch-release.timer
say "installed $(current_version) in $((SECONDS - started)) s; the box: https://simpul.local — first admin: see firmware-scripts/README.md \"Install\""
