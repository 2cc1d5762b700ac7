#!/usr/bin/env python3
"""Evaluates anjuan on any folder of scanned volumes that carry a `truth.json`
(the layout of ../shared/corpus, see its README): every figure of issue 14's
table, plus OCR CER, orientation, skew and indexing.

    scripts/evaluate.py [CORPUS] [--home HOME] [--process] [--jobs N] [-v]

Without --home the volumes are imported into a scratch home (one volume per
folder, named after the folder) and processed. With --home an existing home is
scored as it is (imported by this script or by scripts/corpus-cer.sh); add
--process to run `anjuan process` on it first (e.g. after a change of the
indexing rules, which re-indexes every volume). `-v` prints every miss.

The figures:
  blank backs        precision / recall of `blank` against the truth's `is_blank`
  page numbers       the printed 页号 (`page_no`) of every numbered page
  volume fields      the 8 fields of the bar (档号 当事人 统一社会信用代码 决定书文号
                     立案/决定/结案日期 罚款金额), each and together
  violations         planted statutory violations found (the code raised at
                     warning or error); false statutory errors on sound volumes
                     (error-level findings with an upper-case code not planted)
  cut_content        pages flagged cut_content among pages the truth calls clean
  quality flags      recall of too_dark / low_contrast / blurred, false alarms
  CER                score_ocr.py of the corpus on the texts of `show --json`
  一稿双录           (scratch home) the truth keyed as the second keying of the 7
                     decisive fields: the machine's 著录差错率
Nothing here is read by the program or its tests.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("corpus", nargs="?", default=os.path.join(os.path.dirname(__file__), "../../shared/corpus"))
ap.add_argument("--home")
ap.add_argument("--process", action="store_true", help="run `anjuan process` on --home first")
ap.add_argument("--jobs", type=int)
ap.add_argument("-v", "--verbose", action="store_true")
args = ap.parse_args()
binary = os.environ.get("ANJUAN_BIN", os.path.join(os.path.dirname(__file__), "../target/release/anjuan"))
corpus = args.corpus
volumes = sorted(n for n in os.listdir(corpus) if os.path.exists(os.path.join(corpus, n, "truth.json")))
if not volumes:
    sys.exit(f"no volume with truth.json under {corpus}")

scratch = None
home = args.home
if home is None:
    scratch = tempfile.mkdtemp(prefix="anjuan-eval-")
    home = os.path.join(scratch, "home")
env = {**os.environ, "ANJUAN_HOME": home}


def run(*argv, check=True):
    out = subprocess.run([binary, *argv], capture_output=True, text=True, env=env)
    if check and out.returncode != 0:
        raise SystemExit(f"anjuan {' '.join(argv)} failed: {out.stderr.strip()}")
    return out


if scratch:
    for name in volumes:
        run("import", "--volume", name, os.path.join(corpus, name), check=False)
if scratch or args.process:
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    subprocess.run([binary, "process", *jobs], env=env, check=True)

misses = []


def miss(msg):
    misses.append(msg)


KIND = {"catalog": "contents", "interview_record": "inquiry_record", "penalty_notice": "prior_notice",
        "defense_record": "statement_record", "penalty_decision": "decision",
        "payment_voucher": "payment_receipt", "backnote": "notes_sheet"}
FIELDS = [("archival_code", "档号"), ("party", "当事人"), ("party_id_code", "统一社会信用代码"),
          ("decision_no", "决定书文号"), ("filed_date", "立案日期"), ("decided_date", "决定日期"),
          ("closed_date", "结案日期"), ("fine_amount", "罚款金额")]
FLAGS = {"too_dark": "too_dark", "low_contrast": "low_contrast", "blurry": "blurred"}

blank = dict(tp=0, fp=0, fn=0)
turn_ok = turn_n = 0
residuals = []
pn_ok = pn_n = 0
field_ok = {f: 0 for f, _ in FIELDS}
bounds = dict(tp=0, fp=0, fn=0)
kinds_ok = kinds_n = doc_f_ok = doc_f_n = 0
planted_n = planted_found = 0
sound_volumes = false_statutory = 0
scores = []
scored_violation = 0
false_by_code = {}
cut_clean = clean_pages = 0
flag_hit = {f: [0, 0] for f in FLAGS}
false_flags = 0
text_dir = os.path.join(scratch or tempfile.mkdtemp(prefix="anjuan-eval-text-"), "text")

for name in volumes:
    truth = json.load(open(os.path.join(corpus, name, "truth.json")))
    shown = run("show", "--volume", name, "--json", check=False)
    if shown.returncode != 0:
        miss(f"{name}: show failed: {shown.stderr.strip()}")
        continue
    v = json.loads(shown.stdout)
    review = json.loads(run("review", "--volume", name, "--json").stdout)
    pages = {p["source"]: p for p in v["pages"]}

    # Pages: blank backs, orientation, skew, page numbers, quality flags, OCR text.
    os.makedirs(os.path.join(text_dir, name), exist_ok=True)
    for t in truth["pages"]:
        p = pages.get(t["file"])
        if p is None:
            miss(f"{name}/{t['file']}: not in the volume")
            continue
        with open(os.path.join(text_dir, name, os.path.splitext(t["file"])[0] + ".txt"), "w") as f:
            f.write(p["text"] or "")
        if p["blank"] and t["is_blank"]:
            blank["tp"] += 1
        elif p["blank"]:
            blank["fp"] += 1
            miss(f"{name}/{t['file']}: taken for a blank back")
        elif t["is_blank"]:
            blank["fn"] += 1
            miss(f"{name}/{t['file']}: blank back missed")
        turn_n += 1
        want_turn = (360 - t["rotation"]) % 360
        if p["rotation"] == want_turn:
            turn_ok += 1
        else:
            miss(f"{name}/{t['file']}: turned {p['rotation']}°, should be {want_turn}°")
        if not t["is_blank"] and p["skew_deg"] is not None:
            residuals.append(abs(t["skew_deg"] - p["skew_deg"]))
        if t["archival_page_no"] is not None:
            pn_n += 1
            if p["page_no"] == t["archival_page_no"]:
                pn_ok += 1
            else:
                miss(f"{name}/{t['file']}: 页号 {p['page_no']}, should be {t['archival_page_no']}")
        got = set(p["flags"])
        want = {FLAGS[f] for f in t.get("quality_flags", []) if f in FLAGS}
        for f, code in FLAGS.items():
            if f in t.get("quality_flags", []):
                flag_hit[f][1] += 1
                if code in got:
                    flag_hit[f][0] += 1
                else:
                    miss(f"{name}/{t['file']}: flag {code} missed")
        if not t["is_blank"] and not t.get("quality_flags"):
            clean_pages += 1
            if "cut_content" in got:
                cut_clean += 1
                miss(f"{name}/{t['file']}: cut_content on a clean page")
            if got & set(FLAGS.values()):
                false_flags += 1
                miss(f"{name}/{t['file']}: false flags {sorted(got & set(FLAGS.values()))}")

    # Documents: boundaries, kinds, fields.
    t_docs = {(d["first_page"], d["last_page"]): d for d in truth["documents"]}
    o_docs = {(d["first_page"], d["last_page"]): d for d in v["documents"]}
    for k, d in o_docs.items():
        if k in t_docs:
            bounds["tp"] += 1
        else:
            bounds["fp"] += 1
            miss(f"{name}: extra document pages {k[0]}-{k[1]} ({d['kind']})")
    for k, d in t_docs.items():
        o = o_docs.get(k)
        if o is None:
            bounds["fn"] += 1
            miss(f"{name}: missed document pages {k[0]}-{k[1]} ({d['type']})")
            continue
        kinds_n += 1
        if o["kind"] == KIND.get(d["type"], d["type"]):
            kinds_ok += 1
        else:
            miss(f"{name}: document {k} kind {o['kind']}, should be {KIND.get(d['type'], d['type'])}")
        for ours, theirs in [("title", "title"), ("doc_no", "文号"), ("responsible", "责任者"), ("date", "date")]:
            doc_f_n += 1
            if o[ours] == d[theirs]:
                doc_f_ok += 1
            else:
                miss(f"{name}: document {k[0]} {ours} {o[ours]!r}, should be {d[theirs]!r}")

    vol = truth["volume"]
    for ours, theirs in FIELDS:
        want, got = vol.get(theirs), v.get(ours)
        ok = (got is not None and abs(got - want) < 0.005) if isinstance(want, float) else got == want
        if ok:
            field_ok[ours] += 1
        else:
            miss(f"{name}: {theirs} {got!r}, should be {want!r}")

    # Statutory findings.
    planted = {r["code"] for r in truth["rule_violations"]}
    raised = {f["code"] for f in review["findings"] if f["severity"] in ("error", "warning")}
    for code in planted:
        planted_n += 1
        if code in raised:
            planted_found += 1
        else:
            miss(f"{name}: planted {code} not found")
    if not planted:
        sound_volumes += 1
    # 评查 score: a planted violation costs points on the item that names its
    # code; a sound file keeps 90 or more.
    score = review.get("score") or {}
    scores.append((name, score.get("total"), score.get("grade"), sorted(planted)))
    for code in planted:
        named = [i for i in score.get("items", []) if any(r["code"] == code for r in i["reasons"])]
        if named and all(i["deducted"] > 0 for i in named):
            scored_violation += 1
        else:
            miss(f"{name}: planted {code} cost no points on its item")
    if not planted and (score.get("total") or 0) < 90:
        miss(f"{name}: sound volume scored {score.get('total')}: "
             + "; ".join(f"{i['id']} -{i['deducted']} ({', '.join(r['code'] for r in i['reasons'])})"
                         for i in score.get("items", []) if i["deducted"] > 0))
    for f in review["findings"]:
        statutory = f["code"].isupper()
        if statutory and f["severity"] == "error" and f["code"] not in planted:
            if not planted:
                false_statutory += 1
            false_by_code[f["code"]] = false_by_code.get(f["code"], 0) + 1
            miss(f"{name}: false {f['code']}: {f['message']}")

# 双公示: one row per decision whose 文号, 相对人 and 罚款 match the truth.
pub_file = os.path.join(tempfile.mkdtemp(prefix="anjuan-eval-pub-"), "publicity.csv")
pub = json.loads(run("publicity", "--json", "--out", pub_file, check=False).stdout or "{}")
pub_rows = {r["volume"]: r["cells"] for r in pub.get("rows", [])}
pub_ok = pub_n = 0
for name in volumes:
    vol = json.load(open(os.path.join(corpus, name, "truth.json")))["volume"]
    if not vol.get("决定书文号"):
        continue
    pub_n += 1
    row = pub_rows.get(name)
    want = (vol["决定书文号"], vol["当事人"], f"{vol['罚款金额'] / 10000:.6f}".rstrip("0").rstrip("."))
    got = row and (row.get("行政处罚决定书文号"), row.get("行政相对人名称"), row.get("罚款金额（万元）"))
    if got == want:
        pub_ok += 1
    else:
        miss(f"{name}: publicity row {got}, should be {want}")
# 统计: the totals equal the sum of the volumes' fines (ours and the truth's).
st = json.loads(run("stats", "--json", check=False).stdout or "{}")
truth_fines = sum(json.load(open(os.path.join(corpus, n, "truth.json")))["volume"].get("罚款金额") or 0 for n in volumes)
our_fines = 0.0
for name in volumes:
    shown = run("show", "--volume", name, "--json", check=False)
    if shown.returncode == 0:
        our_fines += json.loads(shown.stdout).get("fine_amount") or 0
# 一稿双录 with the truth as the second keyer (a scratch home only: it records
# keyings): the 著录差错率 is then the machine's, field by field.
keying = None
if scratch:
    keyer_env = {**env, "ANJUAN_OPERATOR": "truth"}
    decisive = [f for f, _ in FIELDS if f != "archival_code"]
    for name in volumes:
        vol = json.load(open(os.path.join(corpus, name, "truth.json")))["volume"]
        argv = [binary, "correct", "--volume", name]
        for ours, theirs in FIELDS:
            if ours in decisive:
                value = vol.get(theirs)
                argv += ["--second", f"{ours}={'无' if value is None else value}"]
        out = subprocess.run(argv, capture_output=True, text=True, env=keyer_env)
        if out.returncode != 0:
            miss(f"{name}: second keying failed: {out.stderr.strip()}")
        for line in out.stderr.splitlines():
            if "differs" in line:
                miss(f"{line.split(':')[0]}: second keying {line.split(': ', 1)[1].split(' ')[0]} differs")
    keying = json.loads(run("stats", "--json", check=False).stdout or "{}").get("double_entry")
pub_missing = {}
for _, column in pub.get("missing", []):
    pub_missing[column] = pub_missing.get(column, 0) + 1

if args.verbose:
    for m in misses:
        print("  " + m)


def ratio(a, b):
    return f"{a}/{b} = {a / b:.3f}" if b else "0/0"


n = len(volumes)
prec = blank["tp"] / max(blank["tp"] + blank["fp"], 1)
rec = blank["tp"] / max(blank["tp"] + blank["fn"], 1)
print(f"volumes: {n} ({sound_volumes} sound), pages: {turn_n}")
print(f"blank backs: precision {prec:.3f} recall {rec:.3f} (tp {blank['tp']} fp {blank['fp']} fn {blank['fn']})")
print(f"page numbers (页号) right: {ratio(pn_ok, pn_n)}")
for ours, theirs in FIELDS:
    print(f"  {theirs} ({ours}) right: {ratio(field_ok[ours], n)}")
print(f"volume fields of the bar together: {ratio(sum(field_ok.values()), n * len(FIELDS))}")
print(f"planted violations found: {ratio(planted_found, planted_n)}")
print(f"false statutory errors: {false_statutory} on {sound_volumes} sound volumes"
      f" ({false_statutory / max(sound_volumes, 1):.2f} per volume); by code on all volumes: {false_by_code or '{}'}")
sound_scores = [t for _, t, _, p in scores if not p and t is not None]
print(f"评查: planted violations that cost points on their item: {ratio(scored_violation, planted_n)};"
      f" sound volumes scoring >= 90: {sum(t >= 90 for t in sound_scores)}/{len(sound_scores)}"
      f" (lowest {min(sound_scores, default=0)})")
for name, total, grade, planted in scores:
    print(f"  {name}: {total} {grade} {' '.join(planted)}")
print(f"双公示 rows whose 文号, 相对人 and 罚款（万元） match: {ratio(pub_ok, pub_n)}; rows {len(pub_rows)},"
      f" left out {len(pub.get('excluded', []))}; cells the files did not yield: {pub_missing or '{}'}")
print(f"统计: fines_total {st.get('fines_total')} yuan; the volumes' fines {our_fines}; the truth's {truth_fines};"
      f" decisions {st.get('decisions')}; 立案→决定 median {st.get('duration_days', {}).get('median')} days")
if keying:
    print(f"一稿双录 against the truth as second keyer: 著录差错率 {keying['error_rate']:.4f}"
          f" ({keying['mismatched']} of {keying['keyed']} decisive fields differ)")
print(f"cut_content on clean pages: {cut_clean}/{clean_pages} = {cut_clean / max(clean_pages, 1):.3%}")
hits = sum(h for h, _ in flag_hit.values())
wanted = sum(w for _, w in flag_hit.values())
print(f"quality flags found: {ratio(hits, wanted)} "
      + " ".join(f"{f} {h}/{w}" for f, (h, w) in flag_hit.items() if w)
      + f"; false alarms on clean pages: {false_flags}/{clean_pages}")
print(f"orientation right: {ratio(turn_ok, turn_n)}")
if residuals:
    residuals.sort()
    print(f"skew measured against truth: median error {statistics.median(residuals):.3f}°,"
          f" p99 {residuals[max(int(len(residuals) * 0.99) - 1, 0)]:.3f}°, over 1°: {sum(r > 1 for r in residuals)}")
bp = bounds["tp"] / max(bounds["tp"] + bounds["fp"], 1)
br = bounds["tp"] / max(bounds["tp"] + bounds["fn"], 1)
print(f"document boundaries: F1 {2 * bp * br / max(bp + br, 1e-9):.3f}; kinds {ratio(kinds_ok, kinds_n)};"
      f" document fields {ratio(doc_f_ok, doc_f_n)}")
score = os.path.join(corpus, "score_ocr.py")
if os.path.exists(score):
    cer = subprocess.run([sys.executable, score, "--truth", corpus, "--ocr", text_dir], capture_output=True, text=True)
    print(f"OCR: {(cer.stdout.strip().splitlines() or [cer.stderr.strip()])[-1]}")
if scratch:
    shutil.rmtree(scratch, ignore_errors=True)
