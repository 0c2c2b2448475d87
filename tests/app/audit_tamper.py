#!/usr/bin/env python3
"""The audit trail against edits made behind Meridian's back (issue 12): a project's event log is
changed with sqlite3, one edit per fresh copy, and `meridian-cli audit verify` must exit 3 and
name the first event the edit broke. Edits: a random character of a random column of a random
event (N of them, seeded), a removed event in the middle and at the end, two events swapped.

  audit_tamper.py MERIDIAN_CLI OUT_DIR N [SEED]
"""
import json
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

cli, out, trials = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 12)
camera = "/usr/lib/python3/dist-packages/skimage/data/camera.png"
coins = "/usr/lib/python3/dist-packages/skimage/data/coins.png"
shutil.rmtree(out, ignore_errors=True)
out.mkdir(parents=True)


def run(*args, check=True):
    r = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(map(str, args))} exited {r.returncode}: {r.stderr}")
    return r


# A project with a few dozen events: cases, labels, annotations, undo/redo, an export.
base = out / "base"
run("project", "create", base)
run("project", "add", base, camera, coins)
edits = "".join(f"label {1 + i % 2} class{i % 3}\nannotate 1 a{i} {i},{i} {i + 9},{i} {i},{i + 9}\n" for i in range(8))
subprocess.run([cli, "project", "--user", "Dr. Tamper Test", "session", str(base)], input=edits + "undo\nredo\nquit\n",
               capture_output=True, text=True, check=True)
run("export", "--project", base, "--format", "geojson", "--out", out / "geojson")
verdict = json.loads(run("audit", "verify", "--json", base).stdout)
assert verdict["intact"], verdict
count = verdict["events_checked"]
assert count >= 20, count

DROP = "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;"
COLUMNS = ["utc", "actor", "kind", "case_id", "payload_json", "previous_hash", "hash"]


def tampered(name, sql, params=()):
    copy = out / name
    shutil.copytree(base, copy)
    (copy / "project.lock").unlink(missing_ok=True)
    db = sqlite3.connect(copy / "project.sqlite")
    db.executescript(DROP)
    if params:
        db.execute(sql, params)
    else:
        db.executescript(sql)
    db.commit()
    db.close()
    r = run("audit", "verify", "--json", copy, check=False)
    if r.returncode != 3:
        sys.exit(f"FAIL: {name}: audit verify exited {r.returncode}, not 3: {r.stdout} {r.stderr}")
    v = json.loads(r.stdout)
    assert not v["intact"] and v["problem"], v
    return v


checked = 0
for t in range(trials):
    seq = rng.randint(1, count)
    column = rng.choice(COLUMNS)
    db = sqlite3.connect(f"file:{base / 'project.sqlite'}?mode=ro", uri=True)
    (value,) = db.execute(f"SELECT {column} FROM events WHERE seq = ?", (seq,)).fetchone()
    db.close()
    if column == "case_id":
        new = (value or 0) + rng.randint(1, 5)
    else:
        text = str(value)
        if not text:  # the first event's previous_hash is empty: give it one
            new = "0" * 64
        else:
            i = rng.randrange(len(text))
            new = text[:i] + rng.choice([c for c in "0123456789abcdefXYZ{}:, " if c != text[i]]) + text[i + 1:]
    v = tampered(f"edit-{t}", f"UPDATE events SET {column} = ? WHERE seq = ?", (new, seq))
    if v["first_broken_event"] != seq:
        sys.exit(f"FAIL: edit {t} ({column} of event {seq}) was reported at event {v['first_broken_event']}: {v}")
    checked += 1

middle = count // 2
v = tampered("removed-middle", "DELETE FROM events WHERE seq = ?", (middle,))
assert v["first_broken_event"] == middle and "missing" in v["problem"], v
v = tampered("removed-last", "DELETE FROM events WHERE seq = ?", (count,))
assert v["first_broken_event"] == count and "end of the log" in v["problem"], v
v = tampered("swapped", "UPDATE events SET seq = -5 WHERE seq = 5; UPDATE events SET seq = 5 WHERE seq = 6; "
                       "UPDATE events SET seq = 6 WHERE seq = -5;")
assert v["first_broken_event"] == 5, v
print(f"audit tamper: {checked} random edits and 3 removals/reorderings of a {count}-event log, each found")
