#include "meridian/report/PdfReport.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <sstream>
#include <string>

#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/DisplayMapping.hpp"

namespace meridian::report {
using core::ErrorCode;
using core::makeError;

namespace {

// A4 portrait in PostScript points, with 42 pt margins.
constexpr double kPageWidth = 595.0, kPageHeight = 842.0, kMargin = 42.0;
constexpr double kContentWidth = kPageWidth - 2 * kMargin;
constexpr double kFooterTop = kPageHeight - kMargin + 10;
constexpr const char* kSans = "DejaVu Sans";
constexpr const char* kMono = "DejaVu Sans Mono";
constexpr const char* kResearchOnly = "Research use only. Not for clinical diagnosis.";

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string nowUtc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

/// YYYYMMDD -> YYYY-MM-DD for people; anything else as it is.
std::string readableDate(const std::string& da) {
  if (da.size() != 8) return da;
  return da.substr(0, 4) + "-" + da.substr(4, 2) + "-" + da.substr(6, 2);
}

std::string orDash(const std::string& s) {
  return s.empty() ? "-" : s;
}

struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};

cairo_status_t appendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

/// A top-to-bottom page layout: a cursor, text with wrapping, and a new page (with the
/// research-use footer) when the next block does not fit.
class Page {
 public:
  Page(cairo_t* cr, std::string title, int pagesBefore = 0)
      : cr_(cr), title_(std::move(title)), page_(pagesBefore) {
    startPage();
  }
  int pageNumber() const { return page_; }

  double y() const { return y_; }
  void skip(double dy) { y_ += dy; }

  void ensure(double height) {
    if (y_ + height <= kFooterTop - 16) return;
    finishPage();
    cairo_show_page(cr_);
    startPage();
  }

  void font(const char* face, double size, bool bold = false) {
    cairo_select_font_face(cr_, face, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, size);
    size_ = size;
  }
  void color(double r, double g, double b) { cairo_set_source_rgb(cr_, r, g, b); }

  double width(const std::string& text) const {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, text.c_str(), &e);
    return e.x_advance;
  }

  /// One line at x (relative to the left margin), baseline at the cursor + size.
  void text(double x, const std::string& s) {
    cairo_move_to(cr_, kMargin + x, y_ + size_);
    cairo_show_text(cr_, s.c_str());
  }
  void line(double x, const std::string& s) {
    ensure(size_ * 1.38);
    text(x, s);
    y_ += size_ * 1.38;
  }
  /// Text wrapped at word boundaries into `maxWidth`.
  void paragraph(double x, const std::string& s, double maxWidth) {
    std::istringstream words(s);
    std::string word, current;
    while (words >> word) {
      const std::string candidate = current.empty() ? word : current + " " + word;
      if (!current.empty() && width(candidate) > maxWidth) {
        line(x, current);
        current = word;
      } else {
        current = candidate;
      }
    }
    if (!current.empty()) line(x, current);
  }
  /// "Label: value" with the label in grey, the value in black.
  void field(double x, const std::string& label, const std::string& value, double labelWidth = 110) {
    ensure(size_ * 1.38 * 2);
    color(0.35, 0.35, 0.35);
    text(x, label);
    // A label wider than its column (a long metric name) gets a line of its own: drawn beside
    // it, the value would be written over the label's end.
    if (width(label) > labelWidth - 6) y_ += size_ * 1.38;
    color(0, 0, 0);
    text(x + labelWidth, value);
    y_ += size_ * 1.38;
  }
  /// "Label: value" with the value in a small monospace face (UIDs, digests).
  void monoField(double x, const std::string& label, const std::string& value, double labelWidth = 110) {
    ensure(size_ * 1.38);
    const double baseSize = size_;
    color(0.35, 0.35, 0.35);
    text(x, label);
    font(kMono, 8);
    color(0, 0, 0);
    cairo_move_to(cr_, kMargin + x + labelWidth, y_ + baseSize);
    cairo_show_text(cr_, value.c_str());
    font(kSans, baseSize);
    y_ += baseSize * 1.38;
  }
  /// "Label: text" with the text wrapped beside the label.
  void paragraphField(double x, const std::string& label, const std::string& value, double labelWidth = 110) {
    ensure(size_ * 1.38);
    color(0.35, 0.35, 0.35);
    text(x, label);
    color(0, 0, 0);
    paragraph(x + labelWidth, value, kContentWidth - x - labelWidth);
  }
  void heading(const std::string& s) {
    ensure(40);
    y_ += 5;
    font(kSans, 12, true);
    color(0.1, 0.2, 0.45);
    text(0, s);
    y_ += 15;
    cairo_set_line_width(cr_, 0.6);
    cairo_move_to(cr_, kMargin, y_);
    cairo_line_to(cr_, kMargin + kContentWidth, y_);
    cairo_stroke(cr_);
    y_ += 5;
    color(0, 0, 0);
    font(kSans, 9.5);
  }

  void finishPage() {
    font(kSans, 8.5, true);
    color(0.75, 0.1, 0.1);
    cairo_move_to(cr_, kMargin, kPageHeight - kMargin + 22);
    cairo_show_text(cr_, kResearchOnly);
    font(kSans, 8.5);
    color(0.35, 0.35, 0.35);
    const std::string number = "Page " + std::to_string(page_);
    cairo_move_to(cr_, kMargin + kContentWidth - width(number), kPageHeight - kMargin + 22);
    cairo_show_text(cr_, number.c_str());
    color(0, 0, 0);
  }

  cairo_t* cr() const { return cr_; }

 private:
  void startPage() {
    ++page_;
    y_ = kMargin;
    font(kSans, 16, true);
    color(0, 0, 0);
    text(0, title_);
    font(kSans, 9, true);
    color(0.75, 0.1, 0.1);
    const std::string banner = "RESEARCH USE ONLY";
    text(kContentWidth - width(banner), banner);
    y_ += 26;
    color(0, 0, 0);
    font(kSans, 9.5);
  }

  cairo_t* cr_;
  std::string title_;
  double y_ = kMargin;
  double size_ = 9.5;
  int page_ = 0;
};

/// The key image as a cairo RGB surface: windowed, blended with its overlay, at most 512 px a side.
core::Result<std::unique_ptr<cairo_surface_t, CairoDeleter>> imageSurface(const KeyImage& key) {
  if (key.image.empty() || key.image.width() <= 0 || key.image.height() <= 0)
    return makeError(ErrorCode::InvalidArgument, "a key image is empty");
  core::Image2D shown = core::applyWindow(key.image, core::defaultWindow(key.image));
  if (key.overlay) {
    auto blended = core::renderHeatmapOverlay(key.image, *key.overlay, key.opacity, key.colors);
    if (!blended)
      return makeError(ErrorCode::InvalidArgument, "key image '" + key.caption + "': " + blended.error().message);
    shown = std::move(blended).value();
  }
  shown = core::downsampleToFit(shown, 512);
  std::unique_ptr<cairo_surface_t, CairoDeleter> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, shown.width(), shown.height()));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    return makeError(ErrorCode::Internal, "cairo cannot make an image surface");
  cairo_surface_flush(surface.get());
  unsigned char* dst = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  const int channels = shown.channels();
  const auto* src = shown.pixels<std::uint8_t>();
  for (int y = 0; y < shown.height(); ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(dst + static_cast<std::ptrdiff_t>(y) * stride);
    for (int x = 0; x < shown.width(); ++x) {
      const std::uint8_t* p = src + (static_cast<std::size_t>(y) * shown.width() + x) * channels;
      const std::uint32_t r = p[0], g = channels >= 3 ? p[1] : p[0], b = channels >= 3 ? p[2] : p[0];
      row[x] = (r << 16) | (g << 8) | b;
    }
  }
  cairo_surface_mark_dirty(surface.get());
  return surface;
}

core::Status drawKeyImage(Page& page, const KeyImage& key) {
  auto surface = imageSurface(key);
  if (!surface) return surface.error();
  cairo_surface_t* s = surface.value().get();
  const double w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const double boxWidth = 300, boxHeight = 220;
  const double scale = std::min(boxWidth / w, boxHeight / h);
  const double shownW = w * scale, shownH = h * scale;
  page.ensure(shownH + 30);
  cairo_t* cr = page.cr();
  const double top = page.y();
  cairo_save(cr);
  cairo_translate(cr, kMargin, top);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, s, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
  cairo_paint(cr);
  cairo_restore(cr);
  if (key.overlay) {
    // The colour bar: the overlay's colours from low (bottom) to high (top), beside the image.
    const double barX = kMargin + shownW + 14, barW = 14, barH = std::min(shownH, 200.0);
    constexpr int kSteps = 64;
    for (int i = 0; i < kSteps; ++i) {
      const auto rgb = core::colorAt(key.colors, (i + 0.5) / kSteps);
      cairo_set_source_rgb(cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
      const double y0 = top + barH - (i + 1) * barH / kSteps;
      cairo_rectangle(cr, barX, y0, barW, barH / kSteps + 0.5);
      cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, barX, top, barW, barH);
    cairo_stroke(cr);
    page.font(kSans, 8);
    const double labelX = barX + barW + 4;
    cairo_move_to(cr, labelX, top + 8);
    cairo_show_text(cr, "high");
    cairo_move_to(cr, labelX, top + barH);
    cairo_show_text(cr, "low");
    // The overlay's name, wrapped into the space right of the bar, half way down.
    std::istringstream words(key.overlayLabel.empty() ? std::string("overlay") : key.overlayLabel);
    std::string word, current;
    double lineY = top + barH / 2;
    const double room = kMargin + kContentWidth - labelX;
    while (words >> word) {
      const std::string candidate = current.empty() ? word : current + " " + word;
      if (!current.empty() && page.width(candidate) > room) {
        cairo_move_to(cr, labelX, lineY);
        cairo_show_text(cr, current.c_str());
        lineY += 10;
        current = word;
      } else {
        current = candidate;
      }
    }
    cairo_move_to(cr, labelX, lineY);
    cairo_show_text(cr, current.c_str());
  }
  page.skip(shownH + 4);
  page.font(kSans, 8.5);
  page.color(0.3, 0.3, 0.3);
  if (!key.caption.empty()) page.paragraph(0, key.caption, kContentWidth);
  page.color(0, 0, 0);
  page.font(kSans, 9.5);
  page.skip(4);
  return core::Ok{};
}

void drawPredictions(Page& page, const Prediction& p) {
  const std::size_t top = topLabelIndex(p);
  page.font(kSans, 9.5, true);
  page.field(0, "Model", p.modelName, 80);
  page.font(kSans, 9.5);
  for (std::size_t i = 0; i < p.labels.size(); ++i) {
    page.ensure(16);
    cairo_t* cr = page.cr();
    const double y = page.y();
    page.font(kSans, 9.5, i == top);
    page.text(0, p.labels[i]);
    page.text(190, fixed(p.probabilities[i], 4));
    // A bar for the probability: reading 0.87 and 0.08 side by side is quicker as lengths.
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.9);
    cairo_rectangle(cr, kMargin + 245, y + 2, 200, 9);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, i == top ? 0.15 : 0.45, i == top ? 0.35 : 0.55, i == top ? 0.75 : 0.75);
    cairo_rectangle(cr, kMargin + 245, y + 2, 200 * p.probabilities[i], 9);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    page.skip(15);
  }
  page.font(kSans, 9.5);
}


/// Draws one case's report from a fresh page on; returns the number of the last page drawn.
core::Result<int> drawReport(cairo_t* cr, const PdfReportInput& in, int pagesBefore) {
  Page page(cr, in.title, pagesBefore);

  page.font(kSans, 8.5);
  page.color(0.3, 0.3, 0.3);
  page.line(0, "Generated " + (in.generatedUtc.empty() ? nowUtc() : in.generatedUtc) + " by Meridian");
  page.color(0, 0, 0);

  page.heading("Study");
  const StudyHeader& s = in.study;
  if (s.deidentified) {
    page.field(0, "Patient", "de-identified (no patient attributes in this report)");
  } else {
    page.field(0, "Patient", orDash(s.patientName));
    page.field(0, "Patient ID", orDash(s.patientId));
    page.field(0, "Birth date, sex", readableDate(orDash(s.patientBirthDate)) + ", " + orDash(s.patientSex));
    page.field(0, "Accession", orDash(s.accessionNumber));
    page.font(kSans, 9.5, true);
    page.color(0.75, 0.1, 0.1);
    page.line(0, "Not de-identified: this report identifies the patient.");
    page.font(kSans, 9.5);
    page.color(0, 0, 0);
  }
  page.field(0, "Study", orDash(s.studyDescription) + (s.modality.empty() ? "" : " (" + s.modality + ")"));
  page.field(0, "Study date", readableDate(orDash(s.studyDate)));
  page.monoField(0, "Study UID", orDash(s.studyInstanceUid));

  if (!in.keyImages.empty()) {
    page.heading(in.keyImages.size() == 1 ? "Key image" : "Key images");
    for (const auto& key : in.keyImages)
      if (auto drawn = drawKeyImage(page, key); !drawn) return drawn.error();
  }

  page.heading("Predictions");
  drawPredictions(page, in.prediction);

  if (!in.measurements.empty()) {
    page.heading("Measurements");
    for (const auto& m : in.measurements)
      page.field(0, m.name, fixed(m.value, 2) + (m.unit.empty() ? "" : " " + m.unit));
  }

  page.heading("Review");
  if (in.review.reviewer.empty()) {
    page.line(0, "Not reviewed.");
  } else {
    page.field(0, "Reviewer", in.review.reviewer);
    page.font(kSans, 9.5, true);
    page.field(0, "Decision", orDash(in.review.decision));
    page.font(kSans, 9.5);
    page.field(0, "Time (UTC)", orDash(in.review.timeUtc));
  }

  page.heading("Model card");
  const ModelCardSummary& card = in.modelCard;
  page.field(0, "Name", orDash(card.name.empty() ? in.prediction.modelName : card.name));
  page.monoField(0, "Weights SHA-256", card.weightsSha256.empty() ? in.prediction.weightsSha256 : card.weightsSha256);
  if (!card.weightsSha256.empty() && card.weightsSha256 != in.prediction.weightsSha256) {
    page.color(0.75, 0.1, 0.1);
    page.line(
        0, "The prediction was made with other weights (SHA-256 " + in.prediction.weightsSha256.substr(0, 16) + "...)");
    page.color(0, 0, 0);
  }
  page.paragraphField(0, "Training data", orDash(card.trainingData));
  for (const auto& m : card.metrics)
    page.field(0, m.name, fixed(m.value, 3) + " (95% CI " + fixed(m.ciLow, 3) + " to " + fixed(m.ciHigh, 3) + ")");

  page.finishPage();  // the footer: "research use only" on every page, as the banner above
  return page.pageNumber();
}

}  // namespace

core::Status writePdfReport(const PdfReportInput& input, const std::filesystem::path& output,
                            const core::OutputPolicy& policy) {
  return writePdfReports({input}, output, policy);
}

core::Status writePdfReports(const std::vector<PdfReportInput>& inputs, const std::filesystem::path& output,
                             const core::OutputPolicy& policy, const core::JobControl* job) {
  if (inputs.empty()) return makeError(ErrorCode::InvalidArgument, "no case to report");
  for (const auto& in : inputs)
    if (auto valid = validatePrediction(in.prediction); !valid) return valid.error();
  if (auto allowed = core::checkOutputTarget(output, policy); !allowed) return allowed;  // before drawing anything
  std::string pdf;
  std::unique_ptr<cairo_surface_t, CairoDeleter> surface(
      cairo_pdf_surface_create_for_stream(appendToString, &pdf, kPageWidth, kPageHeight));
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, inputs.front().title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Meridian");
  std::unique_ptr<cairo_t, CairoDeleter> cr(cairo_create(surface.get()));
  int pages = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (job && job->cancelled()) return makeError(ErrorCode::Cancelled, "the report was cancelled; nothing was written");
    if (i > 0) cairo_show_page(cr.get());  // each case starts on a page of its own
    auto drawn = drawReport(cr.get(), inputs[i], pages);
    if (!drawn) return drawn.error();
    pages = drawn.value();
    if (job) job->report({"cases", i + 1, inputs.size(), -1, {}});
  }

  cr.reset();
  cairo_surface_finish(surface.get());
  if (const cairo_status_t status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS)
    return makeError(ErrorCode::Internal,
                     std::string("cairo could not draw the report: ") + cairo_status_to_string(status));
  surface.reset();
  return core::writeFileAtomically(output, pdf, policy);
}

}  // namespace meridian::report
