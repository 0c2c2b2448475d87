#pragma once
// Predictions and labels as CSV (RFC 4180), one row per case, for spreadsheets and R/pandas:
// case, model, weights_sha256, predicted_label, one p_<label> column per label, then the
// reviewer's label, reviewer, decision and time. Text cells that a spreadsheet would run as a
// formula (=, +, -, @ first) get a leading apostrophe.

#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/report/ReportData.hpp"

namespace meridian::report {

struct CaseRow {
  std::string caseId;  // a path, a project case name, ...
  Prediction prediction;
  std::string label;  // the reviewer's (or reference) label; empty: none yet
  Review review;
};

/// The CSV text. Every row's prediction must be valid and have the same labels in the same
/// order (they are the columns).
core::Result<std::string> predictionsCsv(const std::vector<CaseRow>& rows);

/// predictionsCsv() written to `output` (temporary file, then rename) if `policy` allows it.
core::Status writePredictionsCsv(const std::vector<CaseRow>& rows, const std::filesystem::path& output,
                                 const core::OutputPolicy& policy = {});

}  // namespace meridian::report
