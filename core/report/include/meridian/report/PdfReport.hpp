#pragma once
// The reviewer's PDF report, drawn with cairo's PDF surface (Qt-free: the CLI and the window
// share it): the study header (or "de-identified"), key images with their overlay and a colour
// bar, the predictions with probabilities, measurements, the model card summary, the review,
// and "research use only" on every page. Plain-struct input; no model code here.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/core/JobControl.hpp"
#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/report/ReportData.hpp"

namespace meridian::report {

/// An image shown in the report, with the map that explains the prediction over it.
struct KeyImage {
  core::Image2D image;                   // any pixel type; shown with its default window
  std::optional<core::Heatmap> overlay;  // e.g. an attention map, in image pixel geometry
  core::ColorMap colors = core::ColorMap::Jet;
  double opacity = 0.5;
  std::string caption;       // "CT abdomen, slice 101 of 256"
  std::string overlayLabel;  // "attention (last layer, mean of heads)"
};

struct PdfReportInput {
  std::string title = "Meridian report";
  std::string generatedUtc;  // ISO 8601; empty: now
  StudyHeader study;
  std::vector<KeyImage> keyImages;
  Prediction prediction;
  std::vector<Measurement> measurements;
  ModelCardSummary modelCard;
  Review review;  // empty reviewer: "not reviewed"
};

/// Writes the report to `output` (temporary file, then rename) if `policy` allows it. Fails with
/// InvalidArgument for a prediction validatePrediction() refuses or a malformed key image or
/// overlay.
core::Status writePdfReport(const PdfReportInput& input, const std::filesystem::path& output,
                            const core::OutputPolicy& policy = {});

/// Several cases in one PDF, each from a page of its own (page numbers run on through the file).
/// `job`: progress per case, and cancel (nothing is written then).
core::Status writePdfReports(const std::vector<PdfReportInput>& inputs, const std::filesystem::path& output,
                             const core::OutputPolicy& policy = {}, const core::JobControl* job = nullptr);

}  // namespace meridian::report
