#pragma once
// What a report says, as plain structs: the writers (DICOM SR, PDF, CSV) take these and nothing
// else, so they need no model code, no project store and no Qt. Whoever has a prediction (the
// CLI, the window, the project store) fills them in.

#include <cstdint>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::report {

/// The study the report is about. With `deidentified`, writers show no patient attributes.
struct StudyHeader {
  std::string patientName, patientId, patientBirthDate, patientSex;  // DICOM forms (PN, LO, DA, CS)
  std::string studyInstanceUid, studyDate, studyTime, studyDescription, accessionNumber, modality;
  bool deidentified = false;
};

/// One source image the prediction was made on (the SR references it; empty UIDs: not DICOM).
struct SourceImage {
  std::string studyInstanceUid, seriesInstanceUid, sopClassUid, sopInstanceUid;
  std::string path;  // where it was read from, for people
};

/// A model's output on one case: one probability (0..1) per label, and which model said so.
struct Prediction {
  std::vector<std::string> labels;
  std::vector<double> probabilities;
  std::string modelName;
  std::string weightsSha256;  // 64 lowercase hex digits
};

struct MetricWithCi {
  std::string name;  // "AUROC"
  double value = 0, ciLow = 0, ciHigh = 0;
};

/// The model card, summarised for a report.
struct ModelCardSummary {
  std::string name, weightsSha256, trainingData;
  std::vector<MetricWithCi> metrics;
};

struct Measurement {
  std::string name;
  double value = 0;
  std::string unit;  // UCUM where there is one: "mm", "mm2", "[hnsf'U]"
};

/// A person's verdict on the prediction.
struct Review {
  std::string reviewer;  // as the person wants to be named
  std::string decision;  // "accepted", "rejected", "changed to <label>"
  std::string timeUtc;   // ISO 8601, e.g. 2026-12-02T04:10:00Z
};

/// The label with the highest probability; the prediction must be valid.
std::size_t topLabelIndex(const Prediction& prediction);

/// Checks that a prediction can be reported: as many probabilities as labels, each a number in
/// [0, 1], a model name, a SHA-256 of 64 hex digits.
core::Status validatePrediction(const Prediction& prediction);

}  // namespace meridian::report
