#!/usr/bin/python3
"""meridian-cli pacs against a real Orthanc (Debian's `orthanc`), end to end.

Starts its own Orthanc on loopback (free ports, a temporary configuration and storage; the
system service the package installs is not used), then, through meridian-cli only:
  pacs store   real DICOM (pydicom's CT series and a larger synthetic study built on a real header)
  pacs echo, find (studies, --json) and find --series
  pacs get     a study into a project (cases added, no partial folder left) and into a folder
  pacs move    the same by C-MOVE: meridian-cli listens on a port that Orthanc's configuration lists
               for MERIDIAN, into a project and into a folder
  pacs store --case   the case's SR back, checked through Orthanc's REST API
and the bad cases: a wrong called AE title (refused association), a closed port, an AE title
Orthanc does not know, and a server that vanishes mid-transfer (a loopback proxy that cuts the
connection after 1 MB, for get into a project and into a folder; for move, a proxy in front of
meridian-cli's port that cuts Orthanc's C-STOREs after 1 MB) -- each a clear message, nothing
added to the project and no file or hidden download folder left. Orthanc is stopped at the end
whatever happens.

usage: pacs_orthanc.py MERIDIAN_CLI WORK_DIR [--bench N]
--bench N: time N round trips (store -> find -> get -> SR back) with meridian-cli and with DCMTK's
storescu/findscu/getscu on the same server, and N round trips store -> find -> move -> SR back
(meridian-cli), and print the medians.
"""

import glob
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import numpy as np
import pydicom
from pydicom.uid import generate_uid

CLI, WORK = sys.argv[1], os.path.abspath(sys.argv[2])
BENCH = int(sys.argv[sys.argv.index("--bench") + 1]) if "--bench" in sys.argv else 0
TEST_FILES = "/usr/lib/python3/dist-packages/pydicom/data/test_files"
SERIES = f"{TEST_FILES}/dicomdirtests/98892001/CT5N"  # Doe^Peter, 5 real CT headers


def fail(message):
    print(f"pacs_orthanc: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, expect=0, stdin=None):
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, input=stdin, timeout=300)
    if p.returncode != expect:
        fail(f"{' '.join(map(str, args))}: exit {p.returncode}, wanted {expect}\nstdout: {p.stdout}\nstderr: {p.stderr}")
    return p


class Orthanc:
    def __init__(self, folder):
        self.folder = folder
        self.http, self.dicom = free_port(), free_port()
        # Where Orthanc sends a C-MOVE's objects: meridian-cli's --listen-port, and a second AE
        # title whose port is a cutting proxy in front of it (a receiver that vanishes).
        self.move_port, self.cut_port, self.behind_cut = free_port(), free_port(), free_port()
        os.makedirs(folder, exist_ok=True)
        config = {
            "Name": "MeridianTest",
            "StorageDirectory": f"{folder}/storage",
            "IndexDirectory": f"{folder}/storage",
            "HttpPort": self.http,
            "DicomPort": self.dicom,
            "DicomAet": "ORTHANC",
            "DicomCheckCalledAet": True,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            # Meridian queries and retrieves as MERIDIAN (C-GET: no port of Meridian's is used;
            # C-MOVE: Orthanc connects to this port).
            "DicomModalities": {"meridian": ["MERIDIAN", "127.0.0.1", self.move_port],
                                "meridiancut": ["MERIDIANCUT", "127.0.0.1", self.cut_port]},
            "Plugins": [],
        }
        with open(f"{folder}/orthanc.json", "w") as f:
            json.dump(config, f)
        binary = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
        self.log = open(f"{folder}/orthanc.log", "w")
        self.process = subprocess.Popen([binary, f"{folder}/orthanc.json"], stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                self.rest("/system")
                return
            except OSError:
                if self.process.poll() is not None:
                    fail(f"Orthanc exited with {self.process.returncode}; see {folder}/orthanc.log")
                time.sleep(0.1)
        fail("Orthanc did not answer on its REST port within 20 s")

    def rest(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http}{path}", timeout=10) as r:
            return json.load(r)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class CuttingProxy:
    """Forwards one loopback port to another and cuts both connections once `limit` bytes have
    gone from the target to the connecting side (`upstream`: from the connecting side to the
    target): a PACS, or a receiver, that vanishes mid-transfer."""

    def __init__(self, target_port, limit, port=0, upstream=False):
        self.target, self.limit, self.upstream = target_port, limit, upstream
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.cut = False
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        client, _ = self.listener.accept()
        server = socket.create_connection(("127.0.0.1", self.target))
        sent = [0]

        def pump(src, dst, count):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
                    if count:
                        sent[0] += len(data)
                        if sent[0] >= self.limit:
                            self.cut = True
                            break
            except OSError:
                pass
            for s in (client, server):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        up = threading.Thread(target=pump, args=(client, server, self.upstream), daemon=True)
        up.start()
        pump(server, client, not self.upstream)
        up.join(5)
        client.close()
        server.close()


def make_big_study(folder, count):
    """`count` 512x512 16-bit CT slices of one new study, on CT_small's real header."""
    os.makedirs(folder, exist_ok=True)
    template = pydicom.dcmread(f"{TEST_FILES}/CT_small.dcm")
    study, series = generate_uid(), generate_uid()
    rng = np.random.default_rng(7)
    for i in range(count):
        d = template.copy()
        d.PatientName, d.PatientID = "Big^Study", "BIG-1"
        d.StudyInstanceUID, d.SeriesInstanceUID = study, series
        d.SOPInstanceUID = generate_uid()
        d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
        d.InstanceNumber = i + 1
        d.ImagePositionPatient = [0.0, 0.0, float(i)]
        d.Rows = d.Columns = 512
        d.PixelData = rng.integers(0, 2000, (512, 512), dtype=np.int16).tobytes()
        d.save_as(f"{folder}/slice-{i:03d}.dcm")
    return study


def cases_of(project):
    p = run("project", "list", "--json", project)
    return json.loads(p.stdout)


def leftovers(project):
    return glob.glob(f"{project}/pacs/.incoming-*")


def folder_leftovers(parent):
    return glob.glob(f"{parent}/.incoming-*")


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    orthanc = Orthanc(f"{WORK}/orthanc")
    try:
        test(orthanc)
        if BENCH:
            bench(orthanc, BENCH)
    finally:
        orthanc.stop()
    if orthanc.process.returncode is None:
        fail("Orthanc is still running")


def test(orthanc):
    server = ["--port", orthanc.dicom, "--aet", "ORTHANC", "--timeout", 10]
    series_files = sorted(glob.glob(f"{SERIES}/*"))
    big = make_big_study(f"{WORK}/big", 20)

    start = time.monotonic()
    run("pacs", "echo", *server)
    run("pacs", "store", *server, *series_files, f"{TEST_FILES}/CT_small.dcm")
    run("pacs", "store", *server, *sorted(glob.glob(f"{WORK}/big/*.dcm")))
    if len(orthanc.rest("/instances")) != 26:
        fail(f"Orthanc holds {len(orthanc.rest('/instances'))} instances, wanted 26")
    t_store = time.monotonic() - start

    start = time.monotonic()
    studies = json.loads(run("pacs", "find", *server, "--json").stdout)
    peter = [s for s in studies if s["patient_name"] == "Doe^Peter"]
    if len(studies) != 3 or len(peter) != 1 or peter[0]["instances"] != 5:
        fail(f"find returned {studies}")
    study = peter[0]["study_uid"]
    only = json.loads(run("pacs", "find", *server, "--patient-name", "Doe*", "--json").stdout)
    if [s["study_uid"] for s in only] != [study]:
        fail(f"find --patient-name Doe* returned {only}")
    series = json.loads(run("pacs", "find", *server, "--study", study, "--series", "--json").stdout)
    if len(series) != 1 or series[0]["modality"] != "CT" or series[0]["instances"] != 5:
        fail(f"find --series returned {series}")
    t_find = time.monotonic() - start

    project = f"{WORK}/project"
    run("project", "create", project)
    start = time.monotonic()
    got = run("pacs", "get", *server, "--study", study, "--project", project, "--user", "Dr. Ada Reviewer")
    t_get = time.monotonic() - start
    cases = cases_of(project)
    if len(cases) != 1 or cases[0]["files"] != 5 or cases[0]["dicom"]["seriesUid"] != series[0]["series_uid"]:
        fail(f"after get the project lists {cases}\n{got.stdout}")
    if leftovers(project):
        fail(f"a download folder was left: {leftovers(project)}")
    if not cases[0]["path"].startswith(f"{project}/pacs/"):
        fail(f"the case lies outside the project's pacs folder: {cases[0]['path']}")

    # The case's SR back to the PACS: a prediction first, in infer's file layout (what the model
    # says does not matter here, so no model runs).
    p = {"model": {"name": "vit-pacs-test", "sha256": "4f1c" * 16}, "input": cases[0]["path"], "modality": "CT",
         "outputs": {"classification": {"normal": 0.25, "tumour": 0.75}}}
    json.dump(p, open(f"{WORK}/case.prediction.json", "w"))
    run("project", "add-prediction", project, cases[0]["id"], f"{WORK}/case.prediction.json")
    start = time.monotonic()
    sent = run("pacs", "store", *server, "--project", project, "--case", cases[0]["id"], "--user", "Dr. Ada Reviewer")
    t_sr = time.monotonic() - start
    srs = [i for i in orthanc.rest("/instances?expand") if i["MainDicomTags"].get("SOPInstanceUID")
           and orthanc.rest(f"/instances/{i['ID']}/simplified-tags").get("Modality") == "SR"]
    if len(srs) != 1:
        fail(f"Orthanc holds {len(srs)} SR instance(s) after pacs store --case\n{sent.stdout}")
    tags = orthanc.rest(f"/instances/{srs[0]['ID']}/simplified-tags")
    if tags["SOPClassUID"] != "1.2.840.10008.5.1.4.1.1.88.33" or tags["StudyInstanceUID"] != study:
        fail(f"the SR in Orthanc: class {tags['SOPClassUID']}, study {tags['StudyInstanceUID']} (wanted {study})")
    if tags["SOPInstanceUID"] not in sent.stdout:
        fail(f"pacs store --case did not name the SR it sent: {sent.stdout}")
    if "tumour" not in json.dumps(orthanc.rest(f"/instances/{srs[0]['ID']}/tags?simplify")):
        fail("the SR in Orthanc lacks the finding 'tumour'")

    # The audit trail names both, and still verifies.
    db = sqlite3.connect(f"file:{project}/project.sqlite?mode=ro", uri=True)
    kinds = [row[0] for row in db.execute("SELECT kind FROM events ORDER BY seq")]
    db.close()
    for kind in ("pacs.retrieve", "pacs.store"):
        if kind not in kinds:
            fail(f"the audit trail lacks {kind}: {kinds}")
    run("audit", "verify", project)

    # Bad servers: a clear message, exit 1, nothing added, no download folder left.
    before = len(cases_of(project))
    checks = [
        (["--port", orthanc.dicom, "--aet", "WRONG"], "refused the association.*WRONG"),
        (["--port", free_port(), "--aet", "ORTHANC"], r"cannot reach the PACS.*\(is the server running"),
        (["--port", orthanc.dicom, "--aet", "ORTHANC", "--calling-aet", "STRANGER"], "does not allow the AE title 'STRANGER'"),
    ]
    for args, pattern in checks:
        p = run("pacs", "get", *args, "--timeout", 10, "--study", big, "--project", project, expect=1)
        if not re.search(pattern, p.stderr) or "nothing was added to the project" not in p.stderr:
            fail(f"pacs get {args}: message {p.stderr!r} does not match {pattern!r}")
    proxy = CuttingProxy(orthanc.dicom, 1 << 20)
    p = run("pacs", "get", "--port", proxy.port, "--aet", "ORTHANC", "--timeout", 10, "--study", big,
            "--project", project, expect=1)
    if not proxy.cut:
        fail("the proxy never cut the transfer")
    if "closed the connection during the retrieve" not in p.stderr or "nothing was added" not in p.stderr:
        fail(f"a vanished server: message {p.stderr!r}")
    if len(cases_of(project)) != before or leftovers(project) or glob.glob(f"{project}/pacs/{big}*"):
        fail(f"a failed retrieve left something: {cases_of(project)}, {os.listdir(project + '/pacs')}")
    print(f"vanished server: {p.stderr.strip()}")

    # The same study again after the failures: added completely.
    run("pacs", "get", *server, "--study", big, "--project", project)
    added = [c for c in cases_of(project) if c.get("dicom", {}).get("patientId") == "BIG-1"]
    if len(added) != 1 or added[0]["files"] != 20:
        fail(f"the big study after a clean retrieve: {added}")
    print(f"pacs round trip on Orthanc: store {t_store:.2f} s (26 objects), find {t_find:.2f} s (3 queries), "
          f"get {t_get:.2f} s (5 objects into a project), SR back {t_sr:.2f} s")
    test_folder_get(orthanc, big)
    test_move(orthanc, study, big)
    print("pacs orthanc: echo, store, find, get and move into a project and a folder, SR back and 7 bad servers checked")


def test_folder_get(orthanc, big):
    """get --out: the folder appears only complete; a vanished server leaves nothing."""
    out = f"{WORK}/folder-get/out"
    os.makedirs(os.path.dirname(out), exist_ok=True)
    proxy = CuttingProxy(orthanc.dicom, 1 << 20)
    p = run("pacs", "get", "--port", proxy.port, "--aet", "ORTHANC", "--timeout", 10, "--study", big, "--out", out,
            expect=1)
    if not proxy.cut or "closed the connection during the retrieve" not in p.stderr \
            or f"nothing was written to {out}" not in p.stderr:
        fail(f"get --out from a vanishing server: cut {proxy.cut}, message {p.stderr!r}")
    if os.path.exists(out) or folder_leftovers(os.path.dirname(out)):
        fail(f"get --out from a vanishing server left {os.listdir(os.path.dirname(out))}")
    run("pacs", "get", "--port", orthanc.dicom, "--aet", "ORTHANC", "--study", big, "--out", out)
    if len(glob.glob(f"{out}/*.dcm")) != 20 or folder_leftovers(os.path.dirname(out)):
        fail(f"get --out of 20 objects: {os.listdir(os.path.dirname(out))}, {os.listdir(out)}")
    # Into a folder that already holds the files: the same 20, replaced, still no leftovers.
    run("pacs", "get", "--port", orthanc.dicom, "--aet", "ORTHANC", "--study", big, "--out", out)
    if len(glob.glob(f"{out}/*.dcm")) != 20 or folder_leftovers(os.path.dirname(out)):
        fail(f"a second get --out into the folder: {os.listdir(out)}")
    print(f"get --out from a vanished server: {p.stderr.strip()}")


def test_move(orthanc, study, big):
    """C-MOVE: Orthanc sends to meridian-cli's --listen-port; only complete downloads are kept."""
    server = ["--port", orthanc.dicom, "--aet", "ORTHANC", "--timeout", 10]
    project = f"{WORK}/move-project"
    run("project", "create", project)
    run("pacs", "move", *server, "--listen-port", orthanc.move_port, "--study", study, "--project", project)
    cases = cases_of(project)
    if len(cases) != 1 or cases[0]["files"] != 5 or leftovers(project):
        fail(f"after move the project lists {cases}, leftovers {leftovers(project)}")
    db = sqlite3.connect(f"file:{project}/project.sqlite?mode=ro", uri=True)
    methods = [json.loads(row[0]).get("method") for row in db.execute("SELECT payload_json FROM events WHERE kind = 'pacs.retrieve'")]
    db.close()
    if methods != ["C-MOVE"]:
        fail(f"the audit trail records the retrieve as {methods}, wanted C-MOVE")
    out = f"{WORK}/move-out/big"
    run("pacs", "move", *server, "--listen-port", orthanc.move_port, "--study", big, "--out", out)
    got = sorted(glob.glob(f"{out}/*"))
    if len(got) != 20 or folder_leftovers(os.path.dirname(out)):
        fail(f"move --out of 20 objects: {got}")
    uids = {pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID for f in got}
    if len(uids) != 20:
        fail(f"move --out wrote {len(uids)} distinct objects")

    # A port Orthanc does not know for this AE title: Orthanc cannot connect; the message says
    # what to configure and nothing is left.
    bad_out = f"{WORK}/move-out/wrong-port"
    p = run("pacs", "move", *server, "--listen-port", free_port(), "--study", study, "--out", bad_out, expect=1)
    if "among its modalities" not in p.stderr or os.path.exists(bad_out) or folder_leftovers(f"{WORK}/move-out"):
        fail(f"move to a port Orthanc does not send to: {p.stderr!r}, {os.listdir(WORK + '/move-out')}")
    print(f"move to the wrong port: {p.stderr.strip()}")

    # The receiving side vanishes after 1 MB of the 20-object study (a proxy between Orthanc and
    # meridian-cli's port): nothing added, no folder left.
    before = len(cases_of(project))
    proxy = CuttingProxy(orthanc.behind_cut, 1 << 20, port=orthanc.cut_port, upstream=True)
    p = run("pacs", "move", *server, "--calling-aet", "MERIDIANCUT", "--listen-port", orthanc.behind_cut,
            "--study", big, "--project", project, expect=1)
    if not proxy.cut:
        fail(f"the proxy never cut the C-MOVE's transfer: {p.stderr!r}")
    if "nothing was added to the project" not in p.stderr or len(cases_of(project)) != before or leftovers(project):
        fail(f"a move cut mid-transfer: {p.stderr!r}, {os.listdir(project + '/pacs')}")
    print(f"move cut mid-transfer: {p.stderr.strip()}")


def bench(orthanc, runs):
    """Median round trip, meridian-cli against DCMTK's command-line tools, on the same server."""
    files = sorted(glob.glob(f"{SERIES}/*"))
    port = str(orthanc.dicom)
    sr = glob.glob(f"{WORK}/project/pacs/**/*.dcm", recursive=True)[0]  # any object to send back
    mine, peer = [], []
    for i in range(runs):
        folder = f"{WORK}/bench-{i}"
        start = time.monotonic()
        run("pacs", "store", "--port", port, "--aet", "ORTHANC", *files)
        studies = json.loads(run("pacs", "find", "--port", port, "--aet", "ORTHANC", "--patient-name", "Doe*", "--json").stdout)
        run("pacs", "get", "--port", port, "--aet", "ORTHANC", "--study", studies[0]["study_uid"], "--out", f"{folder}/m")
        run("pacs", "store", "--port", port, "--aet", "ORTHANC", sr)
        mine.append(time.monotonic() - start)
        start = time.monotonic()
        aets = ["-aet", "MERIDIAN", "-aec", "ORTHANC"]
        subprocess.run(["storescu", *aets, "127.0.0.1", port, *files], check=True, capture_output=True)
        subprocess.run(["findscu", "-S", *aets, "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=Doe*",
                        "-k", "StudyInstanceUID", "127.0.0.1", port], check=True, capture_output=True)
        os.makedirs(f"{folder}/d", exist_ok=True)
        subprocess.run(["getscu", "-S", *aets, "-od", f"{folder}/d", "-k", "QueryRetrieveLevel=STUDY",
                        "-k", f"StudyInstanceUID={studies[0]['study_uid']}", "127.0.0.1", port],
                       check=True, capture_output=True)
        subprocess.run(["storescu", *aets, "127.0.0.1", port, sr], check=True, capture_output=True)
        peer.append(time.monotonic() - start)
    m, d = statistics.median(mine), statistics.median(peer)
    print(f"pacs bench: {runs} round trips (store 5 -> find -> get 5 -> store 1): meridian-cli median {m:.3f} s, "
          f"DCMTK tools median {d:.3f} s, ratio {m / d:.2f}")
    # The round trip the issue names: store -> find -> move -> SR back (each a meridian-cli process).
    project = f"{WORK}/bench-move-project"
    run("project", "create", project)
    case_sr = None
    moves = []
    for i in range(runs):
        start = time.monotonic()
        run("pacs", "store", "--port", port, "--aet", "ORTHANC", *files)
        studies = json.loads(run("pacs", "find", "--port", port, "--aet", "ORTHANC", "--patient-name", "Doe*", "--json").stdout)
        run("pacs", "move", "--port", port, "--aet", "ORTHANC", "--listen-port", orthanc.move_port,
            "--study", studies[0]["study_uid"], "--project", project)
        if case_sr is None:  # the first run's case gets a prediction, so that it has an SR to send
            case_sr = cases_of(project)[0]["id"]
            json.dump({"model": {"name": "vit-bench", "sha256": "ab" * 32}, "input": "x", "modality": "CT",
                       "outputs": {"classification": {"normal": 0.4, "tumour": 0.6}}},
                      open(f"{WORK}/bench.prediction.json", "w"))
            run("project", "add-prediction", project, case_sr, f"{WORK}/bench.prediction.json")
        run("pacs", "store", "--port", port, "--aet", "ORTHANC", "--project", project, "--case", case_sr)
        moves.append(time.monotonic() - start)
    print(f"pacs bench: {runs} round trips (store 5 -> find -> move 5 into a project -> SR back): meridian-cli "
          f"median {statistics.median(moves):.3f} s (min {min(moves):.3f}, max {max(moves):.3f})")


if __name__ == "__main__":
    main()
