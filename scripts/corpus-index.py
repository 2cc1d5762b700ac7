#!/usr/bin/env python3
"""Scores indexing (issue 6) on the sample corpus: document boundaries F1, kind
accuracy, volume fields exactly right, page numbers right.
Usage: scripts/corpus-index.py HOME [CORPUS]   (HOME processed by scripts/corpus-cer.sh)"""
import json, os, subprocess, sys

home = sys.argv[1]
corpus = sys.argv[2] if len(sys.argv) > 2 else "../shared/corpus"
binary = os.environ.get("ANJUAN_BIN", "./target/release/anjuan")
# The generator's kind names → DESIGN.md §4.
KIND = {"catalog": "contents", "interview_record": "inquiry_record", "penalty_notice": "prior_notice",
        "defense_record": "statement_record", "penalty_decision": "decision",
        "payment_voucher": "payment_receipt", "backnote": "notes_sheet"}
FIELDS = [("archival_code", "档号"), ("party", "当事人"), ("party_id_code", "统一社会信用代码"),
          ("decision_no", "决定书文号"), ("filed_date", "立案日期"), ("decided_date", "决定日期"),
          ("closed_date", "结案日期"), ("fine_amount", "罚款金额")]
tp = fp = fn = kinds_ok = kinds_n = f_ok = f_n = pn_ok = pn_n = 0
doc_f_ok = doc_f_n = 0
for name in sorted(os.listdir(corpus)):
    tpath = os.path.join(corpus, name, "truth.json")
    if not os.path.exists(tpath):
        continue
    truth = json.load(open(tpath))
    out = subprocess.run([binary, "show", "--volume", name, "--json"], capture_output=True, text=True,
                         env={**os.environ, "ANJUAN_HOME": home})
    if out.returncode != 0:
        print(name, "show failed:", out.stderr.strip()); continue
    v = json.loads(out.stdout)
    t_docs = {(d["first_page"], d["last_page"]): KIND.get(d["type"], d["type"]) for d in truth["documents"]}
    o_docs = {(d["first_page"], d["last_page"]): d for d in v["documents"]}
    for k in o_docs:
        if k in t_docs:
            tp += 1
        else:
            fp += 1; print(f"  {name}: extra document {k} {o_docs[k]['kind']}")
    for k, kind in t_docs.items():
        if k not in o_docs:
            fn += 1; print(f"  {name}: missed document {k} {kind}")
        else:
            kinds_n += 1
            if o_docs[k]["kind"] == kind: kinds_ok += 1
            else: print(f"  {name}: kind {k} {o_docs[k]['kind']} != {kind}")
    for d in truth["documents"]:
        o = o_docs.get((d["first_page"], d["last_page"]))
        if not o: continue
        for ours, theirs in [("title", "title"), ("doc_no", "文号"), ("responsible", "责任者"), ("date", "date")]:
            doc_f_n += 1
            if o[ours] == d[theirs]: doc_f_ok += 1
            else: print(f"  {name}: doc {d['first_page']} {ours} {o[ours]!r} != {d[theirs]!r}")
    vol = truth["volume"]
    for ours, theirs in FIELDS:
        f_n += 1
        want = vol.get(theirs)
        got = v.get(ours)
        if isinstance(want, float): ok = got is not None and abs(got - want) < 0.005
        else: ok = got == want
        if ok: f_ok += 1
        else: print(f"  {name}: field {ours} {got!r} != {want!r}")
    for p, tpage in zip(v["pages"], truth["pages"]):
        if tpage["archival_page_no"] is None: continue
        pn_n += 1
        if p["page_no"] == tpage["archival_page_no"]: pn_ok += 1
        else: print(f"  {name}: page {p['seq']} page_no {p['page_no']} != {tpage['archival_page_no']}")
    print(f"{name}: item_count {v['item_count']} (truth {vol['件数']}), page_count {v['page_count']} (truth {vol['页数']})")
prec = tp / max(tp + fp, 1); rec = tp / max(tp + fn, 1)
print(f"document boundaries: precision {prec:.3f} recall {rec:.3f} F1 {2*prec*rec/max(prec+rec,1e-9):.3f}")
print(f"kind accuracy: {kinds_ok}/{kinds_n} = {kinds_ok/max(kinds_n,1):.3f}")
print(f"volume fields exactly right: {f_ok}/{f_n} = {f_ok/max(f_n,1):.3f}")
print(f"document fields exactly right: {doc_f_ok}/{doc_f_n} = {doc_f_ok/max(doc_f_n,1):.3f}")
print(f"page numbers right: {pn_ok}/{pn_n} = {pn_ok/max(pn_n,1):.3f}")
