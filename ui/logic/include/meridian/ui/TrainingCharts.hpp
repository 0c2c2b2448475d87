#pragma once
// What the training panel's charts draw (Qt-free): series, axis ranges and titles made
// from the epoch records and the training result (model/service's ProjectTraining.hpp
// structs), so the Qt part only copies points into Qt Charts.

#include <string>
#include <vector>

#include "meridian/service/ProjectTraining.hpp"

namespace meridian::ui {

struct ChartPoint {
  double x = 0.0;
  double y = 0.0;
};

/// Loss and validation AUROC against the epoch (x = epoch). Non-finite values are left out
/// (kNN and prototype have no loss). The loss axis runs from 0 to a little above the largest
/// loss; the AUROC axis is always 0..1 with 0.5 (chance) drawn as a line.
struct EpochCharts {
  std::vector<ChartPoint> loss;
  std::vector<ChartPoint> auroc;
  double epochMax = 1.0;  // the x axis: 1 .. the planned epochs (at least the last seen)
  double lossMax = 1.0;
  std::string caption;  // "epoch 3 of 10: loss 0.412, validation AUROC 0.871"
};
EpochCharts epochCharts(const std::vector<model::EpochRecord>& epochs);

/// One class's ROC (x = FPR, y = TPR) with the band as two lines over the same grid, the
/// chance diagonal, and a title with the AUROC and its interval when the report has it.
struct RocChart {
  std::vector<ChartPoint> curve;
  std::vector<ChartPoint> bandLow, bandHigh;
  std::vector<ChartPoint> chance{{0.0, 0.0}, {1.0, 1.0}};
  std::string title;  // "ROC: CT vs rest · AUROC 0.94 (95% CI 0.80–1.00), 12 held out"
};
/// Empty `title` and no points when the result has no ROC (DINO).
RocChart rocChart(const service::TrainingResult& result, std::size_t classIndex = 0);

/// The confusion matrix as cells (row = true class, column = predicted), with the count
/// and its share of the true class (what the cell's shade shows).
struct ConfusionCell {
  std::size_t row = 0, column = 0;
  long long count = 0;
  double rowShare = 0.0;  // count / cases of the row's class (0 for an empty row)
  std::string text;       // "5 (83%)"
};
struct ConfusionChart {
  std::vector<std::string> classes;
  std::vector<ConfusionCell> cells;  // row-major
  std::string title;                 // "Confusion (held out, argmax): accuracy 0.83"
};
ConfusionChart confusionChart(const service::TrainingResult& result);

/// Reliability: (mean confidence, accuracy) of each non-empty bin, the counts, the diagonal.
struct CalibrationChart {
  std::vector<ChartPoint> points;
  std::vector<std::size_t> counts;  // per point
  std::vector<ChartPoint> diagonal{{0.0, 0.0}, {1.0, 1.0}};
  std::string title;  // "Calibration: ECE 0.08 (15 bins)"
};
CalibrationChart calibrationChart(const service::TrainingResult& result);

/// The split as a table's rows: "class · training · held out", then "patients" and "cases".
std::vector<std::vector<std::string>> splitTable(const service::SplitPreview& split);

}  // namespace meridian::ui
