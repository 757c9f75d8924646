#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: the main pages of the web UI in headless Chromium against a fresh demo
# district (same set-up as scripts/e2e.sh). Needs /usr/bin/chromium and fonts-noto-cjk for the Chinese text.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/screenshots
SCREENSHOT_DIR="$PWD/docs/screenshots" E2E_PROJECT=screenshots bash scripts/e2e.sh "$@"
ls -1 docs/screenshots
