#pragma once
// A Meridian project: a folder holding `project.sqlite` (SQLite, WAL journal) and the files
// beside it (maps/, models/, thumbnails/), plus `project.lock`.
//
// Contract:
// - Every method that changes the project commits its change, and the event-log line that
//   records it, in one SQLite transaction before it returns ok: an ok return is the
//   acknowledgement, and a kill -9 or power loss after it keeps the change (synchronous=FULL).
//   A failed method has changed nothing (the transaction rolled back).
// - A read-only or full disk gives ErrorCode::Io with a message that says so; nothing saved
//   before is lost.
// - One writer: open() takes an exclusive flock on project.lock (and SQLite keeps its own
//   locks). A second writer is refused (OpenMode::ReadWrite) or gets a read-only store
//   (OpenMode::ReadWriteOrReadOnly); in a read-only store every change fails with
//   ErrorCode::Io ("opened read-only ...") and reads work.
// - The schema has a version (SQLite's user_version). An older project is migrated
//   forward in one transaction when opened for writing; a project written by a newer
//   Meridian is refused and left untouched.
// - Thread-safe: one connection behind a mutex; any thread may call any method. Change
//   listeners run on the thread that made the change, after the commit, without the lock.
// - Qt-free, torch-free.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Annotations.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/project/AuditChain.hpp"
#include "meridian/project/ProjectRecords.hpp"

namespace meridian::project {

enum class OpenMode {
  ReadWrite,            // refuse when another process holds the project
  ReadOnly,             // never writes (also works on a read-only disk)
  ReadWriteOrReadOnly,  // read-write when free, else read-only (isReadOnly() tells)
};

/// What changed, for views that refresh (case list, label panel, ...).
struct ProjectChange {
  enum class What { Cases, Classes, Labels, Annotations, Predictions, ModelRuns, Reviews, ActiveModel };
  What what = What::Cases;
  std::optional<CaseId> caseId;  // the case concerned, when one is
};

/// Where the case list starts; filters combine with AND.
struct CaseFilter {
  std::optional<CaseKind> kind;
  std::optional<std::string> label;    // has this image-level label
  std::optional<bool> reviewed;        // has (not) at least one review decision
  std::optional<bool> hasPrediction;   // has (no) prediction
};

class ProjectStore {
 public:
  static constexpr int kSchemaVersion = 3;  // what this build writes (and reads up to)
  static constexpr const char* kDatabaseName = "project.sqlite";

  /// Makes `folder` a new project (creating the folder if needed; an existing project
  /// there is refused, other files in it are left alone) and opens it read-write.
  static core::Result<std::unique_ptr<ProjectStore>> create(const std::filesystem::path& folder);
  /// Opens an existing project.
  static core::Result<std::unique_ptr<ProjectStore>> open(const std::filesystem::path& folder,
                                                          OpenMode mode = OpenMode::ReadWrite);
  /// True when `folder` holds a project database.
  static bool isProject(const std::filesystem::path& folder);

  ~ProjectStore();
  ProjectStore(const ProjectStore&) = delete;
  ProjectStore& operator=(const ProjectStore&) = delete;

  const std::filesystem::path& folder() const;
  bool isReadOnly() const;
  /// Sub-folders for files beside the database (created on first use by the writers).
  std::filesystem::path mapsFolder() const;        // folder()/maps
  std::filesystem::path modelsFolder() const;      // folder()/models
  std::filesystem::path thumbnailsFolder() const;  // folder()/thumbnails

  /// Who is recorded as the actor of the edits that follow (the reviewer name from the
  /// preferences); "" until set.
  void setActor(std::string actor);
  /// The actor set last: the reviewer name a review panel shows and records (the window
  /// keeps it equal to the reviewer-name preference).
  std::string actor() const;

  // --- cases ------------------------------------------------------------------------
  /// Adds a case (record.id and addedUtc are assigned). A case with the same path and
  /// series UID is refused with ErrorCode::InvalidArgument naming the existing case id.
  core::Result<CaseId> addCase(CaseRecord record);
  /// The case with this path (and series UID, for a series), if recorded.
  core::Result<std::optional<CaseId>> findCase(const std::string& path, const std::string& seriesUid = {}) const;
  core::Result<CaseRecord> getCase(CaseId id) const;
  /// Cases in the order they were added, filtered.
  core::Result<std::vector<CaseRecord>> listCases(const CaseFilter& filter = {}) const;
  /// Removes a case with its labels, annotations, predictions and reviews (the event log keeps
  /// the record of them).
  core::Status removeCase(CaseId id);
  /// Re-hashes the case's file(s): Missing when a file is gone, Changed when a hash differs.
  /// Reads the files, so run it as a job for many or big cases.
  core::Result<CaseCheck> checkCase(CaseId id) const;

  // --- image-level labels -------------------------------------------------------------
  /// The class named `name`, created (with a colour from a fixed palette) if new.
  core::Result<ClassId> ensureClass(const std::string& name);
  core::Result<std::vector<LabelClass>> listClasses() const;
  /// Renames a class; the cases labelled with it follow (labels refer to the class, not its
  /// name). Refused when no class is called `from` or another class is called `to`.
  core::Status renameClass(const std::string& from, const std::string& to);
  /// A case holds a set of labels (multi-label). Adding one it has, or removing one it does
  /// not have, is ok and changes nothing (no event).
  core::Status addLabel(CaseId caseId, const std::string& className);
  core::Status removeLabel(CaseId caseId, const std::string& className);
  core::Result<std::vector<std::string>> labels(CaseId caseId) const;  // sorted by name

  // --- region annotations (core::Annotation; its `id` is the key within the project) ----
  /// Adds or replaces (same annotation id) one annotation of a case. A shape on a volume's
  /// plane is stored by its patientPoints (LPS, mm) with its plane and slice, and read back
  /// with patientPoints only (its plane pixels are the viewer's to work out); it needs a plane
  /// ("axial", "coronal", "sagittal") and a slice >= 0. Any other shape keeps its pixel points.
  core::Status putAnnotation(CaseId caseId, const core::Annotation& annotation);
  core::Status removeAnnotation(CaseId caseId, const std::string& annotationId);
  core::Result<std::vector<core::Annotation>> annotations(CaseId caseId) const;
  core::Result<std::optional<core::Annotation>> annotation(CaseId caseId, const std::string& annotationId) const;

  // --- model runs and predictions -------------------------------------------------------
  core::Result<ModelRunId> startModelRun(ModelRun run);  // status "running", startedUtc now
  core::Status finishModelRun(ModelRunId id, const std::string& status);
  core::Result<std::vector<ModelRun>> listModelRuns() const;
  core::Result<PredictionId> addPrediction(Prediction prediction);
  core::Result<std::vector<Prediction>> predictions(CaseId caseId) const;

  // --- the active model (a project setting) ----------------------------------------------
  /// The model the project uses (the last one accepted), or nullopt before any was.
  core::Result<std::optional<AcceptedModel>> activeModel() const;
  /// Makes `model` the active model (the previous one stays in acceptedModels()) and logs a
  /// "model.accept" event naming both. Refuses an empty folder or weights hash.
  core::Status acceptModel(const AcceptedModel& model);
  /// Every model accepted so far, oldest first (read from the event log).
  core::Result<std::vector<AcceptedModel>> acceptedModels() const;

  // --- review ---------------------------------------------------------------------------
  /// Records a decision by the current actor (decision.reviewer when set) at the current
  /// UTC time.
  core::Result<std::int64_t> addReview(ReviewDecision decision);
  core::Result<std::vector<ReviewDecision>> reviews(CaseId caseId) const;
  /// Takes back one decision (the undo of addReview); the event log keeps the decision and
  /// records its removal. NotFound when there is no such decision.
  core::Status removeReview(std::int64_t reviewId);

  // --- event log (append-only: triggers refuse UPDATE and DELETE; hash-chained, see
  // AuditChain.hpp) -------------------------------------------------------------------------
  core::Result<std::vector<ProjectEvent>> events(std::int64_t afterSequence = 0) const;
  /// Records something that changed no table but belongs in the audit trail ("export", "view")
  /// by the current actor, now. `payloadJson` says what (it must be a JSON text).
  core::Status recordEvent(const std::string& kind, std::optional<CaseId> caseId, const std::string& payloadJson);
  /// Verifies the chain of the whole log (reads every event).
  core::Result<AuditVerdict> verifyEvents() const;

  // --- notification ---------------------------------------------------------------------
  using ChangeListener = std::function<void(const ProjectChange&)>;
  /// Returns an id for removeChangeListener.
  int addChangeListener(ChangeListener listener);
  void removeChangeListener(int id);

  /// The current UTC time as the store writes it.
  static std::string utcNow();

 private:
  struct Impl;
  explicit ProjectStore(std::unique_ptr<Impl> impl);
  static core::Result<std::unique_ptr<ProjectStore>> openFolder(const std::filesystem::path& folder, OpenMode mode,
                                                                bool creating);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::project
