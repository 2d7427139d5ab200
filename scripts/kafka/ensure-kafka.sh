#!/usr/bin/env bash
# Makes sure the jars of the Apache Kafka broker that the tests (and `npm run kafka:local`) run
# are in a cache outside the repository, and prints the folder that holds them. The first run
# copies them from Maven Central with Maven (pom.xml beside this script: the version) and checks
# every jar against jars.sha256, refusing any jar that differs or is not listed; later runs only
# see that the cache was checked against this very jars.sha256 and print the folder.
#
#   bash scripts/kafka/ensure-kafka.sh            # the folder, installing on first use
#   bash scripts/kafka/ensure-kafka.sh --sums     # after changing pom.xml: the new jars.sha256 on stdout
#
# The cache: $XDG_CACHE_HOME/mastery-engine/kafka-<version> (~/.cache/... without XDG_CACHE_HOME).
# Needs Java 17+ and Maven (scripts/ensure-test-servers.sh installs them from Debian's packages).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pom="$here/pom.xml"
sums="$here/jars.sha256"
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/mastery-engine"
dir="$cache_root/kafka-$version"

log() { printf 'ensure-kafka: %s\n' "$*" >&2; }

for tool in java mvn sha256sum flock; do
  command -v "$tool" >/dev/null || { log "$tool is missing: run scripts/ensure-test-servers.sh (it installs Java and Maven)"; exit 1; }
done

# Copies the jars into $1 (quietly: Maven's progress is not the caller's output).
copy_jars() {
  mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$1" >&2 \
    || { log "Maven could not fetch Kafka $version's jars (is Maven Central reachable?)"; return 1; }
}

if [ "${1:-}" = "--sums" ]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  copy_jars "$scratch"
  (cd "$scratch" && sha256sum -- *.jar)
  exit 0
fi

# The cache is good when it was checked against this jars.sha256.
want=$(sha256sum "$sums" | cut -d' ' -f1)
checked() { [ -f "$dir/checked" ] && [ "$(cat "$dir/checked")" = "$want" ]; }
if checked; then echo "$dir/libs"; exit 0; fi

mkdir -p "$cache_root"
# Test files start brokers side by side: one of them installs, the others wait for it.
exec 9>"$cache_root/.kafka-$version.lock"
flock 9
if checked; then echo "$dir/libs"; exit 0; fi

log "fetching Apache Kafka $version's jars into $dir (once per machine)"
scratch=$(mktemp -d "$cache_root/.kafka-$version.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
copy_jars "$scratch/libs"
(cd "$scratch/libs" && sha256sum --quiet --strict -c "$sums") \
  || { log "a jar of Kafka $version does not match scripts/kafka/jars.sha256: refusing the download"; exit 1; }
unlisted=$(cd "$scratch/libs" && ls -- *.jar | grep -vxFf <(awk '{print $2}' "$sums") || true)
[ -z "$unlisted" ] || { log "jars not in scripts/kafka/jars.sha256: $unlisted"; exit 1; }
echo "$want" > "$scratch/checked"
rm -rf "$dir"
mv "$scratch" "$dir"
trap - EXIT
echo "$dir/libs"
