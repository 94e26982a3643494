#!/usr/bin/env bash
# Prepare the source of the installed FRR for building adapters/frr against:
#   scripts/frr-source.sh [DIR]        (DIR defaults to ./build-frr-source)
# prints the prepared tree's path on stdout (everything else goes to
# stderr), for `configure --with-frr-source=$(scripts/frr-source.sh)`.
#
# Debian ships no FRR headers, and bgpd's struct layouts depend on how it
# was configured (--enable-bgp-vnc changes struct attr, --enable-multipath
# sizes nexthop arrays), so the module must be compiled against the very
# version that is installed, configured as Debian configured it.  Steps:
#   1. the installed version: dpkg-query -W frr;
#   2. its source: apt-get source frr=VERSION (deb-src entries are added,
#      copied from the existing deb entries, when apt has none);
#   3. autoreconf, then ./configure with the options of debian/rules' dh_auto_configure
#      (read from that file, so a new Debian revision brings its own), less
#      the documentation ones, which change no code;
#   4. make lib/route_types.h (the only generated header bgpd's headers need).
# Idempotent and cached: a tree prepared for the installed version (stamp
# file .rtrmod-prepared) is reused as it is.  Needs FRR's build
# dependencies (scripts/deps.sh installs them) and, to add deb-src entries
# or fetch sources, apt access (root or sudo).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build-frr-source}

say() { printf 'frr-source: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

SUDO=
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi

version=$(dpkg-query -W -f='${Version}' frr 2>/dev/null) ||
	die "package frr is not installed (apt-get install frr)"
[ -n "$version" ] || die "package frr is not installed (apt-get install frr)"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
tree="$dir/frr-${version//:/_}"
stamp="$tree/.rtrmod-prepared"

if [ -f "$stamp" ] && [ "$(head -n 1 "$stamp")" = "$version" ]; then
	say "FRR $version source already prepared in $tree"
	echo "$tree"
	exit 0
fi

# ---- 2. the source package ------------------------------------------------

has_source() {
	local versions
	versions=$(apt-cache showsrc frr 2>/dev/null || true)
	grep -qx "Version: $version" <<<"$versions"
}

# deb822 (.sources): every stanza whose Types has "deb" again as "deb-src".
deb822_src() {
	awk 'BEGIN { RS = "" }
	/(^|\n)Types:[^\n]*[ \t]deb([ \t\n]|$)/ {
		n = split($0, l, "\n"); out = ""
		for (i = 1; i <= n; i++) {
			if (l[i] ~ /^#/) continue
			if (l[i] ~ /^Types:/) l[i] = "Types: deb-src"
			out = out l[i] "\n"
		}
		printf "%s\n", out
	}' "$@"
}

enable_deb_src() {
	local list=/etc/apt/sources.list d822 classic
	d822=$(find /etc/apt/sources.list.d -maxdepth 1 -name '*.sources' ! -name 'rtrmod-deb-src.sources' \
		-exec grep -l '^Types:.*\bdeb\b' {} + 2>/dev/null || true)
	if [ -n "$d822" ]; then
		# shellcheck disable=SC2086
		deb822_src $d822 | $SUDO tee /etc/apt/sources.list.d/rtrmod-deb-src.sources >/dev/null
		say "added deb-src entries: /etc/apt/sources.list.d/rtrmod-deb-src.sources"
	fi
	classic=$(cat "$list" /etc/apt/sources.list.d/*.list 2>/dev/null | sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' || true)
	if [ -n "$classic" ]; then
		printf '%s\n' "$classic" | $SUDO tee /etc/apt/sources.list.d/rtrmod-deb-src.list >/dev/null
		say "added deb-src entries: /etc/apt/sources.list.d/rtrmod-deb-src.list"
	fi
	[ -n "$d822$classic" ] || die "no deb entries in apt's sources to copy deb-src entries from"
	$SUDO apt-get update -q >&2
}

if ! has_source; then
	say "apt knows no source of frr $version; adding deb-src entries"
	enable_deb_src
	has_source || die "apt has no source package frr $version (is its suite in apt's sources?)"
fi

work=$(mktemp -d "$dir/prep.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # apt's _apt user downloads into it
say "fetching frr $version source"
(cd "$work" && apt-get source -q --download-only "frr=$version" >&2) ||
	die "apt-get source frr=$version failed"
dsc=$(ls "$work"/frr_*.dsc)
dpkg-source -q -x "$dsc" "$work/frr" >&2 || die "dpkg-source -x $dsc failed"

# ---- 3. configure as debian/rules does ----------------------------------------

rules="$work/frr/debian/rules"
[ -f "$rules" ] || die "no debian/rules in the frr source"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
# The value of one variable of debian/rules (its default build profile).
rules_var() {
	make -s -f "$rules" --no-print-directory --eval 'rtrmod-print-%: ; @echo $($*)' "rtrmod-print-$1"
}
raw=$(sed -n '/dh_auto_configure --/,/# end/p' "$rules" | tr -s ' \t\\' '\n\n\n' | grep -E '^(--|\$\(CONF_)' || true)
[ -n "$raw" ] || die "cannot find dh_auto_configure's options in debian/rules"
opts=()
for o in $raw; do
	case "$o" in
	'$(CONF_'*)
		var=${o#\$(}
		var=${var%)}
		o=$(rules_var "$var")
		;;
	esac
	o=${o//\$(DEB_HOST_MULTIARCH)/$multiarch}
	case "$o" in
	--enable-doc | --enable-doc-html) continue ;; # documentation only
	-- | "") continue ;;
	esac
	opts+=("$o")
done
# The tarball is a git export: Debian's dh runs autoreconf, so do we.
say "autoreconf"
(cd "$work/frr" && autoreconf -fi >&2 2>/dev/null) || die "autoreconf of the FRR source failed"
say "configure ${opts[*]}"
(cd "$work/frr" && PYTHON=python3 ./configure -q --prefix=/usr "${opts[@]}" >&2) ||
	die "FRR's configure failed (missing build dependencies? run scripts/deps.sh)"

# ---- 4. generated headers -----------------------------------------------------

(cd "$work/frr" && make -s lib/route_types.h >&2) || die "make lib/route_types.h failed"

printf '%s\n%s\n' "$version" "${opts[*]}" >"$work/frr/.rtrmod-prepared"
rm -rf "$tree"
mv "$work/frr" "$tree"
say "FRR $version source prepared in $tree"
echo "$tree"
