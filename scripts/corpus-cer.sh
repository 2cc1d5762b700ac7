#!/usr/bin/env bash
# Measures OCR CER on the sample corpus (../shared/corpus, not used by tests):
# import every volume into a scratch home, process, export the page texts, score.
# Usage: scripts/corpus-cer.sh [extra `process` args, e.g. --lang chi_sim+eng]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${CORPUS:-../shared/corpus}
bin=${ANJUAN_BIN:-./target/release/anjuan}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
export ANJUAN_HOME="$work/home"
for dir in "$corpus"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/truth.json" ] || continue
  "$bin" import --volume "$name" "$dir" >/dev/null 2>"$work/import-$name.log" || true
done
start=$(date +%s.%N)
"$bin" process "$@"
end=$(date +%s.%N)
for dir in "$corpus"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/truth.json" ] || continue
  "$bin" export --volume "$name" --out "$work/out/$name" >/dev/null
done
python3 "$corpus/score_ocr.py" --truth "$corpus" --ocr "$work/out"
echo "process wall time: $(echo "$end - $start" | bc) s"
python3 "$(dirname "$0")/corpus-imaging.py" "$ANJUAN_HOME" "$corpus"
python3 "$(dirname "$0")/evaluate.py" "$corpus" --home "$ANJUAN_HOME"
