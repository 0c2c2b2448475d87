#include "TrainingResultJson.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "meridian/core/AtomicFile.hpp"

namespace meridian::service {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// JSON has no NaN or infinity: they are written as null and read back as NaN / +inf.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double numberFrom(const json& j, double missing = std::numeric_limits<double>::quiet_NaN()) {
  return j.is_number() ? j.get<double>() : missing;
}

json metricJson(const model::MetricValue& m) { return {number(m.value), number(m.ciLow), number(m.ciHigh)}; }
model::MetricValue metricFrom(const json& j) {
  if (!j.is_array() || j.size() != 3) return {};
  return {numberFrom(j[0]), numberFrom(j[1]), numberFrom(j[2])};
}

json partJson(const SplitPart& p) { return {{"per_class", p.perClass}, {"cases", p.cases}, {"patients", p.patients}}; }
SplitPart partFrom(const json& j) {
  SplitPart p;
  p.perClass = j.value("per_class", std::vector<std::size_t>{});
  p.cases = j.value("cases", std::size_t{0});
  p.patients = j.value("patients", std::size_t{0});
  return p;
}

}  // namespace

core::Status writeTrainingResult(const TrainingResult& r, const fs::path& file) {
  json out{{"format", "meridian-training-result"},
           {"format_version", 1},
           {"method", r.method},
           {"model_folder", r.relativeFolder},
           {"note", r.note},
           {"split", {{"classes", r.split.classes}, {"train", partJson(r.split.train)}, {"held_out", partJson(r.split.heldOut)}}}};
  auto& epochs = out["epochs"] = json::array();
  for (const auto& e : r.epochs)
    epochs.push_back({{"epoch", e.epoch}, {"epochs", e.epochs}, {"loss", number(e.trainingLoss)},
                      {"validation_auroc", number(e.validationAuroc)}, {"validation_images", e.validationImages}});
  if (r.heldOut) {
    const auto& h = *r.heldOut;
    out["held_out"] = {{"n", h.n},
                       {"labels", h.labels},
                       {"auroc", metricJson(h.auroc)},
                       {"auprc", metricJson(h.auprc)},
                       {"accuracy", metricJson(h.accuracy)},
                       {"calibration_error", metricJson(h.calibrationError)},
                       {"confusion", h.confusion}};
  }
  auto& roc = out["roc"] = json::array();
  for (const auto& c : r.roc) {
    json points = json::array();
    for (const auto& p : c.curve) points.push_back({p.falsePositiveRate, p.truePositiveRate, number(p.threshold)});
    roc.push_back({{"label", c.label},
                   {"auroc", c.auroc},
                   {"points", points},
                   {"band", {{"fpr", c.band.falsePositiveRate}, {"low", c.band.low}, {"high", c.band.high}}}});
  }
  auto& calibration = out["calibration"] = json::array();
  for (const auto& b : r.calibration)
    calibration.push_back({{"low", b.low}, {"high", b.high}, {"count", b.count}, {"confidence", b.meanConfidence},
                           {"accuracy", b.accuracy}});
  return core::writeFileAtomically(file, out.dump(1));
}

core::Result<TrainingResult> readTrainingResultFile(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return core::makeError(core::ErrorCode::NotFound, file.string() + " is missing: the folder was not made by project training");
  std::stringstream text;
  text << in.rdbuf();
  const auto j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != "meridian-training-result")
    return core::makeError(core::ErrorCode::Corrupt, file.string() + " is not a training result Meridian wrote");
  try {
    TrainingResult r;
    r.method = j.value("method", "");
    r.relativeFolder = j.value("model_folder", "");
    r.modelFolder = file.parent_path();
    r.note = j.value("note", "");
    const auto& split = j.at("split");
    r.split.classes = split.value("classes", std::vector<std::string>{});
    r.split.train = partFrom(split.at("train"));
    r.split.heldOut = partFrom(split.at("held_out"));
    for (const auto& e : j.at("epochs"))
      r.epochs.push_back({e.at("epoch").get<int>(), e.at("epochs").get<int>(), numberFrom(e.at("loss")),
                          numberFrom(e.at("validation_auroc")), e.at("validation_images").get<std::size_t>()});
    if (j.contains("held_out")) {
      const auto& h = j["held_out"];
      model::metrics::EvaluationReport report;
      report.n = h.at("n").get<std::size_t>();
      report.labels = h.at("labels").get<std::vector<std::string>>();
      report.auroc = metricFrom(h.at("auroc"));
      report.auprc = metricFrom(h.at("auprc"));
      report.accuracy = metricFrom(h.at("accuracy"));
      report.calibrationError = metricFrom(h.at("calibration_error"));
      report.confusion = h.at("confusion").get<model::metrics::ConfusionMatrix>();
      r.heldOut = report;
    }
    for (const auto& c : j.at("roc")) {
      ClassRoc roc;
      roc.label = c.at("label").get<std::string>();
      roc.auroc = c.at("auroc").get<double>();
      for (const auto& p : c.at("points"))
        roc.curve.push_back({p.at(0).get<double>(), p.at(1).get<double>(),
                             numberFrom(p.at(2), std::numeric_limits<double>::infinity())});
      roc.band.falsePositiveRate = c.at("band").at("fpr").get<std::vector<double>>();
      roc.band.low = c.at("band").at("low").get<std::vector<double>>();
      roc.band.high = c.at("band").at("high").get<std::vector<double>>();
      r.roc.push_back(std::move(roc));
    }
    for (const auto& b : j.at("calibration"))
      r.calibration.push_back({b.at("low").get<double>(), b.at("high").get<double>(), b.at("count").get<std::size_t>(),
                               b.at("confidence").get<double>(), b.at("accuracy").get<double>()});
    return r;
  } catch (const json::exception& e) {
    return core::makeError(core::ErrorCode::Corrupt, file.string() + ": " + e.what());
  }
}

core::Result<TrainingResult> readTrainingResult(const fs::path& modelFolder) {
  return readTrainingResultFile(modelFolder / kTrainingResultFile);
}

}  // namespace meridian::service
