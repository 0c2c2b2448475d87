#include "meridian/ui/TrainingCharts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace meridian::ui {

namespace {

std::string fixed(double value, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

}  // namespace

EpochCharts epochCharts(const std::vector<model::EpochRecord>& epochs) {
  EpochCharts out;
  double lossMax = 0.0;
  for (const auto& e : epochs) {
    const double x = static_cast<double>(e.epoch);
    out.epochMax = std::max({out.epochMax, x, static_cast<double>(e.epochs)});
    if (std::isfinite(e.trainingLoss)) {
      out.loss.push_back({x, e.trainingLoss});
      lossMax = std::max(lossMax, e.trainingLoss);
    }
    if (std::isfinite(e.validationAuroc)) out.auroc.push_back({x, e.validationAuroc});
  }
  out.lossMax = lossMax > 0.0 ? lossMax * 1.1 : 1.0;
  if (!epochs.empty()) {
    const auto& last = epochs.back();
    out.caption = "epoch " + std::to_string(last.epoch) + " of " + std::to_string(last.epochs);
    if (std::isfinite(last.trainingLoss)) out.caption += ": loss " + fixed(last.trainingLoss, 3);
    if (std::isfinite(last.validationAuroc))
      out.caption += std::string(std::isfinite(last.trainingLoss) ? ", " : ": ") + "validation AUROC " +
                     fixed(last.validationAuroc, 3);
  }
  return out;
}

RocChart rocChart(const service::TrainingResult& result, std::size_t classIndex) {
  RocChart out;
  if (classIndex >= result.roc.size()) return out;
  const auto& roc = result.roc[classIndex];
  for (const auto& p : roc.curve) out.curve.push_back({p.falsePositiveRate, p.truePositiveRate});
  for (std::size_t g = 0; g < roc.band.falsePositiveRate.size() && g < roc.band.low.size() && g < roc.band.high.size(); ++g) {
    out.bandLow.push_back({roc.band.falsePositiveRate[g], roc.band.low[g]});
    out.bandHigh.push_back({roc.band.falsePositiveRate[g], roc.band.high[g]});
  }
  out.title = "ROC: " + roc.label + " vs rest · AUROC " + fixed(roc.auroc, 2);
  if (result.heldOut) {
    // The report's per-class interval for this label (binary: the headline one, same number).
    const auto& h = *result.heldOut;
    const model::MetricValue* ci = h.labels.size() == 2 ? &h.auroc : nullptr;
    for (const auto& c : h.perClass)
      if (!ci && c.label == roc.label) ci = &c.auroc;
    if (ci) out.title += " (95% CI " + fixed(ci->ciLow, 2) + "–" + fixed(ci->ciHigh, 2) + ")";
    out.title += ", " + std::to_string(h.n) + " held out";
  }
  return out;
}

ConfusionChart confusionChart(const service::TrainingResult& result) {
  ConfusionChart out;
  if (!result.heldOut) return out;
  const auto& h = *result.heldOut;
  out.classes = h.labels;
  for (std::size_t r = 0; r < h.confusion.size(); ++r) {
    long long rowTotal = 0;
    for (auto count : h.confusion[r]) rowTotal += count;
    for (std::size_t c = 0; c < h.confusion[r].size(); ++c) {
      ConfusionCell cell;
      cell.row = r;
      cell.column = c;
      cell.count = h.confusion[r][c];
      cell.rowShare = rowTotal > 0 ? static_cast<double>(cell.count) / static_cast<double>(rowTotal) : 0.0;
      cell.text = std::to_string(cell.count) + " (" + std::to_string(static_cast<int>(std::lround(cell.rowShare * 100))) + "%)";
      out.cells.push_back(cell);
    }
  }
  out.title = "Confusion (held out, rows = true class): accuracy " + fixed(h.accuracy.value, 2);
  return out;
}

CalibrationChart calibrationChart(const service::TrainingResult& result) {
  CalibrationChart out;
  for (const auto& bin : result.calibration) {
    if (bin.count == 0) continue;
    out.points.push_back({bin.meanConfidence, bin.accuracy});
    out.counts.push_back(bin.count);
  }
  if (!result.calibration.empty()) {
    out.title = "Calibration (" + std::to_string(result.calibration.size()) + " bins)";
    if (result.heldOut) out.title += ": ECE " + fixed(result.heldOut->calibrationError.value, 3);
  }
  return out;
}

std::vector<std::vector<std::string>> splitTable(const service::SplitPreview& split) {
  std::vector<std::vector<std::string>> rows;
  auto at = [](const std::vector<std::size_t>& v, std::size_t i) { return i < v.size() ? v[i] : std::size_t{0}; };
  for (std::size_t c = 0; c < split.classes.size(); ++c)
    rows.push_back({split.classes[c], std::to_string(at(split.train.perClass, c)), std::to_string(at(split.heldOut.perClass, c))});
  rows.push_back({"cases", std::to_string(split.train.cases), std::to_string(split.heldOut.cases)});
  rows.push_back({"patients", std::to_string(split.train.patients), std::to_string(split.heldOut.patients)});
  return rows;
}

}  // namespace meridian::ui
