#!/usr/bin/env python3
"""Compares the imaging decisions of a processed home with ../shared/corpus truth.

    scripts/corpus-imaging.py HOME [CORPUS]

Volumes must have been imported with --volume <corpus folder name> (as
scripts/corpus-cer.sh does). Prints orientation accuracy, residual skew, blank
precision/recall and quality-flag recall / false alarms.
"""
import json, os, sqlite3, statistics, sys

home = sys.argv[1]
corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "../../shared/corpus")
db = sqlite3.connect(os.path.join(home, "catalogue.sqlite"))
rows = db.execute("SELECT volume_id, seq, source_name, imaging FROM pages ORDER BY volume_id, seq").fetchall()
truth = {}
for vol in sorted(os.listdir(corpus)):
    t = os.path.join(corpus, vol, "truth.json")
    if os.path.exists(t):
        for p in json.load(open(t))["pages"]:
            truth[(vol, p["file"])] = p

turn_ok = turn_n = 0
residuals = []
tp = fp = fn = 0
flag_map = {"too_dark": "too_dark", "low_contrast": "low_contrast", "blurry": "blurred", "text_cropped": "cut_content"}
flag_hits = {k: [0, 0] for k in flag_map}
false_alarms = 0
clean_pages = 0
bad = []
for vol, seq, name, imaging in rows:
    t = truth.get((vol, name))
    if t is None or imaging is None:
        continue
    rec = json.loads(imaging)
    want = (360 - t["rotation"]) % 360
    turn_n += 1
    if rec["rotation"] == want:
        turn_ok += 1
    else:
        bad.append(f"turn {vol}/{name}: got {rec['rotation']} want {want} ({rec['rotation_source']}, osd {rec['osd_confidence']}, axis {rec['axis_ratio']})")
    if not t["is_blank"]:
        r = abs(t["skew_deg"] - rec["skew_applied"])
        residuals.append(r)
        if r > 0.5:
            bad.append(f"skew {vol}/{name}: truth {t['skew_deg']} measured {rec['skew_deg']} applied {rec['skew_applied']} gain {rec['skew_gain']}")
    if rec["blank"] and t["is_blank"]:
        tp += 1
    elif rec["blank"]:
        fp += 1
        bad.append(f"false blank {vol}/{name}: coverage {rec['ink_coverage']:.5f} comps {rec['ink_components']}")
    elif t["is_blank"]:
        fn += 1
        bad.append(f"missed blank {vol}/{name}: coverage {rec['ink_coverage']:.5f} comps {rec['ink_components']}")
    got = {f["code"] for f in rec["flags"]} - {"low_dpi"}
    want_flags = {flag_map[f] for f in t.get("quality_flags", []) if f in flag_map}
    for f, code in flag_map.items():
        if f in t.get("quality_flags", []):
            flag_hits[f][1] += 1
            flag_hits[f][0] += code in got
    if not want_flags and not t["is_blank"]:
        clean_pages += 1
        if got - {"skew_residual"}:
            false_alarms += 1
            bad.append(f"false flags {vol}/{name}: {sorted(got)} paper {rec['paper_level']} ink {rec['ink_level']} sharp {rec['sharpness']:.3f}")
    elif want_flags - got:
        bad.append(f"missed flags {vol}/{name}: want {sorted(want_flags)} got {sorted(got)} paper {rec['paper_level']} ink {rec['ink_level']} sharp {rec['sharpness']:.3f}")

for b in bad:
    print(b)
print(f"orientation: {turn_ok}/{turn_n} right")
if residuals:
    residuals.sort()
    print(f"residual skew: median {statistics.median(residuals):.3f}°, p99 {residuals[int(len(residuals)*0.99)-1]:.3f}°, max {residuals[-1]:.3f}°, >1°: {sum(r > 1 for r in residuals)}")
prec = tp / (tp + fp) if tp + fp else 1.0
rec_ = tp / (tp + fn) if tp + fn else 1.0
print(f"blank: precision {prec:.3f} recall {rec_:.3f} (tp {tp} fp {fp} fn {fn})")
for f, (hit, n) in flag_hits.items():
    if n:
        print(f"flag {f}: recall {hit}/{n}")
print(f"false alarms on clean pages: {false_alarms}/{clean_pages}")
