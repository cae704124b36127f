#!/bin/sh
# Installs the Emberwatch edge agent of this package as a systemd service:
# the emberwatch user (in dialout), the unit, /etc/emberwatch/ with a config
# to fill in, and the unit enabled. Run it as root after installing the
# package (see docs/deploy.md); it starts nothing.
#
#   install.sh [--root DIR] [--node PATH]
#
# --root DIR  install into DIR as the root of another system (an image being
#             prepared, or a test) instead of this one
# --node PATH the node binary the service runs (default: node on PATH)
set -eu

die() {
  echo "install.sh: $*" >&2
  exit 1
}

root=""
node=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || die "--root needs a folder"; root="$2"; shift 2 ;;
    --node) [ $# -ge 2 ] || die "--node needs a path"; node="$2"; shift 2 ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (it creates a user and writes to /etc)"
here=$(cd "$(dirname "$0")" && pwd -P)
package=$(cd "$here/../.." && pwd -P)
[ -f "$package/bin/emberwatch.js" ] && [ -f "$package/dist/cli/main.js" ] ||
  die "$package is not an installed emberwatch package (bin/emberwatch.js or dist/ missing)"
if [ -n "$root" ]; then
  [ -d "$root" ] || die "--root $root is not a folder"
  root=$(cd "$root" && pwd -P)
fi
if [ -z "$node" ]; then
  node=$(command -v node) || die "node is not on PATH; install Node.js 24 or newer, or give --node"
fi
case "$node" in /*) ;; *) die "--node must be an absolute path, not $node" ;; esac
"$node" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' ||
  die "$node is Node.js $("$node" --version); the agent needs 24 or newer"
command -v systemd-sysusers >/dev/null || die "systemd-sysusers is missing: this script is for systemd systems"

unit_dir="$root/etc/systemd/system"
sysusers_dir="$root/usr/lib/sysusers.d"
config_dir="$root/etc/emberwatch"
mkdir -p "$unit_dir" "$sysusers_dir"

# The user first: the config folder's group is the service's.
install -m 0644 "$here/emberwatch.sysusers" "$sysusers_dir/emberwatch.conf"
if [ -n "$root" ]; then
  systemd-sysusers --root="$root" "$sysusers_dir/emberwatch.conf"
else
  systemd-sysusers "$sysusers_dir/emberwatch.conf"
fi
gid=$(awk -F: '$1 == "emberwatch" { print $3 }' "$root/etc/group")
[ -n "$gid" ] || die "systemd-sysusers did not create the emberwatch group in $root/etc/group"

sed -e "s|@NODE@|$node|g" -e "s|@PACKAGE@|$package|g" "$here/emberwatch-edge.service" >"$unit_dir/emberwatch-edge.service.tmp"
chmod 0644 "$unit_dir/emberwatch-edge.service.tmp"
mv "$unit_dir/emberwatch-edge.service.tmp" "$unit_dir/emberwatch-edge.service"

# Config and credentials: root writes them, the service may only read them.
install -d -m 0750 -o 0 -g "$gid" "$config_dir" "$config_dir/certs"
if [ -e "$config_dir/agent.yaml" ]; then
  echo "kept $config_dir/agent.yaml"
else
  install -m 0640 -o 0 -g "$gid" "$here/agent.yaml" "$config_dir/agent.yaml"
  echo "wrote $config_dir/agent.yaml: fill in deviceId and broker.host"
fi

if [ -n "$root" ]; then
  systemctl --root="$root" enable emberwatch-edge.service
else
  systemctl daemon-reload
  systemctl enable emberwatch-edge.service
fi
echo "installed emberwatch-edge.service running $package with $node"
echo "next: put device.crt, device.key and ca.crt in /etc/emberwatch/certs/ and the fleet's"
echo "fleet-public.pem in /etc/emberwatch/ (all readable by group emberwatch), then"
echo "  systemctl start emberwatch-edge && journalctl -u emberwatch-edge -f -o cat"
