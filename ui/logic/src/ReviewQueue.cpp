#include "meridian/ui/ReviewQueue.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "meridian/project/ProjectStore.hpp"

namespace meridian::ui {
namespace {

using nlohmann::json;

/// The probabilities of an object whose values are all numbers in [0, 1]; nullopt otherwise.
std::optional<std::vector<ClassProbability>> numbersOf(const json& object) {
  if (!object.is_object() || object.empty()) return std::nullopt;
  std::vector<ClassProbability> out;
  for (const auto& [name, value] : object.items()) {
    if (!value.is_number()) return std::nullopt;
    const double p = value.get<double>();
    if (!(p >= 0.0 && p <= 1.0)) return std::nullopt;  // also refuses NaN
    out.push_back({name, p});
  }
  return out;
}

/// The model service's layout: [{"task", "label", "probability"}, ...] in head order; the
/// entries of one task (the top label's, else the first entry's).
std::optional<std::vector<ClassProbability>> entriesOf(const json& array, const json& top) {
  if (!array.is_array() || array.empty() || !array.front().is_object()) return std::nullopt;
  std::string task = array.front().value("task", std::string());
  if (top.is_object() && top.contains("task") && top["task"].is_string()) task = top["task"].get<std::string>();
  std::vector<ClassProbability> out;
  for (const auto& e : array) {
    if (!e.is_object() || !e.contains("label") || !e.contains("probability") || !e["label"].is_string() ||
        !e["probability"].is_number())
      return std::nullopt;
    if (e.value("task", std::string()) != task) continue;
    const double p = e["probability"].get<double>();
    if (!(p >= 0.0 && p <= 1.0)) return std::nullopt;
    out.push_back({e["label"].get<std::string>(), p});
  }
  if (out.empty()) return std::nullopt;
  return out;
}

bool hasLabel(const std::vector<std::string>& labels, const std::string& name) {
  return std::find(labels.begin(), labels.end(), name) != labels.end();
}

ReviewEntry entryOf(const ReviewCandidate& candidate) {
  ReviewEntry e;
  e.candidate = candidate;
  if (!candidate.probabilities.empty()) {
    e.predicted = candidate.probabilities.front().name;
    e.topProbability = candidate.probabilities.front().probability;
  }
  e.margin = topTwoMargin(candidate.probabilities);
  e.entropy = entropy(candidate.probabilities);
  if (!candidate.labels.empty()) {
    e.labelProbability = 0;  // a label the model does not know gets no probability
    for (const auto& p : candidate.probabilities)
      if (hasLabel(candidate.labels, p.name)) e.labelProbability = std::max(e.labelProbability, p.probability);
    e.disagrees = !hasLabel(candidate.labels, e.predicted);
  }
  return e;
}

/// Sorting keys: smaller first. Ties fall to the case id.
int disagreementGroup(const ReviewEntry& e) {
  if (e.candidate.labels.empty()) return 2;
  return e.disagrees ? 0 : 1;
}

bool before(const ReviewEntry& a, const ReviewEntry& b, ReviewOrder order) {
  switch (order) {
    case ReviewOrder::Margin:
      if (a.margin != b.margin) return a.margin < b.margin;
      break;
    case ReviewOrder::Entropy:
      if (a.entropy != b.entropy) return a.entropy > b.entropy;
      break;
    case ReviewOrder::Disagreement: {
      const int ga = disagreementGroup(a), gb = disagreementGroup(b);
      if (ga != gb) return ga < gb;
      if (ga == 2) {
        if (a.margin != b.margin) return a.margin < b.margin;
      } else if (a.labelProbability != b.labelProbability) {
        return a.labelProbability < b.labelProbability;
      }
      break;
    }
  }
  return a.candidate.caseId < b.candidate.caseId;
}

}  // namespace

core::Result<std::vector<ClassProbability>> classProbabilities(const std::string& outputsJson) {
  const json j = json::parse(outputsJson, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return core::makeError(core::ErrorCode::InvalidArgument, "the prediction's outputs are not valid JSON");
  std::optional<std::vector<ClassProbability>> found;
  if (j.is_object()) {
    if (j.contains("probabilities")) {
      found = numbersOf(j["probabilities"]);
      if (!found) found = entriesOf(j["probabilities"], j.contains("top") ? j["top"] : json());
    }
    if (!found && j.contains("outputs") && j["outputs"].is_object())
      for (const auto& [task, labels] : j["outputs"].items())
        if ((found = numbersOf(labels))) break;
    if (!found)
      for (const auto& [key, value] : j.items())
        if ((found = numbersOf(value))) break;
    if (!found) found = numbersOf(j);
  }
  if (!found)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "the prediction holds no class probabilities (numbers between 0 and 1 per class)");
  auto out = std::move(*found);
  std::sort(out.begin(), out.end(), [](const ClassProbability& a, const ClassProbability& b) {
    return a.probability != b.probability ? a.probability > b.probability : a.name < b.name;
  });
  return out;
}

double topTwoMargin(const std::vector<ClassProbability>& probabilities) {
  double first = 0, second = 0;
  for (const auto& p : probabilities) {
    if (p.probability > first) {
      second = first;
      first = p.probability;
    } else if (p.probability > second) {
      second = p.probability;
    }
  }
  return first - second;
}

double entropy(const std::vector<ClassProbability>& probabilities) {
  double sum = 0;
  for (const auto& p : probabilities) sum += p.probability;
  if (sum <= 0) return 0;
  double h = 0;
  for (const auto& p : probabilities) {
    const double q = p.probability / sum;
    if (q > 0) h -= q * std::log(q);
  }
  return h;
}

std::vector<ReviewEntry> orderReviewQueue(const std::vector<ReviewCandidate>& candidates, ReviewOrder order,
                                          bool notYetReviewedOnly) {
  std::vector<ReviewEntry> queue;
  for (const auto& c : candidates)
    if (!notYetReviewedOnly || c.reviews == 0) queue.push_back(entryOf(c));
  std::stable_sort(queue.begin(), queue.end(),
                   [order](const ReviewEntry& a, const ReviewEntry& b) { return before(a, b, order); });
  return queue;
}

core::Result<std::vector<ReviewCandidate>> readReviewCandidates(const project::ProjectStore& store,
                                                                std::size_t* withoutProbabilities) {
  auto cases = store.listCases();
  if (!cases) return cases.error();
  std::vector<ReviewCandidate> out;
  std::size_t without = 0;
  for (const auto& record : cases.value()) {
    auto predictions = store.predictions(record.id);
    if (!predictions) return predictions.error();
    // The latest prediction that holds class probabilities (explanation records and the like
    // are predictions too, without them).
    auto list = std::move(predictions).value();
    std::sort(list.begin(), list.end(), [](const project::Prediction& a, const project::Prediction& b) { return a.id > b.id; });
    const project::Prediction* latest = nullptr;
    std::vector<ClassProbability> probabilities;
    for (const auto& p : list) {
      if (auto read = classProbabilities(p.outputsJson)) {
        latest = &p;
        probabilities = std::move(read).value();
        break;
      }
    }
    if (!latest) {
      ++without;
      continue;
    }
    auto labels = store.labels(record.id);
    if (!labels) return labels.error();
    auto reviews = store.reviews(record.id);
    if (!reviews) return reviews.error();
    out.push_back({record.id, latest->id, std::move(probabilities), std::move(labels).value(),
                   reviews.value().size()});
  }
  if (withoutProbabilities) *withoutProbabilities = without;
  return out;
}

std::string ReviewProgress::text() const {
  return std::to_string(reviewed) + " of " + std::to_string(total) + " reviewed";
}

ReviewProgress reviewProgress(const std::vector<ReviewCandidate>& candidates) {
  ReviewProgress progress;
  progress.total = candidates.size();
  for (const auto& c : candidates) progress.reviewed += c.reviews > 0;
  return progress;
}

std::optional<project::CaseId> caseAfter(const std::vector<ReviewEntry>& queue, std::optional<project::CaseId> current) {
  if (queue.empty()) return std::nullopt;
  const auto it = std::find_if(queue.begin(), queue.end(), [&](const ReviewEntry& e) {
    return current && e.candidate.caseId == *current;
  });
  if (it == queue.end()) return queue.front().candidate.caseId;
  if (std::next(it) == queue.end()) return std::nullopt;
  return std::next(it)->candidate.caseId;
}

std::vector<std::string> correctionChoices(const ReviewEntry& entry, const std::vector<project::LabelClass>& classes) {
  // The project's classes first (its task: keys 1..N name the same class on every case), then
  // the model's classes the project does not have yet.
  std::vector<project::LabelClass> byId = classes;
  std::stable_sort(byId.begin(), byId.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<std::string> choices;
  for (const auto& c : byId) choices.push_back(c.name);
  std::vector<std::string> fromModel;
  for (const auto& p : entry.candidate.probabilities)
    if (!hasLabel(choices, p.name)) fromModel.push_back(p.name);
  std::sort(fromModel.begin(), fromModel.end());
  choices.insert(choices.end(), fromModel.begin(), fromModel.end());
  return choices;
}

const char* toString(ReviewVerdict verdict) {
  switch (verdict) {
    case ReviewVerdict::Accept: return "accept";
    case ReviewVerdict::Reject: return "reject";
    case ReviewVerdict::Correct: return "correct";
  }
  return "accept";
}

core::Result<project::ReviewDecision> makeReviewDecision(const ReviewEntry& entry, ReviewVerdict verdict,
                                                         const std::string& reviewer, const std::string& correction) {
  if (reviewer.empty())
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "set your reviewer name in Edit ▸ Preferences first: every decision records who made it");
  if (verdict == ReviewVerdict::Correct) {
    if (correction.empty())
      return core::makeError(core::ErrorCode::InvalidArgument, "choose the class the case should have");
    if (correction == entry.predicted)
      return core::makeError(core::ErrorCode::InvalidArgument,
                             "'" + correction + "' is what the model predicted: accept the prediction instead");
  } else if (!correction.empty()) {
    return core::makeError(core::ErrorCode::InvalidArgument, "only a correction names a class");
  }
  project::ReviewDecision d;
  d.caseId = entry.candidate.caseId;
  d.predictionId = entry.candidate.predictionId;
  d.reviewer = reviewer;
  d.decision = toString(verdict);
  d.correction = correction;
  return d;
}

}  // namespace meridian::ui
