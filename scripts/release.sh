#!/usr/bin/env bash
# Builds esr-doctor's release binaries and lays them out in dist/ with SHA256SUMS (which
# `sha256sum -c SHA256SUMS` checks in dist/), MANIFEST.json (version, commit, target, size per
# binary) and winget manifests filled in from scripts/intune/winget/.
#
# Usage: scripts/release.sh [--offline] [TARGET...]
#   --offline  build from the cargo cache only (cargo --offline); a cold cache then fails
#   TARGET     rustc target triples; default: x86_64-unknown-linux-gnu x86_64-pc-windows-gnu
#
# Adding a target: `rustup target add TRIPLE`, install a linker for it, and give its name below
# with its Debian package in `linker_for` (or set CARGO_TARGET_<TRIPLE>_LINKER, which cargo
# reads itself). The script refuses a target whose standard library or linker is missing
# before it builds anything.
set -euo pipefail
cd "$(dirname "$0")/.."

offline=()
targets=()
for arg in "$@"; do
  case "$arg" in
    --offline) offline=(--offline) ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "release.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-unknown-linux-gnu x86_64-pc-windows-gnu)

fail() { echo "release.sh: $*" >&2; exit 1; }

# The linker a target needs when cargo is not told one, and the Debian package that has it.
linker_for() {
  case "$1" in
    x86_64-pc-windows-gnu) echo "x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64" ;;
    aarch64-unknown-linux-gnu) echo "aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu" ;;
    *) echo "cc build-essential" ;;
  esac
}

command -v cargo >/dev/null || fail "cargo is not installed (https://rustup.rs)"
command -v sha256sum >/dev/null || fail "sha256sum is not installed (coreutils)"
host=$(rustc -vV | sed -n 's/^host: //p')

# Everything missing is said at once, with the command that installs it.
missing=()
for target in "${targets[@]}"; do
  sysroot_lib="$(rustc --print sysroot)/lib/rustlib/$target/lib"
  if [ "$target" != "$host" ] && [ ! -d "$sysroot_lib" ]; then
    missing+=("the Rust standard library for $target: rustup target add $target")
  fi
  env_name="CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_LINKER"
  read -r linker package <<< "$(linker_for "$target")"
  linker="${!env_name:-$linker}"
  if ! command -v "$linker" >/dev/null; then
    missing+=("the linker $linker for $target (Debian: apt-get install $package, or set $env_name)")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'release.sh: cannot build, missing:\n' >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

version=$(cargo metadata --no-deps --format-version 1 "${offline[@]}" \
  | sed -n 's/.*"name":"esr-doctor","version":"\([^"]*\)".*/\1/p')
[ -n "$version" ] || fail "cannot read the package version from Cargo.toml"
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit-dirty"
fi

dist="$PWD/dist"
rm -rf "$dist"
mkdir -p "$dist"
entries=()
for target in "${targets[@]}"; do
  echo "release.sh: building $target" >&2
  cargo build --release --locked "${offline[@]}" --target "$target" \
    || fail "the build for $target failed (with --offline, a dependency may be missing from the cache: run once without it)"
  exe=esr-doctor
  case "$target" in *windows*) exe=esr-doctor.exe ;; esac
  name="esr-doctor-$version-$target${exe#esr-doctor}"
  cp "target/$target/release/$exe" "$dist/$name"
  size=$(wc -c < "$dist/$name" | tr -d ' ')
  entries+=("    {\"file\": \"$name\", \"target\": \"$target\", \"size_bytes\": $size}")
done

(cd "$dist" && sha256sum -- esr-doctor-* > SHA256SUMS)
{
  echo "{"
  echo "  \"name\": \"esr-doctor\","
  echo "  \"version\": \"$version\","
  echo "  \"commit\": \"$commit\","
  echo "  \"rustc\": \"$(rustc -V)\","
  echo "  \"artifacts\": ["
  last=$(( ${#entries[@]} - 1 ))
  for i in "${!entries[@]}"; do
    if [ "$i" -eq "$last" ]; then echo "${entries[$i]}"; else echo "${entries[$i]},"; fi
  done
  echo "  ]"
  echo "}"
} > "$dist/MANIFEST.json"

# winget: the Windows binary's version and checksum go into the templates; the address it will
# be downloaded from is for whoever publishes it to fill in (see scripts/intune/README.md).
windows_exe=$(cd "$dist" && ls esr-doctor-*-x86_64-pc-windows-gnu.exe 2>/dev/null || true)
if [ -n "$windows_exe" ]; then
  sha=$(sha256sum "$dist/$windows_exe" | cut -d' ' -f1 | tr 'a-f' 'A-F')
  mkdir -p "$dist/winget"
  for template in scripts/intune/winget/*.yaml; do
    sed -e "s/{{VERSION}}/$version/g" -e "s/{{SHA256}}/$sha/g" -e "s/{{FILE}}/$windows_exe/g" \
      "$template" > "$dist/winget/$(basename "$template")"
  done
fi

echo "release.sh: wrote $dist:" >&2
(cd "$dist" && cat SHA256SUMS && sha256sum --quiet -c SHA256SUMS) >&2
