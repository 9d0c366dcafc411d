#!/usr/bin/env bash
# Builds the Debian packages bilik-server and bilik-station with dpkg-deb
# from a staged tree (no cargo-deb: it is not installed and compiling it
# costs minutes per CI run; a staged tree is all it would produce).
#
#   packaging/build-debs.sh [OUT_DIR]          # default target/debian
#
# Environment:
#   BILIK_BIN_DIR   where bilik-server and bilik-agent are (default: a
#                   `cargo build --release` of both, into target/release)
#   BILIK_DEB_VERSION  the package version (default: the workspace version)
#   BILIK_DEB_COMPRESS dpkg-deb compression, e.g. "gzip -z1" for quick test
#                   builds (default: dpkg-deb's own, xz)
#
# Prints the paths of the two .deb files, one per line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/target/debian}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [ -z "${BILIK_BIN_DIR:-}" ]; then
    (cd "$root" && cargo build --release -p bilik-server -p bilik-agent --bins) >&2
    BILIK_BIN_DIR="$root/target/release"
fi
for bin in bilik-server bilik-agent; do
    [ -x "$BILIK_BIN_DIR/$bin" ] || { echo "build-debs: no $BILIK_BIN_DIR/$bin" >&2; exit 1; }
done

version="${BILIK_DEB_VERSION:-$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)}"
arch="$(dpkg --print-architecture)"
compress=()
if [ -n "${BILIK_DEB_COMPRESS:-}" ]; then
    read -r -a parts <<<"$BILIK_DEB_COMPRESS"
    compress=("-Z${parts[0]}" "${parts[@]:1}")
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# A binary without its debug sections (the package is for running it).
install_bin() {
    install -D -m 0755 "$1" "$2"
    strip --strip-debug "$2" 2>/dev/null || true
}

# The control file: name, description, dependencies of the binaries (they
# link only libc, libm and libgcc_s; X and OpenGL are loaded at run time).
control() {
    local dir="$1" name="$2" depends="$3" recommends="$4" summary="$5" body="$6"
    local size
    size="$(du -sk --exclude=DEBIAN "$dir" | cut -f1)"
    cat >"$dir/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Maintainer: Bilik maintainers <bilik@localhost>
Section: net
Priority: optional
Installed-Size: $size
Depends: $depends
CONTROL
    if [ -n "$recommends" ]; then
        echo "Recommends: $recommends" >>"$dir/DEBIAN/control"
    fi
    printf 'Description: %s\n%s\n' "$summary" "$body" >>"$dir/DEBIAN/control"
}

# Every file under etc/ is a conffile: dpkg keeps a changed one on upgrade.
conffiles() {
    (cd "$1" && find etc -type f | sort | sed 's|^|/|') >"$1/DEBIAN/conffiles"
}

# A configuration file: the package's own settings, then every key with its
# default, commented out (from the binary itself, so never out of date).
with_defaults() {
    local settings="$1" defaults="$2" dest="$3"
    install -d "$(dirname "$dest")"
    {
        cat "$settings"
        echo
        echo "# ---------------------------------------------------------------------"
        echo "# Every key and its default (uncomment a line in its [section] above,"
        echo "# or add the section, to change it):"
        echo "#"
        sed -e 's/^\(.\)/# \1/' -e 's/^$/#/' <<<"$defaults"
    } >"$dest"
    chmod 0644 "$dest"
}

# ---- bilik-server -------------------------------------------------------
srv="$stage/bilik-server"
install -d "$srv/DEBIAN"
install_bin "$BILIK_BIN_DIR/bilik-server" "$srv/usr/bin/bilik-server"
install -D -m 0644 "$root/packaging/server/bilik-server.service" \
    "$srv/lib/systemd/system/bilik-server.service"
with_defaults "$root/packaging/server/server.toml" \
    "$("$BILIK_BIN_DIR/bilik-server" serve --print-config)" "$srv/etc/bilik/server.toml"
install -D -m 0644 "$root/README.md" "$srv/usr/share/doc/bilik-server/README.md"
for s in postinst prerm postrm; do
    install -m 0755 "$root/packaging/server/$s" "$srv/DEBIAN/$s"
done
conffiles "$srv"
control "$srv" bilik-server "libc6 (>= 2.34), libgcc-s1, adduser" "" \
    "Bilik server: the public internet PCs of a library" \
" The central server of Bilik: members (library cards), stations, the
 45-minute sessions, the usage book, the daily recap and the signed monthly
 report, with a web dashboard for librarians and /metrics for Prometheus."

# ---- bilik-station --------------------------------------------------------
# The kiosk files of docs/kiosk/, with the binary where the package puts it.
sta="$stage/bilik-station"
install -d "$sta/DEBIAN"
kiosk="$root/docs/kiosk"
packaged_paths() {
    sed -e 's|/usr/local/bin/bilik-agent|/usr/bin/bilik-agent|g' \
        -e 's|/usr/local/lib/bilik/kiosk-session|/usr/lib/bilik/kiosk-session|g' "$1"
}
install_bin "$BILIK_BIN_DIR/bilik-agent" "$sta/usr/bin/bilik-agent"
install -d "$sta/lib/systemd/system" "$sta/usr/lib/bilik" "$sta/usr/share/xsessions" \
    "$sta/etc/bilik/openbox" "$sta/etc/lightdm/lightdm.conf.d" "$sta/etc/X11/xorg.conf.d"
packaged_paths "$kiosk/bilik-agent.service" >"$sta/lib/systemd/system/bilik-agent.service"
packaged_paths "$kiosk/kiosk-session" >"$sta/usr/lib/bilik/kiosk-session"
packaged_paths "$kiosk/bilik-kiosk.desktop" >"$sta/usr/share/xsessions/bilik-kiosk.desktop"
with_defaults <(packaged_paths "$kiosk/agent.toml") \
    "$("$BILIK_BIN_DIR/bilik-agent" --print-config)" "$sta/etc/bilik/agent.toml"
install -m 0644 "$kiosk/rc.xml" "$sta/etc/bilik/openbox/rc.xml"
install -m 0644 "$kiosk/50-bilik.conf" "$sta/etc/lightdm/lightdm.conf.d/50-bilik.conf"
install -m 0644 "$kiosk/10-bilik-kiosk.conf" "$sta/etc/X11/xorg.conf.d/10-bilik-kiosk.conf"
chmod 0644 "$sta/lib/systemd/system/bilik-agent.service" "$sta/usr/share/xsessions/bilik-kiosk.desktop"
chmod 0755 "$sta/usr/lib/bilik/kiosk-session"
install -D -m 0644 "$root/docs/kiosk-linux.md" "$sta/usr/share/doc/bilik-station/kiosk-linux.md"
install -D -m 0644 "$root/docs/hooks-linux.md" "$sta/usr/share/doc/bilik-station/hooks-linux.md"
for s in postinst prerm postrm; do
    install -m 0755 "$root/packaging/station/$s" "$sta/DEBIAN/$s"
done
conffiles "$sta"
control "$sta" bilik-station "libc6 (>= 2.34), libgcc-s1, util-linux" \
    "xorg, openbox, lightdm, libgl1-mesa-dri" \
    "Bilik station: keeps a library's public PC locked until a card is presented" \
" The station service of Bilik (bilik-agent service, a root systemd unit that
 restarts always) and its lock screen, with the kiosk session files: an
 autologin X session with a stripped openbox, no console switching."

for pkg in bilik-server bilik-station; do
    deb="$out/${pkg}_${version}_${arch}.deb"
    dpkg-deb --root-owner-group "${compress[@]}" --build "$stage/$pkg" "$deb" >&2
    echo "$deb"
done
