#!/usr/bin/env bash
# make coverage: one debug build with coverage instrumentation, every test against a real PostgreSQL
# (the service binaries the tests start write their profiles too), then line coverage per module.
#   scripts/coverage.sh [swift test arguments, e.g. --filter PaymentsFlowTests]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
# The toolchain's own LLVM tools: the profile format is the compiler's, not Debian's llvm's.
toolchain="$(dirname "$(readlink -f "$(command -v swift)")")"
echo "coverage: building (debug, instrumented)"
swift build --build-tests --enable-code-coverage
eval "$(scripts/postgres.sh start | sed 's/^/export /')"
export COFFER_TEST_VENV="$PWD/.run/venv"
COFFER_BIN_DIR="$(swift build --show-bin-path --enable-code-coverage)"
export COFFER_BIN_DIR
profiles="$PWD/.run/coverage"
rm -rf "$profiles"
mkdir -p "$profiles"
# One profile per process (%p): the test runner and every service it starts inherit this.
export LLVM_PROFILE_FILE="$profiles/%p.profraw"
echo "coverage: running"
status=0
swift test --skip-build "$@" || status=$?
"$toolchain/llvm-profdata" merge -sparse "$profiles"/*.profraw -o "$profiles/all.profdata"
objects=("$COFFER_BIN_DIR/CofferPackageTests.xctest")
for binary in coffer-ingress coffer-payments coffer-payouts coffer-notifications coffer-monitoring coffer-sandbox cofferctl; do
  objects+=(-object "$COFFER_BIN_DIR/$binary")
done
"$toolchain/llvm-cov" export -summary-only -instr-profile "$profiles/all.profdata" "${objects[@]}" \
  -ignore-filename-regex='(\.build|/Tests/|/Plugins/|/Tools/)' > "$profiles/summary.json"
python3 - "$profiles/summary.json" "$PWD" <<'PY'
import json, sys
data, root = json.load(open(sys.argv[1])), sys.argv[2].rstrip("/") + "/"
modules = {}
for entry in data["data"][0]["files"]:
    path = entry["filename"].replace(root, "")
    parts = path.split("/")
    if len(parts) < 3 or parts[0] not in ("Shared", "Services"):
        continue
    module = parts[0] + "/" + parts[1]
    lines = entry["summary"]["lines"]
    total, covered = modules.get(module, (0, 0))
    modules[module] = (total + lines["count"], covered + lines["covered"])
print(f"{'module':28} {'lines':>8} {'covered':>8} {'line coverage':>14}")
all_total = all_covered = 0
for module, (total, covered) in sorted(modules.items()):
    all_total, all_covered = all_total + total, all_covered + covered
    print(f"{module:28} {total:8} {covered:8} {100.0 * covered / max(total, 1):13.1f}%")
print(f"{'all':28} {all_total:8} {all_covered:8} {100.0 * all_covered / max(all_total, 1):13.1f}%")
PY
exit $status
