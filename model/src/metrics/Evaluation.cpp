#include "meridian/model/metrics/Evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace meridian::model::metrics {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double orNaN(const core::Result<double>& value) {
  return value ? value.value() : kNaN;
}

/// All statistics of one set of rows, in a fixed order: auroc, auprc, accuracy, ece,
/// [sensitivity, specificity at the threshold], then per class auroc, auprc, recall, specificity.
std::vector<double> statisticsOf(const ScoreRows& p, const std::vector<int>& y, int classes,
                                 const EvaluationOptions& options) {
  std::vector<double> out{orNaN(macroAuroc(p, y)), orNaN(macroAveragePrecision(p, y)), orNaN(accuracy(p, y)),
                          orNaN(expectedCalibrationError(p, y, options.calibrationBins))};
  if (classes == 2) {
    auto point = operatingPoint(column(p, 1), y, options.threshold, 1);
    out.push_back(point ? point.value().sensitivity : kNaN);
    out.push_back(point ? point.value().specificity : kNaN);
  }
  const auto predicted = argmaxRows(p);
  for (int c = 0; c < classes; ++c) {
    const auto scores = column(p, c);
    out.push_back(orNaN(binaryAuroc(scores, y, c)));
    out.push_back(orNaN(averagePrecision(scores, y, c)));
    double tp = 0, fn = 0, tn = 0, fp = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const bool called = predicted[i] == c;
      if (y[i] == c)
        (called ? tp : fn) += 1;
      else
        (called ? fp : tn) += 1;
    }
    out.push_back(tp + fn > 0 ? tp / (tp + fn) : kNaN);
    out.push_back(tn + fp > 0 ? tn / (tn + fp) : kNaN);
  }
  return out;
}

}  // namespace

core::Result<EvaluationReport> evaluate(const ScoreRows& probabilities, const std::vector<int>& labels,
                                        const std::vector<std::string>& labelNames, const EvaluationOptions& options) {
  const int classes = static_cast<int>(labelNames.size());
  auto confusion = confusionMatrix(probabilities, labels, classes);
  if (!confusion) return confusion.error();
  for (int c = 0; c < classes; ++c)
    if (std::count(labels.begin(), labels.end(), c) == 0)
      return core::makeError(core::ErrorCode::InvalidArgument,
                             "class '" + labelNames[static_cast<std::size_t>(c)] +
                                 "' does not occur in the evaluation data: AUROC is undefined");

  const auto point = statisticsOf(probabilities, labels, classes, options);
  for (std::size_t i = 0; i < 3; ++i)
    if (std::isnan(point[i]))
      return core::makeError(core::ErrorCode::InvalidArgument, "metrics undefined on this data");

  auto intervals = bootstrapIntervals(
      labels,
      [&](const std::vector<std::size_t>& rows) {
        ScoreRows p;
        std::vector<int> y;
        p.reserve(rows.size());
        y.reserve(rows.size());
        for (auto row : rows) {
          p.push_back(probabilities[row]);
          y.push_back(labels[row]);
        }
        return statisticsOf(p, y, classes, options);
      },
      point.size(), options.bootstrap);
  if (!intervals) return intervals.error();
  const auto& ci = intervals.value();
  auto metric = [&](std::size_t i) { return MetricValue{point[i], ci[i].low, ci[i].high}; };

  EvaluationReport report;
  report.n = labels.size();
  report.labels = labelNames;
  report.auroc = metric(0);
  report.auprc = metric(1);
  report.accuracy = metric(2);
  report.calibrationError = metric(3);
  report.confusion = confusion.value();
  report.bootstrap = options.bootstrap;
  std::size_t next = 4;
  if (classes == 2) {
    report.hasOperatingPoint = true;
    report.threshold = options.threshold;
    report.sensitivity = metric(next++);
    report.specificity = metric(next++);
  }
  for (int c = 0; c < classes; ++c) {
    ClassReport entry;
    entry.label = labelNames[static_cast<std::size_t>(c)];
    entry.count = static_cast<std::size_t>(std::count(labels.begin(), labels.end(), c));
    entry.auroc = metric(next++);
    entry.auprc = metric(next++);
    entry.sensitivity = metric(next++);
    entry.specificity = metric(next++);
    report.perClass.push_back(entry);
  }
  return report;
}

std::map<std::string, MetricValue> cardMetrics(const EvaluationReport& report) {
  std::map<std::string, MetricValue> out{{"auroc", report.auroc},
                                         {"auprc", report.auprc},
                                         {"accuracy", report.accuracy},
                                         {"calibration_error", report.calibrationError}};
  if (report.hasOperatingPoint) {
    out["sensitivity"] = report.sensitivity;
    out["specificity"] = report.specificity;
  }
  out["n"] = MetricValue{static_cast<double>(report.n), static_cast<double>(report.n), static_cast<double>(report.n)};
  return out;
}

}  // namespace meridian::model::metrics
