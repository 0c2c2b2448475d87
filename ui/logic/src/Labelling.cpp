#include "meridian/ui/Labelling.hpp"

#include <algorithm>
#include <cctype>

#include "meridian/project/ProjectStore.hpp"

namespace meridian::ui {
namespace {

std::string trimmed(const std::string& text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

std::vector<project::LabelClass> byId(std::vector<project::LabelClass> classes) {
  std::stable_sort(classes.begin(), classes.end(),
                   [](const project::LabelClass& a, const project::LabelClass& b) { return a.id < b.id; });
  return classes;
}

bool isUnlabelled(const std::map<project::CaseId, std::vector<std::string>>& labels, project::CaseId id) {
  const auto it = labels.find(id);
  return it == labels.end() || it->second.empty();
}

}  // namespace

std::optional<std::string> classForKey(const std::vector<project::LabelClass>& classes, int key) {
  if (key < 1 || key > kClassKeyCount) return std::nullopt;
  const auto ordered = byId(classes);
  if (static_cast<std::size_t>(key) > ordered.size()) return std::nullopt;
  return ordered[static_cast<std::size_t>(key - 1)].name;
}

std::optional<int> keyForClass(const std::vector<project::LabelClass>& classes, const std::string& name) {
  const auto ordered = byId(classes);
  for (std::size_t i = 0; i < ordered.size() && i < static_cast<std::size_t>(kClassKeyCount); ++i)
    if (ordered[i].name == name) return static_cast<int>(i + 1);
  return std::nullopt;
}

LabelToggle toggleFor(const std::vector<std::string>& caseLabels, const std::string& className) {
  return std::find(caseLabels.begin(), caseLabels.end(), className) != caseLabels.end() ? LabelToggle::Remove
                                                                                        : LabelToggle::Add;
}

core::Result<std::string> checkClassName(const std::vector<project::LabelClass>& classes, const std::string& name,
                                         const std::optional<std::string>& renaming) {
  const std::string clean = trimmed(name);
  if (clean.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "type a name for the class");
  if (renaming && *renaming == clean)
    return core::makeError(core::ErrorCode::InvalidArgument, "the class is already called '" + clean + "'");
  for (const auto& c : classes)
    if (c.name == clean)
      return core::makeError(core::ErrorCode::InvalidArgument,
                             "a class called '" + clean + "' exists already: choose another name");
  return clean;
}

LabelSummary summarizeLabels(std::vector<project::LabelClass> classes,
                             std::map<project::CaseId, std::vector<std::string>> labels) {
  LabelSummary summary;
  summary.classes = byId(std::move(classes));
  summary.counts.assign(summary.classes.size(), 0);
  for (const auto& [caseId, names] : labels) {
    if (names.empty()) ++summary.unlabelled;
    for (std::size_t i = 0; i < summary.classes.size(); ++i)
      if (std::find(names.begin(), names.end(), summary.classes[i].name) != names.end()) ++summary.counts[i];
  }
  summary.labels = std::move(labels);
  return summary;
}

core::Result<LabelSummary> summarizeLabels(const project::ProjectStore& store) {
  auto classes = store.listClasses();
  if (!classes) return classes.error();
  auto cases = store.listCases();
  if (!cases) return cases.error();
  std::map<project::CaseId, std::vector<std::string>> labels;
  for (const auto& record : cases.value()) {
    auto names = store.labels(record.id);
    if (!names) return names.error();
    labels[record.id] = std::move(names).value();
  }
  return summarizeLabels(std::move(classes).value(), std::move(labels));
}

std::optional<project::CaseId> stepUnlabelled(const std::vector<project::CaseId>& order,
                                              const std::map<project::CaseId, std::vector<std::string>>& labels,
                                              std::optional<project::CaseId> current, int step) {
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(order.size());
  if (n == 0) return std::nullopt;
  const int direction = step < 0 ? -1 : +1;
  std::ptrdiff_t start = direction > 0 ? -1 : n;  // just before the first / after the last
  if (current) {
    const auto it = std::find(order.begin(), order.end(), *current);
    if (it != order.end()) start = it - order.begin();
  }
  for (std::ptrdiff_t k = 1; k <= n; ++k) {
    const std::ptrdiff_t i = ((start + direction * k) % n + n) % n;
    if (isUnlabelled(labels, order[static_cast<std::size_t>(i)])) return order[static_cast<std::size_t>(i)];
  }
  return std::nullopt;
}

}  // namespace meridian::ui
