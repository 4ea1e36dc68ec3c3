#!/usr/bin/env bash
# Builds a signed box release bundle (see build-release.ts for what goes in it):
#   firmware-scripts/build-release.sh --version 0.2.0 --key release.key [--out dist] [--unsigned]
# Runs on a build machine with the repository and its dev dependencies (tsx, esbuild), never on a box.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
exec node --import tsx "$here/build-release.ts" "$@"
