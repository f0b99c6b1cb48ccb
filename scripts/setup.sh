#!/usr/bin/env bash
# Installs what gastric-ai-node needs on Debian/Ubuntu: system packages (as root) and the npm packages, then builds.
# Idempotent and quick when everything is already there. Called by `npm test`, `npm run demo` and `npm run setup`.
set -euo pipefail
cd "$(dirname "$0")/.."

# orthanc + orthanc-dicomweb: the PACS in every test and the demo; dcmtk: storescu/storescp/dsrdump;
# dicom3tools: dciodvfy; pixelmed-apps + a JRE: the TID 1500 SR validator; chromium: the OHIF viewer test;
# python3-torch + python3-torchvision: the training engine (trainer/; CPU builds; a GPU host brings its own, docs/models.md);
# rsyslog + rsyslog-openssl: the audit repository in the ATNA tests; libxml2-utils: xmllint (audit schema); openssl: test certificates.
APT_PACKAGES=(orthanc orthanc-dicomweb dcmtk dicom3tools pixelmed-apps default-jre-headless chromium python3-torch python3-torchvision rsyslog rsyslog-openssl libxml2-utils openssl)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The Debian orthanc package starts a system service on 8042/4242; the node never needs it (tests and the
    # demo start their own Orthanc on free ports), so leave it as the package set it up.
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run as root:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "setup: Node.js >= 20 is needed (found $(node --version))" >&2
  exit 1
fi

# npm ci only when package-lock.json changed since the last install.
stamp=node_modules/.gastric-ai-setup
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_hash" ]]; then
  echo "setup: npm ci"
  # onnxruntime-node bundles its CPU binaries; skip its optional CUDA download (no network beyond npm here).
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi

echo "setup: building (tsc)"
npx tsc -p tsconfig.build.json
