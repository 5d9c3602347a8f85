#!/usr/bin/env bash
# Build the course website (Jupyter Book 1.x) from the committed learner edition:
#   bash tools/build_site.sh        (or: make site)  ->  site/_build/html/index.html
# Nothing is executed (the committed outputs are the content). MathJax 3 comes from the npm
# registry (`npm pack mathjax@3`, cached in site/_cache) and is trimmed and vendored into the
# site, so no page loads a script or stylesheet from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
src=site/_src
cache=site/_cache
start=$SECONDS

# 1. MathJax: the npm package once, then the es5 files a page needs (~3 MB of 60 MB).
mkdir -p "$cache"
tarball="$(ls "$cache"/mathjax-3.*.tgz 2>/dev/null | tail -n 1 || true)"
if [ -z "$tarball" ]; then
    (cd "$cache" && npm pack --silent mathjax@3 >/dev/null)
    tarball="$(ls "$cache"/mathjax-3.*.tgz | tail -n 1)"
fi
rm -rf "$src" && mkdir -p "$src/vendor/mathjax" "$src/notebooks"
tmp="$(mktemp -d)"
tar -xzf "$tarball" -C "$tmp"
es5="$tmp/package/es5"
cp "$es5/tex-mml-chtml.js" "$src/vendor/mathjax/"
mkdir -p "$src/vendor/mathjax/output/chtml/fonts" "$src/vendor/mathjax/input/tex"
cp -r "$es5/output/chtml/fonts/woff-v2" "$src/vendor/mathjax/output/chtml/fonts/"
cp -r "$es5/input/tex/extensions" "$src/vendor/mathjax/input/tex/"
cp -r "$es5/ui" "$es5/a11y" "$src/vendor/mathjax/"
cp "$tmp/package/LICENSE" "$src/vendor/mathjax/"
rm -rf "$tmp"

# 2. The book: config, the learner notebooks, an intro page from the README, the table of
#    contents (one page per notebook, in file order; written to site/_toc.yml too).
cp site/_config.yml "$src/"
cp notebooks/*.ipynb "$src/notebooks/"
python - "$src" <<'PY'
import re, sys
from pathlib import Path
src = Path(sys.argv[1])
readme = Path("README.md").read_text(encoding="utf-8")
# links to files outside the book point nowhere on the site: keep their text only
readme = re.sub(r"\[([^\]]+)\]\((?!notebooks/[^)]+\.ipynb|https?://)[^)]+\)", r"\1", readme)
(src / "intro.md").write_text(readme, encoding="utf-8")
names = sorted(p.stem for p in (src / "notebooks").glob("*.ipynb"))
names = [n for n in names if n[:2].isdigit()] + [n for n in names if not n[:2].isdigit()]
toc = ("# Written by tools/build_site.sh: one page per notebook in notebooks/.\n"
       "format: jb-book\nroot: intro\nchapters:\n"
       + "".join(f"  - file: notebooks/{n}\n" for n in names))
(src / "_toc.yml").write_text(toc, encoding="utf-8")
Path("site/_toc.yml").write_text(toc, encoding="utf-8")
PY

# 3. Build (warnings are printed, not fatal: README links to files outside the book).
rm -rf site/_build
jupyter-book build "$src" --path-output site --builder html --quiet >/dev/null 2>site/_build.log \
    || { cat site/_build.log; exit 1; }
# 4. Offline and static: drop what only a live kernel could use — the Thebe launcher (its
#    script URL points to a CDN) and the saved widget state/views (no widget JavaScript here;
#    each dashboard's static PNG snapshot sits in the cell beside it).
python - site/_build/html <<'PY'
import re, sys
from pathlib import Path
patterns = [r'<script>const THEBE_JS_URL = [^<]*</script>\s*',
            r'<script[^>]*sphinx-thebe\.js[^>]*></script>\s*',
            r'<link[^>]*sphinx-thebe\.css[^>]*/>\s*',
            r'<script type="text/x-thebe-config">.*?</script>\s*',
            r'<script type="application/vnd\.jupyter\.widget-(?:state|view)\+json">.*?</script>\s*']
for page in Path(sys.argv[1]).rglob("*.html"):
    text = page.read_text(encoding="utf-8")
    for pattern in patterns:
        text = re.sub(pattern, "", text, flags=re.S)
    page.write_text(text, encoding="utf-8")
PY
echo "site: $(find site/_build/html -name '*.html' | wc -l) pages, $(du -sh site/_build/html | cut -f1)," \
     "built in $((SECONDS - start)) s -> site/_build/html/index.html"
