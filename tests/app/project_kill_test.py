#!/usr/bin/env python3
"""Never losing work (issue 15, item 8): a scripted labelling session through
`meridian-cli project session`, killed with SIGKILL at random moments.

Each round starts a session on the same project, feeds it random edits (label, unlabel,
annotate, unannotate, undo, redo) one at a time, and records each edit the session
acknowledged ("ok N" is printed only after the edit's transaction committed). A timer
kills the process at a random moment (during start-up, inside an edit, between edits).
Then the project is reopened (`project list --json`, a new process) and must open, pass
SQLite's integrity check, and hold every acknowledged edit: its labels and annotations
must equal the model of the acknowledged edits, or that model plus the one edit that was
sent but not yet acknowledged when the kill came (it may have committed just before).

usage: project_kill_test.py MERIDIAN_CLI WORK_DIR KILLS [SEED]
"""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

CLASSES = ["tumour", "benign", "normal", "artefact"]
IMAGES = [
    "/usr/lib/python3/dist-packages/skimage/data/camera.png",
    "/usr/lib/python3/dist-packages/skimage/data/retina.jpg",
    "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm",
]


def run(cli, *args):
    return subprocess.run([cli, *args], capture_output=True, text=True)


def read_state(cli, project):
    """{case id: (frozenset(labels), frozenset(annotation ids))} from a fresh process."""
    r = run(cli, "project", "list", project, "--json")
    if r.returncode != 0:
        raise SystemExit(f"FAIL: reopening after a kill failed ({r.returncode}): {r.stderr}")
    return {c["id"]: (frozenset(c["labels"]), frozenset(a["id"] for a in c["annotations"])) for c in json.loads(r.stdout)}


def integrity(project):
    db = sqlite3.connect(f"file:{project}/project.sqlite?mode=ro", uri=True)
    try:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()
    if result != "ok":
        raise SystemExit(f"FAIL: integrity_check says {result}")


class Model:
    """What the project must hold: labels and annotation ids per case, and this session's
    undo/redo stacks (each entry: case, kind, key, state before, state after)."""

    def __init__(self, state):
        self.state = {c: [set(l), set(a)] for c, (l, a) in state.items()}
        self.undo, self.redo = [], []

    def frozen(self):
        return {c: (frozenset(l), frozenset(a)) for c, (l, a) in self.state.items()}

    def _set(self, case, kind, key, present):
        bucket = self.state[case][0 if kind == "label" else 1]
        (bucket.add if present else bucket.discard)(key)

    def _has(self, case, kind, key):
        return key in self.state[case][0 if kind == "label" else 1]

    def apply(self, edit):
        """Applies an edit line to the model (as the session would once it commits)."""
        words = edit.split()
        verb = words[0]
        if verb == "undo":
            if not self.undo:
                return
            case, kind, key, before, after = self.undo.pop()
            self._set(case, kind, key, before)
            self.redo.append((case, kind, key, before, after))
            return
        if verb == "redo":
            if not self.redo:
                return
            case, kind, key, before, after = self.redo.pop()
            self._set(case, kind, key, after)
            self.undo.append((case, kind, key, before, after))
            return
        case, key = int(words[1]), words[2]
        kind = "label" if verb in ("label", "unlabel") else "annotation"
        after = verb in ("label", "annotate")
        before = self._has(case, kind, key)
        self._set(case, kind, key, after)
        self.undo.append((case, kind, key, before, after))
        self.redo.clear()

    def copy(self):
        m = Model({})
        m.state = {c: [set(l), set(a)] for c, (l, a) in self.state.items()}
        m.undo, m.redo = list(self.undo), list(self.redo)
        return m


def random_edit(rng, cases):
    r = rng.random()
    case = rng.choice(cases)
    if r < 0.35:
        return f"label {case} {rng.choice(CLASSES)}"
    if r < 0.55:
        return f"unlabel {case} {rng.choice(CLASSES)}"
    if r < 0.75:
        n = rng.randrange(4)
        pts = " ".join(f"{rng.randrange(500)},{rng.randrange(500)}" for _ in range(3))
        return f"annotate {case} r{n} {pts} class={rng.choice(CLASSES)}"
    if r < 0.85:
        return f"unannotate {case} r{rng.randrange(4)}"
    if r < 0.95:
        return "undo"
    return "redo"


def main():
    cli, work, kills = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else int(time.time())
    rng = random.Random(seed)
    print(f"kill test: {kills} kills, seed {seed}", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    project = os.path.join(work, "project")
    if run(cli, "project", "create", project).returncode != 0:
        raise SystemExit("FAIL: project create")
    r = run(cli, "project", "add", project, *IMAGES)
    if r.returncode != 0:
        raise SystemExit(f"FAIL: project add: {r.stderr}")
    state = read_state(cli, project)
    cases = sorted(state)

    acknowledged_total = 0
    pending_committed = 0
    for round_ in range(kills):
        model = Model(state)
        proc = subprocess.Popen([cli, "project", "session", project], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        # Kill after a random delay: a quarter land in start-up (opening the project takes
        # about 0.3 s here) or the first edits, the rest in the middle of a run of edits.
        delay = rng.uniform(0, 0.5) if rng.random() < 0.25 else rng.uniform(0.3, 1.5)
        timer = threading.Timer(delay, lambda: proc.send_signal(signal.SIGKILL))
        timer.start()
        pending = None  # the edit sent whose "ok" has not been read
        try:
            ready = proc.stdout.readline()
            if ready.strip() == "ready":
                while True:
                    edit = random_edit(rng, cases)
                    pending = edit
                    proc.stdin.write(edit + "\n")
                    proc.stdin.flush()
                    reply = proc.stdout.readline()
                    if not reply:
                        break  # killed
                    if reply.startswith("ok "):
                        model.apply(edit)
                        acknowledged_total += 1
                    elif reply.startswith("error ") and edit in ("undo", "redo") and \
                            not (model.undo if edit == "undo" else model.redo):
                        pass  # nothing to undo/redo: refused, nothing changed
                    elif reply.startswith("error "):
                        raise SystemExit(f"FAIL: the session refused '{edit}': {reply.strip()}")
                    pending = None
            elif ready:
                raise SystemExit(f"FAIL: session did not start: {ready!r} {proc.stderr.read()}")
        except BrokenPipeError:
            pass
        timer.join()
        proc.wait()
        if proc.returncode != -signal.SIGKILL:
            raise SystemExit(f"FAIL: the session ended with {proc.returncode}, not the kill: {proc.stderr.read()}")
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                stream.close()
            except BrokenPipeError:  # an edit still buffered for the killed process
                pass

        integrity(project)
        found = read_state(cli, project)
        expected = model.frozen()
        if found != expected:
            with_pending = model.copy()
            if pending:
                with_pending.apply(pending)
            if pending is None or found != with_pending.frozen():
                diff = {c: (found.get(c), expected.get(c)) for c in set(found) | set(expected) if found.get(c) != expected.get(c)}
                raise SystemExit(f"FAIL: after kill {round_ + 1} (delay {delay:.3f} s) the project lost or invented "
                                 f"edits: found vs expected {diff}; pending {pending!r}")
            pending_committed += 1
        state = found
        if (round_ + 1) % 25 == 0:
            print(f"  {round_ + 1} kills, {acknowledged_total} acknowledged edits checked", flush=True)

    print(f"kill test passed: {kills} kills, {acknowledged_total} acknowledged edits all kept, "
          f"{pending_committed} times the unacknowledged edit had committed just before the kill, seed {seed}")


if __name__ == "__main__":
    main()
