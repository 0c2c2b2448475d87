#!/usr/bin/env python3
"""Reads a Meridian SR back with pydicom and checks its structure independently of DCMTK:
Comprehensive SR, the probabilities as NUM items, the weights SHA-256, the source references.
Usage: sr_readback.py SR_FILE SOURCE_SOP_UID... STUDY_UID"""
import sys

import pydicom

path, *uids = sys.argv[1:]
study_uid = uids.pop()
ds = pydicom.dcmread(path)
assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.33", ds.SOPClassUID  # Comprehensive SR
assert ds.Modality == "SR"
assert ds.StudyInstanceUID == study_uid, "the SR joins the source study"
assert ds.PatientIdentityRemoved == "NO", "an SR that names the patient says so"


def walk(items, depth=0):
    for item in items:
        yield item, depth
        if "ContentSequence" in item:
            yield from walk(item.ContentSequence, depth + 1)


probabilities, texts, images = {}, [], []
for item, _ in walk(ds.ContentSequence):
    name = item.ConceptNameCodeSequence[0].CodeMeaning
    if item.ValueType == "NUM" and name.startswith("Probability of "):
        probabilities[name[len("Probability of "):]] = float(item.MeasuredValueSequence[0].NumericValue)
    elif item.ValueType == "TEXT":
        texts.append(item.TextValue)
    elif item.ValueType == "IMAGE":
        images.append(item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID)

assert probabilities == {"no stent": 0.0512, "stent": 0.8731, "stent migration": 0.0757}, probabilities
assert any(len(t) == 64 and all(c in "0123456789abcdef" for c in t) for t in texts), "weights SHA-256"
assert sorted(images) == sorted(uids), (images, uids)
evidence = [sop.ReferencedSOPInstanceUID
            for study in ds.CurrentRequestedProcedureEvidenceSequence
            for series in study.ReferencedSeriesSequence
            for sop in series.ReferencedSOPSequence]
assert sorted(evidence) == sorted(uids), evidence
print(f"pydicom: Comprehensive SR with {len(probabilities)} probabilities, {len(images)} source images")
