#!/bin/sh
# What `make demo` runs: serve the demo site, crawl and index it, serve the search page.
set -eu
: "${PORT:=8000}" "${DEMO_PORT:=8001}" "${BIN:=.venv/bin}"
"$BIN/news-indexer" demo-site --port "$DEMO_PORT" --quiet &
SITE_PID=$!
trap 'kill $SITE_PID 2>/dev/null || true' EXIT INT TERM
# exit status 1 means "finished, some pages failed" (the demo site has one malformed page on purpose)
"$BIN/news-indexer" update --site data/sites/demo.toml --base-url "http://127.0.0.1:$DEMO_PORT/" --wait-for-site 10 \
  || [ $? -eq 1 ]
echo "Search page: http://127.0.0.1:$PORT/  (Ctrl-C stops)"
"$BIN/news-web" serve --port "$PORT"
