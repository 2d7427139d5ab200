#!/usr/bin/env bash
# Mutation testing of what changed since the last measurement (.ci/mutation-baseline holds
# that commit; docs/testing.md its scores). A full run takes about an hour on two cores, so CI
# mutates only the model and validation files changed since then: a changed source file, and
# the source file beside a changed spec (x.unit.spec.ts tests x.ts). Nothing changed: nothing
# to run. Stryker's break threshold (90 %) fails the run, and CI with it.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=$(tr -d '[:space:]' < .ci/mutation-baseline)
if ! git cat-file -e "$baseline^{commit}" 2>/dev/null; then
  echo "mutation: the baseline commit $baseline is not in this clone's history; run the whole set with npm run test:mutation" >&2
  exit 1
fi
declare -A files=()
while IFS= read -r path; do
  case "$path" in
    */testing/*) continue ;;
    *.spec.ts) source="${path%%.*}.ts" ;;
    *.ts) source="$path" ;;
    *) continue ;;
  esac
  [ -f "$source" ] && files["$source"]=1
done < <(git diff --name-only "$baseline" HEAD -- src/model src/validation)
if [ "${#files[@]}" -eq 0 ]; then
  echo "mutation: src/model and src/validation are as measured at ${baseline:0:12}; nothing to run"
  exit 0
fi
list=$(printf '%s\n' "${!files[@]}" | sort | paste -sd, -)
echo "mutation: ${#files[@]} changed file(s) since ${baseline:0:12}: $list"
npx stryker run --mutate "$list"
