#include "meridian/report/PredictionsCsv.hpp"

#include <cstdio>

#include "meridian/core/AtomicFile.hpp"

namespace meridian::report {
using core::ErrorCode;
using core::makeError;

namespace {

/// One text cell: quoted when it holds a comma, quote or line break (quotes doubled), and
/// defused when a spreadsheet would read it as a formula.
std::string cell(const std::string& text) {
  std::string value = text;
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@')) value = "'" + value;
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace

core::Result<std::string> predictionsCsv(const std::vector<CaseRow>& rows) {
  if (rows.empty()) return makeError(ErrorCode::InvalidArgument, "no predictions to export");
  const std::vector<std::string>& labels = rows.front().prediction.labels;
  std::string csv = "case,model,weights_sha256,predicted_label";
  for (const auto& l : labels) csv += "," + cell("p_" + l);
  csv += ",label,reviewer,decision,time_utc\r\n";
  for (const auto& row : rows) {
    if (auto valid = validatePrediction(row.prediction); !valid)
      return makeError(ErrorCode::InvalidArgument, row.caseId + ": " + valid.error().message);
    if (row.prediction.labels != labels)
      return makeError(ErrorCode::InvalidArgument, row.caseId +
                                                       ": its labels differ from the first case's; one CSV holds one "
                                                       "label set (export each model's cases separately)");
    const Prediction& p = row.prediction;
    csv += cell(row.caseId) + "," + cell(p.modelName) + "," + cell(p.weightsSha256) + "," +
           cell(p.labels[topLabelIndex(p)]);
    for (double probability : p.probabilities) csv += "," + number(probability);
    csv += "," + cell(row.label) + "," + cell(row.review.reviewer) + "," + cell(row.review.decision) + "," +
           cell(row.review.timeUtc) + "\r\n";
  }
  return csv;
}

core::Status writePredictionsCsv(const std::vector<CaseRow>& rows, const std::filesystem::path& output,
                                 const core::OutputPolicy& policy) {
  auto csv = predictionsCsv(rows);
  if (!csv) return csv.error();
  return core::writeFileAtomically(output, csv.value(), policy);
}

}  // namespace meridian::report
