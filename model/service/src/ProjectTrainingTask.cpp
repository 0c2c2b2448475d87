// The project's labels as a training list, and the split preview (ProjectTraining.hpp).

#include <algorithm>
#include <set>

#include "meridian/model/metrics/Splits.hpp"
#include "meridian/service/ProjectTraining.hpp"

namespace meridian::service {

namespace fs = std::filesystem;

core::Result<TrainingTask> trainingTask(const project::ProjectStore& store) {
  auto cases = store.listCases();
  if (!cases) return cases.error();
  TrainingTask task;
  task.labels.source = store.folder() / project::ProjectStore::kDatabaseName;
  task.labels.hasPatients = true;  // every row gets a patient: its own id when DICOM names none
  std::set<std::string> classes;
  for (const auto& c : cases.value()) {
    auto labels = store.labels(c.id);
    if (!labels) return labels.error();
    // The loader opens a series by its UID (a folder may hold several), labelled or not (DINO).
    if (!c.seriesUid.empty()) task.seriesOf[c.path] = c.seriesUid;
    if (labels.value().empty()) {
      task.unlabelled.push_back(c.id);
      continue;
    }
    if (labels.value().size() > 1) {  // multi-label cases have no single class to learn
      ++task.multiLabelled;
      continue;
    }
    model::LabelledImage row;
    std::error_code ec;
    if (fs::is_directory(c.path, ec)) {
      // A DICOM series stored as a folder: no one file to hash, so the project's digest of its
      // files is its content hash (the embedding cache's key; trainFromProject checks it
      // against the files as they are before training).
      row.contentSha256 = c.sha256;
      ++task.seriesFolders;
    }
    row.path = c.path;
    row.relativePath = "case " + std::to_string(c.id);
    row.label = labels.value().front();
    row.patient = c.patientId.empty() ? "case-" + std::to_string(c.id) : c.patientId;
    row.line = static_cast<int>(c.id);
    task.labels.images.push_back(row);
    task.caseIds.push_back(c.id);
    classes.insert(row.label);
  }
  task.labels.classes.assign(classes.begin(), classes.end());
  return task;
}

core::Result<SplitPreview> previewSplit(const TrainingTask& task, double heldOutFraction, std::uint64_t seed) {
  const auto& labels = task.labels;
  const int classes = static_cast<int>(labels.classes.size());
  if (classes < 2)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           classes == 0 ? "no case has a label yet: label cases of at least two classes"
                                        : "every labelled case is '" + labels.classes.front() +
                                              "': label cases of a second class to have something to learn");
  const auto y = labels.classIndices();
  const auto patients = labels.patients();
  auto split = model::metrics::holdOutSplit(y, classes, patients, heldOutFraction, seed);
  if (!split)
    return core::makeError(split.error().code, "the labelled cases cannot be split: " + split.error().message);
  SplitPreview preview;
  preview.classes = labels.classes;
  auto count = [&](const std::vector<std::size_t>& rows, SplitPart& part) {
    part.perClass.assign(labels.classes.size(), 0);
    std::set<std::string> seen;
    for (auto row : rows) {
      ++part.perClass[static_cast<std::size_t>(y[row])];
      seen.insert(patients[row]);
    }
    part.cases = rows.size();
    part.patients = seen.size();
  };
  count(split.value().train, preview.train);
  count(split.value().test, preview.heldOut);
  for (std::size_t c = 0; c < preview.classes.size(); ++c)
    if (preview.heldOut.perClass[c] < 2)
      return core::makeError(core::ErrorCode::InvalidArgument,
                             "the held-out part would have " + std::to_string(preview.heldOut.perClass[c]) +
                                 " case(s) of '" + preview.classes[c] +
                                 "'; at least 2 per class are needed to measure the model: label more '" +
                                 preview.classes[c] + "' cases or hold out a larger share");
  return preview;
}

}  // namespace meridian::service
