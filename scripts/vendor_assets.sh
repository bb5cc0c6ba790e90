#!/usr/bin/env bash
# Vendor the front-end libraries used by the gridgov web UI from their npm
# registry releases, so the app works fully offline (no CDN at run time).
#
# Usage: scripts/vendor_assets.sh        (from anywhere; needs `npm` and `node`)
#
# Bump a version below, run the script, review `git diff`, commit the result
# (src/gridgov/web/static/vendor/, including the regenerated VENDOR.md).
# Prints "sha256  path" lines (sha256sum format) for every file it copies.
set -euo pipefail

# ---- pinned versions --------------------------------------------------------
LEAFLET_VERSION=1.9.4
ECHARTS_VERSION=6.1.0
HTMX_VERSION=2.0.11   # htmx.org 2.x line; note npm's "latest" dist-tag is 4.x
SWAGGER_UI_VERSION=5.35.0
# -----------------------------------------------------------------------------

export LC_ALL=C
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR_DIR="$REPO_ROOT/src/gridgov/web/static/vendor"

for tool in npm node tar sha256sum; do
    command -v "$tool" >/dev/null || { echo "error: '$tool' not found" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gridgov-vendor.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Rows for VENDOR.md, filled in by vendor_pkg.
SUMMARY_ROWS=""
FILE_ROWS=""

# vendor_pkg NAME NPM_PACKAGE VERSION DEST SRC_PATH... (paths relative to the
# package root; a path of the form "src=>dst" renames/relocates the file; a
# leading "?" marks a file as optional: skipped, with a note, if the release
# lacks it). Set EXTRA_LICENSE="..." on the call to append a note about the
# licences of bundled third-party code to the "Licence" column.
vendor_pkg() {
    local name="$1" pkg="$2" version="$3" dest="$4"
    shift 4
    local pkgdir="$WORK/$pkg"
    mkdir -p "$pkgdir"

    echo ">> npm pack $pkg@$version" >&2
    (cd "$pkgdir" && npm pack "$pkg@$version" --json --ignore-scripts --silent) > "$pkgdir/pack.json"
    local tarball integrity
    tarball="$(node -p 'require(process.argv[1])[0].filename' "$pkgdir/pack.json")"
    integrity="$(node -p 'require(process.argv[1])[0].integrity' "$pkgdir/pack.json")"

    mkdir -p "$pkgdir/x"
    tar -xzf "$pkgdir/$tarball" -C "$pkgdir/x" --no-same-owner --no-same-permissions
    local root="$pkgdir/x/package"

    # Sanity: the tarball is the package and version we asked for.
    local got_name got_version license
    got_name="$(node -p 'require(process.argv[1]).name' "$root/package.json")"
    got_version="$(node -p 'require(process.argv[1]).version' "$root/package.json")"
    license="$(node -p 'require(process.argv[1]).license' "$root/package.json")"
    if [[ "$got_name" != "$pkg" || "$got_version" != "$version" ]]; then
        echo "error: expected $pkg@$version, tarball contains $got_name@$got_version" >&2
        exit 1
    fi

    # Replace the destination directory wholesale so stale files never linger.
    rm -rf "${VENDOR_DIR:?}/$dest"
    mkdir -p "$VENDOR_DIR/$dest"

    local files="" spec src dst optional
    for spec in "$@"; do
        optional=0
        if [[ "$spec" == "?"* ]]; then optional=1; spec="${spec#\?}"; fi
        if [[ "$spec" == *"=>"* ]]; then src="${spec%%=>*}"; dst="${spec##*=>}"; else src="$spec"; dst="$(basename "$spec")"; fi
        if [[ ! -f "$root/$src" ]]; then
            if (( optional )); then echo ">> note: $pkg@$version has no $src (optional, skipped)" >&2; continue; fi
            echo "error: $pkg@$version has no $src" >&2; exit 1
        fi
        mkdir -p "$(dirname "$VENDOR_DIR/$dest/$dst")"
        install -m 0644 "$root/$src" "$VENDOR_DIR/$dest/$dst"
        local sha size
        sha="$(sha256sum "$VENDOR_DIR/$dest/$dst" | cut -d' ' -f1)"
        size="$(stat -c %s "$VENDOR_DIR/$dest/$dst")"
        printf '%s  %s\n' "$sha" "$dest/$dst"     # sha256sum-compatible line
        files+="\`$dest/$dst\`<br>"
        FILE_ROWS+="| $name | $version | \`$dest/$dst\` | $size | \`$sha\` |"$'\n'
    done
    SUMMARY_ROWS+="| $name | $version | [\`$pkg\`](https://www.npmjs.com/package/$pkg/v/$version) | $license${EXTRA_LICENSE:+<br>$EXTRA_LICENSE} | ${files%<br>} | \`$integrity\` |"$'\n'
}

mkdir -p "$VENDOR_DIR"
echo "# sha256 of vendored files (relative to src/gridgov/web/static/vendor/)"

vendor_pkg Leaflet leaflet "$LEAFLET_VERSION" leaflet \
    dist/leaflet.js \
    dist/leaflet.css \
    "dist/images/layers.png=>images/layers.png" \
    "dist/images/layers-2x.png=>images/layers-2x.png" \
    "dist/images/marker-icon.png=>images/marker-icon.png" \
    "dist/images/marker-icon-2x.png=>images/marker-icon-2x.png" \
    "dist/images/marker-shadow.png=>images/marker-shadow.png" \
    LICENSE

# echarts.min.js embeds d3 code (BSD-3-Clause); its licence ships separately.
EXTRA_LICENSE="bundled d3 code: BSD-3-Clause (\`echarts/LICENSE-d3\`)" \
vendor_pkg "Apache ECharts" echarts "$ECHARTS_VERSION" echarts \
    dist/echarts.min.js \
    LICENSE \
    NOTICE \
    licenses/LICENSE-d3

vendor_pkg htmx htmx.org "$HTMX_VERSION" htmx \
    dist/htmx.min.js \
    LICENSE

# Only the browser bundle + CSS + licence texts: no *.map, no index.html /
# swagger-initializer.js (the page supplies its own SwaggerUIBundle({...}) call,
# which must pass validatorUrl: null -- see the notes in VENDOR.md).
# swagger-ui-bundle.js starts with "For license information please see
# swagger-ui-bundle.js.LICENSE.txt" (the notices of the third-party code it
# bundles), so that file is taken as well.
EXTRA_LICENSE="bundled third-party code: MIT, BSD-3-Clause, (MPL-2.0 OR Apache-2.0) (\`swagger-ui/swagger-ui-bundle.js.LICENSE.txt\`)" \
vendor_pkg "Swagger UI" swagger-ui-dist "$SWAGGER_UI_VERSION" swagger-ui \
    swagger-ui-bundle.js \
    swagger-ui.css \
    swagger-ui-bundle.js.LICENSE.txt \
    LICENSE \
    "?NOTICE"

# ---- VENDOR.md (generated; edit this script, not the file) -------------------
{
cat <<MD
# Vendored front-end libraries

Generated by \`scripts/vendor_assets.sh\` — do not edit by hand. These files are
copied byte-for-byte from the npm registry release tarballs so the web UI works
fully offline (no CDN). Nothing here is fetched at run time, provided the
Swagger UI page is configured as described under "Run-time notes" below.

## Libraries

| Library | Version | npm package | Licence (SPDX) | Files taken | npm tarball integrity |
|---|---|---|---|---|---|
${SUMMARY_ROWS}
## Files

Paths are relative to \`src/gridgov/web/static/vendor/\`.

| Library | Version | File | Bytes | sha256 |
|---|---|---|---|---|
${FILE_ROWS}
Check the files on disk against this table with:

\`\`\`sh
cd src/gridgov/web/static/vendor && grep -oE '^\\| [^|]+ \\| [^|]+ \\| \`[^\`]+\` \\| [0-9]+ \\| \`[0-9a-f]{64}\`' VENDOR.md \\
  | awk -F'\`' '{print \$4 "  " \$2}' | sha256sum -c
\`\`\`

## Run-time notes

- **Swagger UI: pass \`validatorUrl: null\`.** \`swagger-ui-bundle.js\` defaults
  \`validatorUrl\` to \`https://validator.swagger.io/validator\`; with that default,
  whenever the spec is loaded via \`url:\` from a host other than \`localhost\` /
  \`127.0.0.1\`, it renders an "online validator badge" \`<img>\` that sends the
  spec's URL to validator.swagger.io. The page's \`SwaggerUIBundle({...})\` call
  must set \`validatorUrl: null\`.
- Nothing else in \`swagger-ui-bundle.js\` or \`swagger-ui.css\` is fetched
  remotely on its own: the CSS has no \`@import\` or \`@font-face\` (system font
  stacks only) and all its \`url(...)\` images are inline \`data:\` URIs; the
  other absolute URLs in the bundle are identifiers (JSON Schema / OpenAPI
  dialect \`\$id\`s, RFC links, error-message links), not requests. Leave
  \`queryConfigEnabled\` (default \`false\`) and \`configUrl\` (default \`null\`)
  unset, give a same-origin \`url:\` (or \`spec:\`), and keep the default
  \`layout: "BaseLayout"\` (\`swagger-ui-standalone-preset.js\` is not vendored).
  Remote requests can still come from the *spec's content*: external \`\$ref\`s
  are resolved by fetching them, images in Markdown descriptions are loaded, and
  "Try it out" calls the spec's \`servers\`.
- \`swagger-ui.css\` ends with \`sourceMappingURL=swagger-ui.css.map\`; the map is
  not vendored, so browser dev tools may log a same-origin 404 for it (harmless).

## Refreshing

Edit the pinned \`LEAFLET_VERSION\`, \`ECHARTS_VERSION\`, \`HTMX_VERSION\` and
\`SWAGGER_UI_VERSION\` at the top of \`scripts/vendor_assets.sh\` and run it from
the repository root (\`scripts/vendor_assets.sh\`; needs \`npm\` and \`node\` and
access to the npm registry). It runs \`npm pack\` for each package in a
temporary directory, extracts the tarball, replaces \`leaflet/\`, \`echarts/\`,
\`htmx/\` and \`swagger-ui/\` here with exactly the files listed above, prints
their sha256 and regenerates this file. Review the diff (and the upstream
changelogs) before committing; on a Swagger UI bump, re-check the bundle for new
remote defaults (\`grep -oE 'https?://[^"]+' swagger-ui-bundle.js\`).
MD
} > "$VENDOR_DIR/VENDOR.md"

echo ">> wrote $VENDOR_DIR (leaflet/ echarts/ htmx/ swagger-ui/ VENDOR.md)" >&2
