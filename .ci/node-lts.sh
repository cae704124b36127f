# Sourced by .ci/run: puts a Node.js of the project's LTS line first on the PATH.
#
# NODE_LTS_MAJOR is the line package.json's engines names. When `node` on the
# PATH is older, the official build of that line comes from the npm registry
# as node-<os>-<arch> (bin/node, include/node for native modules) into a
# cache folder kept between runs, and node-gyp is pointed at its headers, so
# `npm ci` builds better-sqlite3 and the serialport bindings for it.

NODE_LTS_MAJOR=24

ensure_node_lts() {
  local have
  have="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$have" -ge "$NODE_LTS_MAJOR" ]; then
    return 0
  fi
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "ci: no Node.js $NODE_LTS_MAJOR package for $(uname -s); install it by hand" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "ci: no Node.js $NODE_LTS_MAJOR package for $(uname -m); install it by hand" >&2; return 1 ;;
  esac
  local cache="${EMBERWATCH_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emberwatch-node}/${NODE_LTS_MAJOR}-${os}-${arch}"
  local pkg="$cache/node_modules/node-${os}-${arch}"
  if ! "$pkg/bin/node" -e "process.exit(Number(process.versions.node.split('.')[0]) === $NODE_LTS_MAJOR ? 0 : 1)" 2>/dev/null; then
    echo "ci: node $(node --version 2>/dev/null || echo none) is older than $NODE_LTS_MAJOR; installing node-${os}-${arch}@${NODE_LTS_MAJOR} from the npm registry"
    rm -rf "$cache"
    mkdir -p "$cache"
    # No install scripts: the package is the build itself.
    npm install --prefix "$cache" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
      "node-${os}-${arch}@${NODE_LTS_MAJOR}" >/dev/null
  fi
  export PATH="$pkg/bin:$PATH"
  # node-gyp builds native modules against the running Node's headers, which the package carries.
  export npm_config_nodedir="$pkg"
  hash -r
}
