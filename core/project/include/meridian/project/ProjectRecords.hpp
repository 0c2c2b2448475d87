#pragma once
// What a project records, as plain values (no SQLite types): the rows the store hands out.
// Ids are the database's row ids (stable for the project's life, never reused).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meridian::project {

using CaseId = std::int64_t;
using ClassId = std::int64_t;
using PredictionId = std::int64_t;
using ModelRunId = std::int64_t;

/// What a case is. A DICOM series has `seriesUid` set; its `path` is the deepest folder
/// holding its files (the DICOMDIR when added through one; the file itself for a one-file
/// series). A one-file series that is one 2D picture (a radiograph) is an Image.
enum class CaseKind { Image, Volume, Slide };
const char* toString(CaseKind kind);                 // "image", "volume", "slide"
std::optional<CaseKind> caseKindFromString(const std::string& text);

/// One file of a case, with what it held when it was added.
struct CaseFile {
  std::string path;  // absolute
  std::string sha256;
  std::int64_t byteSize = 0;
};

struct CaseRecord {
  CaseId id = 0;
  std::string path;       // absolute path of the file, or of the series' folder / DICOMDIR
  CaseKind kind = CaseKind::Image;
  std::string format;     // "PNG", "DICOM", "NIfTI", "generic-tiff", ...
  // SHA-256 of the file's bytes; for a DICOM series, of its files' SHA-256s sorted, one per
  // line, so any changed slice changes it and its location does not (seriesDigest in
  // ProjectImport.hpp).
  std::string sha256;
  std::int64_t byteSize = 0;  // file size, or the sum over the series' files
  // DICOM, where the files say so (empty otherwise).
  std::string patientId, patientName, studyUid, studyDate, studyDescription;
  std::string seriesUid, seriesDescription, modality;
  int seriesNumber = 0;
  std::vector<CaseFile> files;     // every file of the case (one for a single file), by path
  // Empty for a complete case. A DICOM series that joined with slices missing or members
  // that cannot be read keeps what it lacks here (JSON; read it with incompletenessOf in
  // ProjectImport.hpp).
  std::string incompleteJson;
  std::string addedUtc;            // ISO 8601, "2026-12-02T03:04:05Z"
};

/// An image-level label class ("tumour", "normal", ...), with the colour the window shows.
struct LabelClass {
  ClassId id = 0;
  std::string name;
  std::uint8_t red = 255, green = 255, blue = 0;
};

/// A model run: one inference or training job over some cases.
struct ModelRun {
  ModelRunId id = 0;
  std::string task;           // "inference", "training", "evaluation", ...
  std::string modelName;
  std::string weightsSha256;  // SHA-256 of the weights file the run used
  std::string parametersJson; // the run's settings, as the job wrote them ("{}" when none)
  std::string startedUtc, finishedUtc;  // finishedUtc empty while running
  std::string status;         // "running", "succeeded", "failed", "cancelled"
};

/// A model folder the project was told to use ("Accept model"). `folder` is relative to the
/// project folder when the model lies inside it ("models/probe-20261202-071500"), else absolute.
struct AcceptedModel {
  std::string folder;
  std::string name;
  std::string weightsSha256;
  std::string acceptedUtc;  // filled by the store
  std::string actor;        // filled by the store
};

/// One model output for one case.
struct Prediction {
  PredictionId id = 0;
  CaseId caseId = 0;
  std::optional<ModelRunId> runId;
  std::string weightsSha256;
  std::string outputsJson;   // scores / labels / embedding summary, as the pipeline wrote them
  std::string mapFile;       // relative to the project folder ("maps/12-attention.nii.gz"), or ""
  std::string createdUtc;
};

/// A reviewer's decision on a case (optionally on one prediction).
struct ReviewDecision {
  std::int64_t id = 0;
  CaseId caseId = 0;
  std::optional<PredictionId> predictionId;
  std::string reviewer;
  std::string decidedUtc;
  std::string decision;    // "accept", "reject", "correct", ...
  std::string correction;  // the corrected label or text, when decision is a correction
};

/// One line of the append-only event log (the audit trail). `hash` is the SHA-256 of the line
/// with `previousHash`, the hash of the line before it (AuditChain.hpp).
struct ProjectEvent {
  std::int64_t sequence = 0;
  std::string utc;
  std::string actor;        // reviewer / user name, or "" when unknown
  std::string kind;         // "case.add", "label.add", "label.remove", "annotation.add", ...
  std::optional<CaseId> caseId;
  std::string payloadJson;  // what changed, enough to read the log without the tables
  std::string previousHash, hash;
};

/// A case's file(s) compared with what was recorded when it was added.
enum class FileState { Unchanged, Changed, Missing };
const char* toString(FileState state);  // "unchanged", "changed", "missing"

struct CaseCheck {
  CaseId caseId = 0;
  FileState state = FileState::Unchanged;
  std::string detail;  // which file is missing, or the hash now found
};

}  // namespace meridian::project
