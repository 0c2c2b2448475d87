#pragma once
// The case browser's tree, worked out without Qt: DICOM series grouped patient -> study ->
// series, then the slides, then the 2D images, then volumes that are not DICOM (NIfTI,
// NRRD...). caseOrder() is the order next/previous case walks, the order shown.

#include <optional>
#include <string>
#include <vector>

#include "meridian/project/ProjectRecords.hpp"

namespace meridian::ui {

struct CaseTreeNode {
  enum class Kind { Group, Patient, Study, Case };
  Kind kind = Kind::Group;
  std::string label;
  std::optional<project::CaseId> caseId;  // Case nodes
  /// Case nodes of an incomplete series: what it lacks (IncompleteSeriesText.hpp), for a
  /// warning sign and tooltip; empty otherwise.
  std::string warning;
  std::vector<CaseTreeNode> children;
};

/// Top-level nodes: one per patient (DICOM), then "Slides", "2D images", "Volumes" groups
/// (each only when it has cases). Within a patient, studies by date; within a study, series
/// by number. Slides, images and volumes by file name.
std::vector<CaseTreeNode> buildCaseTree(const std::vector<project::CaseRecord>& cases);

/// Case ids in tree order (depth first).
std::vector<project::CaseId> caseOrder(const std::vector<CaseTreeNode>& tree);

/// The case after (step +1) or before (-1) `current` in `order`, stopping at the ends; the
/// first case when `current` is not in it; nullopt when `order` is empty.
std::optional<project::CaseId> stepCase(const std::vector<project::CaseId>& order,
                                        std::optional<project::CaseId> current, int step);

/// "CT · Routine Brain (4 images)" for a series, the file name for a file.
std::string caseLabel(const project::CaseRecord& record);

}  // namespace meridian::ui
