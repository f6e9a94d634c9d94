#!/usr/bin/env python3
"""Writes the starting corpus of each fuzz target into fuzz/seeds/<target>/ from the demo data
(demo/*.json) and the test vectors of the domain's unit tests. `cargo fuzz cmin` then keeps the
inputs that add coverage in fuzz/corpus/<target>/ (scripts/fuzz-smoke.sh, docs/FUZZING.md).
Deterministic: the same demo data gives the same seeds."""
import datetime
import hashlib
import json
import pathlib
import random
import shutil

root = pathlib.Path(__file__).resolve().parent.parent
out = root / "fuzz" / "seeds"
prisons = json.loads((root / "demo" / "prisons.json").read_text())
prisoners = json.loads((root / "demo" / "prisoners.json").read_text())
rng = random.Random(12)

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def gf32_mul(a, b):
    p = 0
    while b:
        if b & 1:
            p ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= 0b100101
    return p


def reference(payload):
    digits = [(payload >> (5 * (6 - i))) & 31 for i in range(7)]
    w, s = 1, 0
    for d in digits:
        w = gf32_mul(w, 2)
        s ^= gf32_mul(w, d)
    chars = "".join(ALPHABET[d] for d in digits + [s])
    return f"{chars[:4]}-{chars[4:]}"


def write(target, items):
    d = out / target
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    for item in items:
        data = item if isinstance(item, bytes) else item.encode()
        (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


sample = rng.sample(prisoners, 40)
refs = [reference(rng.getrandbits(35)) for _ in range(12)]

write("prisoner_number", [p["number"] for p in sample] + [
    " a1234bc ", "", "A1234B", "A1234BCD", "11234BC", "A12C4BC", "A12345C", "Ä1234BC", "A 1234BC"])

names = [p["first_name"] + "\n" + p["last_name"] for p in sample]
names += [c["first_name"] + "\n" + c["date_of_birth"] for p in sample[:10] for c in p["contacts"][:2]]
names += ["  Siân  \nO'Brien", "Anne-Marie\nDafydd ap Gwŷn", "Zoë\nNguyễn", "Мария\nمحمد", "王\nD’Arcy",
          "   \n" + "a" * 51, "J0hn\nAnn.", "<script>\n--", "' '\na\tb", "a" * 48 + "a\u0302n\nd’arcy",
          "2026-02-30\n25/11/1990", "2026-11-25\n1906-11-25", "2008-02-29\n1906-11-24", "1908-02-29\n2028-02-29"]
write("person", names)

write("booking_reference", refs + [r.lower().replace("1", "l").replace("0", "O") for r in refs[:4]] + [
    "ABC", "ABCD-EFGHJ", "ABCD-EFG!", "ABCD-EFGU", " " + refs[0][:4] + " \u2013 " + refs[0][5:]])

templates = [(p, t) for p in prisons for t in p["templates"]]
write("session_id", [f"{t['id']}/2026-12-{8 + i % 20:02}" for i, (_, t) in enumerate(templates[:12])] + [
    "CDF-TUE-PM/1999-12-31", "CDF-TUE-PM/2200-01-01", "a/b/2026-01-01", "/2026-12-08", "CDF TUE/2026-12-08"])

helper = {"staff_number": "1003", "name": "Cai Morgan", "organisation": "PACT"}
contact = {"name": "Siân Jones", "phone": "07911 123456", "email": "sian@example.org", "language": "cy"}
details = [
    {},
    {"request_method": "in_person", "booked_by": helper},
    {"request_method": "letter", "booked_by": helper, "main_contact": contact},
    {"request_method": "by_prisoner", "booked_by": helper, "main_contact": dict(contact, email="", phone="+44 29 2087 2087"),
     "support": {"needs": ["other", "wheelchair"], "other": "Guide dog"}},
    {"support": {"needs": ["hearing_loop", "someone_to_help"], "other": ""}},
    {"request_method": "email", "main_contact": {"name": "", "phone": "12345", "email": "nope", "language": "fr"}},
]
write("visit_details", [json.dumps(d, ensure_ascii=False) for d in details] + [
    "07911 123456", "(029) 2087 2087", "0044 20 7946 0018", "+1 202 555 0143", "sian.jones@example.org.uk",
    "sian@-x.org", "a@b@c.org"])

# Sessions inside the demo prisons' booking windows at the fuzz targets' instants.
def sessions_for(prison, start):
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    found = []
    for offset in range(3, 27):
        day = start + datetime.timedelta(days=offset)
        for t in prison["templates"]:
            if weekdays[day.weekday()] == t["weekday"] and t["valid_from"] <= day.isoformat():
                found.append(f"{t['id']}/{day.isoformat()}")
    return found


by_code = {p["code"]: p for p in prisons}
requests = []
for i, p in enumerate(sample[:16]):
    sessions = sessions_for(by_code[p["prison"]], datetime.date(2026, 12, 1))
    visitors = []
    if by_code[p["prison"]]["has_contact_list"] and p["contacts"]:
        visitors = [{"contact_id": c["id"]} for c in p["contacts"][: 1 + i % 3]]
    else:
        visitors = [{"first_name": "Siân", "last_name": p["last_name"], "date_of_birth": "1992-03-14"}]
    request = {
        "prison": p["prison"],
        "prisoner": {"number": p["number"].lower() if i % 4 == 0 else p["number"],
                     "date_of_birth": p["date_of_birth"], "surname": p["last_name"]},
        "visitors": visitors,
        "session": sessions[i % len(sessions)],
    }
    if i % 3 == 1:
        request.update(details[2])
    if i % 5 == 2:
        request["support"] = details[3]["support"]
    requests.append(request)
write("booking_request", [json.dumps(r, ensure_ascii=False) for r in requests])

def envelope(seq, kind, payload):
    return {"event_id": f"01938f6e-0000-7000-8000-{seq:012x}", "seq": seq, "kind": kind,
            "created_at": "2026-11-30T09:15:00Z", "payload": payload}

events = [
    ("booking_created", {"reference": refs[0], "request": requests[0], "confirmed_with_share": True}),
    ("booking_created", {"reference": refs[1], "request": requests[1]}),
    ("booking_cancelled", {"reference": refs[0]}),
    ("booking_cancelled", {"reference": refs[1], "reason": "establishment_cancelled", "by": "1001",
                           "note": "Lockdown"}),
    ("booking_cancelled", {"reference": refs[2], "reason": "visitor_cancelled", "by": "1002", "how": "phone"}),
    ("share_released", {"session": requests[2]["session"], "kind": "open", "tables": 2}),
    ("share_released", {"session": requests[3]["session"], "kind": "closed"}),
    ("visit_attendance", {"reference": refs[3], "attendance": "arrived", "by": "1002"}),
    ("visit_attendance", {"reference": refs[3], "attendance": "did_not_arrive", "by": "1002"}),
    ("review_resolved", {"reference": refs[4], "outcome": "visitor_told", "by": "1001", "note": "Phoned"}),
    ("review_resolved", {"reference": refs[4], "outcome": "moved", "by": "1001", "moved_to": refs[5]}),
    ("staff_account_changed", {"prison": "CDF", "actor": "1001", "staff_number": "1004",
                               "change": {"action": "disabled"}}),
    ("staff_account_changed", {"prison": "CDF", "actor": "1001", "staff_number": "1005",
                               "change": {"action": "pin_reset", "pin_hash":
                                          "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o"}}),
    ("audit", {"prison": "CDF", "at": "2026-11-30T09:14:00Z", "staff_number": "1002", "role": "reception",
               "action": "cancel", "reference": refs[0]}),
    ("audit", {"prison": "CDF", "at": "2026-11-30T09:14:00Z", "staff_number": "1002", "action": "sign_in_failed"}),
    ("jetpack_launched", {"fuel": 1}),
]
batches = [{"events": [envelope(i + 1, k, p)]} for i, (k, p) in enumerate(events)]
batches.append({"events": [envelope(i + 1, k, p) for i, (k, p) in enumerate(events)]})
batches.append({"events": []})
batches.append({"events": [envelope(2, *events[2]), envelope(1, *events[3])]})
write("push_batch", [json.dumps(b, ensure_ascii=False) for b in batches])
