#!/usr/bin/env bash
# Builds the Dapr sidecar (daprd) the Dapr specs run, once, into a cache outside the repository,
# and prints the binary's path on stdout. A no-op that only prints the path when the binary is
# there. Called by scripts/ensure-test-servers.sh before the tests, and by the specs' harness
# (src/testing/stores/daprd.ts) when it finds no binary.
#
# Dapr's release binaries come from GitHub, which this project's machines cannot reach, so daprd
# is built from the dapr/dapr Go module at the pinned release, taken from the Go module proxy
# (`go install` refuses a module whose go.mod has replace directives, as dapr's does). Only the
# components the engine deploys are compiled in: Dapr registers each component in a file of its
# own under cmd/daprd/components, and the copy built here keeps none of those files but one that
# registers state.redis, which leaves out the cloud SDKs of the other few hundred components.
#
# Cache: ${XDG_CACHE_HOME:-~/.cache}/mastery-engine/dapr-VERSION/daprd, 70 MB. Delete that folder
# to build again. The modules downloaded stay in Go's module cache (go env GOMODCACHE, about
# 1 GB); the compiler's cache of this build is a folder of its own beside the binary, removed once
# the binary is built (1.2 GB that nothing else would reuse).
set -euo pipefail

# The Dapr release the suite tests; README.md and deploy/README.md name it and compose.yaml runs
# its image (src/deploy-files.unit.spec.ts and src/compose-file.unit.spec.ts hold them to it).
DAPR_VERSION=1.18.2

log() { printf 'ensure-daprd: %s\n' "$*" >&2; }

cache="${XDG_CACHE_HOME:-$HOME/.cache}/mastery-engine/dapr-$DAPR_VERSION"
bin="$cache/daprd"
if [ -x "$bin" ]; then
  printf '%s\n' "$bin"
  exit 0
fi

# One build at a time (two spec files may ask at once): the second waits, then finds the binary.
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ -x "$bin" ]; then
  printf '%s\n' "$bin"
  exit 0
fi

command -v go >/dev/null || { log "Go is needed to build daprd $DAPR_VERSION: Go 1.26.5 or newer (its go.mod's go line)"; exit 1; }
started=$(date +%s)
log "building daprd $DAPR_VERSION into $cache (first run only: downloads Dapr's Go modules and compiles for some minutes)"
mkdir -p "$cache"
# Outside any module, so -mod=mod: `go mod download` then just fetches the module's source.
module_dir=$(cd "$cache" && GOFLAGS=-mod=mod go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$module_dir" ] || { log "go mod download gave no source folder for github.com/dapr/dapr@v$DAPR_VERSION"; exit 1; }

src="$cache/src"
rm -rf "$src"
cp -r "$module_dir" "$src"
chmod -R u+w "$src"
rm -f "$src"/cmd/daprd/components/*.go
cat >"$src/cmd/daprd/components/mastery_engine.go" <<'GO'
// The components the Mastery Engine deploys (deploy/dapr/components), and no others: written by
// the Mastery Engine's scripts/ensure-daprd.sh in place of Dapr's own registration files.
package components

import (
	"github.com/dapr/components-contrib/state/redis"
	stateLoader "github.com/dapr/dapr/pkg/components/state"
)

func init() {
	stateLoader.DefaultRegistry.RegisterComponent(redis.NewRedisStateStore, "redis")
}
GO

# As Dapr's Makefile builds it (CGO off, stripped), with the version daprd --version prints.
(cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOCACHE="$cache/go-build" go build -trimpath \
  -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION" \
  -o "$bin.partial" ./cmd/daprd)
mv "$bin.partial" "$bin"
rm -rf "$src" "$cache/go-build"
log "built daprd $DAPR_VERSION in $(($(date +%s) - started)) s"
printf '%s\n' "$bin"
