#!/usr/bin/env bash
# Pictures of every screen for the README, made from the bundled sample volume so
# that they show the program as it is: a fresh home, the workstation under Xvfb
# at 1366×768 (the common office screen), its screenshot tour (src/ui/tour.rs).
#
#   scripts/screenshots.sh [OUT_DIR]      default: assets/screens
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-assets/screens}")
make setup >/dev/null
cargo build --quiet
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# A 全宗号, so that the sample volume gets its 档号.
./target/debug/anjuan --home "$home" settings --fonds-code J037 >/dev/null
# The workstation imports and processes the sample volume on its first start,
# then the tour goes through the screens and closes the window.
ANJUAN_SCREENSHOTS="$out" xvfb-run -a -s "-screen 0 1366x768x24" \
  ./target/debug/anjuan --home "$home" --operator 档案员
# The printable 评查表 of the sample volume, its first page as a picture.
./target/debug/anjuan --home "$home" --operator 评查员 review --sheet --all --out "$home/sheets" >/dev/null
pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$(ls "$home"/sheets/*.pdf | head -1)" "$out/score-sheet"
ls -l "$out"
