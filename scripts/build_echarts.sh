#!/usr/bin/env bash
# Build the dashboard's ECharts: only the charts and components it uses (line and bar
# charts, grid, tooltip, scroll legend, canvas renderer, the dark theme of the wall
# screen), from the npm release, with esbuild. Writes
# src/gridgov/web/static/vendor/echarts/echarts.dashboard.min.js; commit the result and
# update VENDOR.md's sha256 line (printed at the end).
#
#     scripts/build_echarts.sh          # needs node and npm; nothing else is installed
#
# When dashboard.js starts using another chart type or component, add it to ENTRY.
set -euo pipefail

ECHARTS_VERSION=6.1.0
ESBUILD_VERSION=0.28.2
HERE="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$HERE/src/gridgov/web/static/vendor/echarts/echarts.dashboard.min.js"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --save-exact \
    "echarts@$ECHARTS_VERSION" "esbuild@$ESBUILD_VERSION" >/dev/null

cat > entry.js <<'JS'
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { LegacyGridContainLabel } from "echarts/features";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  LineChart,
  BarChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  LegacyGridContainLabel,
  CanvasRenderer,
]);
window.echarts = echarts;
JS

npx esbuild entry.js --bundle --minify --format=iife --target=es2017 \
    --legal-comments=none --outfile=echarts.js >/dev/null
{
  echo "/*! Apache ECharts $ECHARTS_VERSION (Apache-2.0, see LICENSE and NOTICE), custom build:"
  echo "    line, bar, grid, tooltip, legend, canvas. Built by scripts/build_echarts.sh. */"
  cat echarts.js
} > "$OUT"
echo "wrote $OUT"
echo "bytes: $(wc -c < "$OUT")  sha256: $(sha256sum "$OUT" | cut -d' ' -f1)"
