#!/usr/bin/env bash
# Installs what the web app's browser tests (tests/web/test_browser.py) drive: Debian's
# Chromium and its chromedriver. Idempotent: does nothing when both are there already.
# Needs root (CI runs as root); no browser is ever downloaded by a test tool.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    echo "browser.sh: $(chromium --version 2>/dev/null | head -1), $(chromedriver --version | head -1)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
echo "browser.sh: installed $(chromium --version 2>/dev/null | head -1)"
