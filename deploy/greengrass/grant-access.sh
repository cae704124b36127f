#!/bin/sh
# com.emberwatch.EdgeAgent's privileged install step, after the package is
# installed: lets the component's user read the serial modules (dialout) and
# gives it its own copy of the core device's certificate, key and root CA,
# owner-only, so the agent never runs as root.
#
#   grant-access.sh USER CREDENTIALS_DIR CERT KEY ROOT_CA
#
# USER empty: nothing to grant (the component runs as root). With
# EMBERWATCH_SYSROOT set, the user and groups of that tree are changed
# instead of this system's (an image being prepared, or a test).
set -eu

die() {
  echo "grant-access.sh: $*" >&2
  exit 1
}

[ $# -eq 5 ] || die "usage: grant-access.sh USER CREDENTIALS_DIR CERT KEY ROOT_CA"
user=$1
credentials=$2
cert=$3
key=$4
root_ca=$5
for file in "$cert" "$key" "$root_ca"; do
  [ -r "$file" ] || die "cannot read $file (the core device's credentials; see the nucleus's system config)"
done

sysroot=${EMBERWATCH_SYSROOT:-}
in_group() {
  # $1 user, $2 group: reads the group file itself, so a --prefix tree is judged by its own files.
  awk -F: -v g="$2" -v u="$1" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 } END { exit !found }' "$sysroot/etc/group"
}

if [ -n "$user" ]; then
  if in_group "$user" dialout; then
    echo "$user is in dialout"
  elif [ -n "$sysroot" ]; then
    usermod --prefix "$sysroot" -a -G dialout "$user"
    echo "added $user to dialout in $sysroot"
  else
    usermod -a -G dialout "$user"
    echo "added $user to dialout"
  fi
fi

install -d -m 0700 "$credentials"
install -m 0644 "$cert" "$credentials/thingCert.crt"
install -m 0600 "$key" "$credentials/privKey.key"
install -m 0644 "$root_ca" "$credentials/rootCA.pem"
if [ -n "$user" ]; then
  # Numeric ids from the tree the user lives in.
  ids=$(awk -F: -v u="$user" '$1 == u { print $3 ":" $4 }' "$sysroot/etc/passwd")
  [ -n "$ids" ] || die "no user $user in $sysroot/etc/passwd"
  chown -R "$ids" "$credentials"
fi
echo "credentials for the agent in $credentials"
