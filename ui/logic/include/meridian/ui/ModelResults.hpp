#pragma once
// The model panel's Qt-free logic: the results table's rows (the newest stored prediction of
// each case, read from the project without loading the model), their order when sorted by a
// label's probability, the card as text, which slice a click on the per-slice curve means,
// and which devices the preferences offer. ModelPanel (Qt) only shows what these return.

#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectRecords.hpp"
#include "meridian/service/ModelService.hpp"

namespace meridian::project {
class ProjectStore;
}

namespace meridian::ui {

struct ResultRow {
  project::CaseId caseId = 0;
  std::string caseName;  // file or series name
  project::CaseKind kind = project::CaseKind::Image;
  service::CasePrediction prediction;  // the newest stored inference
};

/// One row per case that has a stored inference, in the project's case order. Damaged
/// records are skipped and counted in `damaged` (when given).
core::Result<std::vector<ResultRow>> resultRows(const project::ProjectStore& store, int* damaged = nullptr);

/// The probability a row gives `label` (0 when its model has no such label).
float probabilityOf(const ResultRow& row, const std::string& label);

/// Sorts by `label`'s probability ("" = each row's top probability), highest first unless
/// `ascending`; ties keep case order.
void sortRows(std::vector<ResultRow>& rows, const std::string& label, bool ascending = false);

/// Every label any row has, in first-seen order (the table's probability columns).
std::vector<std::string> labelColumns(const std::vector<ResultRow>& rows);

/// The card as plain lines for the panel: name, "research use only", labels, weights, input,
/// training, metrics ("test_auroc 0.433 [0.410, 0.457]"), notes.
std::vector<std::string> cardLines(const service::ModelCardView& card);
/// "0.433 [0.410, 0.457]" (or just the value when the metric has no interval).
std::string formatMetric(const service::CardMetric& metric);

/// The axial slice a click at curve position `x` (slice units) means: rounded, clamped to
/// 0..slices-1; nullopt for an empty curve.
std::optional<int> sliceAtCurvePosition(double x, int slices);

/// What the preferences offer: "cpu" always, "cuda" and "cuda:N" only where LibTorch has
/// CUDA and GPUs; bf16 only where the CPU (or a GPU) has it; `note` says why not.
struct DeviceOffer {
  std::vector<std::string> devices;
  bool bf16 = false;
  std::string note;
};
DeviceOffer deviceOffer(const service::RuntimeCapabilities& capabilities);

}  // namespace meridian::ui
