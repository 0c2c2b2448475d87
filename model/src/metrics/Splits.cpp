#include "meridian/model/metrics/Splits.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "meridian/model/metrics/Bootstrap.hpp"

namespace meridian::model::metrics {

namespace {

core::Error invalid(const std::string& message) {
  return core::makeError(core::ErrorCode::InvalidArgument, message);
}

/// Fisher-Yates with the portable index draw (std::shuffle's algorithm is library-specific).
template <class T>
void seededShuffle(std::vector<T>& items, SeededIndexDraw& draw) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[draw(i)]);
}

/// Groups of rows that must stay together: one per patient, or one per row without patients.
std::vector<std::vector<std::size_t>> groupsOf(std::size_t rows, const std::vector<std::string>& patients) {
  std::vector<std::vector<std::size_t>> groups;
  if (patients.empty()) {
    for (std::size_t i = 0; i < rows; ++i) groups.push_back({i});
    return groups;
  }
  std::map<std::string, std::size_t> index;  // ordered: the group order does not depend on the input order
  for (std::size_t i = 0; i < rows; ++i) {
    // A row without a patient id is its own group.
    const std::string key = patients[i].empty() ? "\x01row " + std::to_string(i) : patients[i];
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  return groups;
}

core::Status checkInputs(const std::vector<int>& labels, int classes, const std::vector<std::string>& patients) {
  if (classes < 2) return invalid("a split needs at least two classes");
  if (!patients.empty() && patients.size() != labels.size())
    return invalid(std::to_string(patients.size()) + " patient ids for " + std::to_string(labels.size()) + " rows");
  for (int label : labels)
    if (label < 0 || label >= classes) return invalid("label " + std::to_string(label) + " out of range");
  return core::Ok{};
}

std::vector<std::size_t> classCounts(const std::vector<std::size_t>& rows, const std::vector<int>& labels,
                                     int classes) {
  std::vector<std::size_t> counts(static_cast<std::size_t>(classes));
  for (auto row : rows) ++counts[static_cast<std::size_t>(labels[row])];
  return counts;
}

std::string missingClassMessage(const std::vector<std::size_t>& rows, const std::vector<int>& labels, int classes,
                                const char* side) {
  const auto counts = classCounts(rows, labels, classes);
  for (int c = 0; c < classes; ++c)
    if (counts[static_cast<std::size_t>(c)] == 0)
      return "class " + std::to_string(c) + " has no row on the " + side + " side";
  return {};
}

void sortRows(Split& split) {
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
}

Split stratifiedHoldOut(const std::vector<int>& labels, int classes, double testFraction, SeededIndexDraw& draw) {
  Split split;
  for (int c = 0; c < classes; ++c) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == c) members.push_back(i);
    seededShuffle(members, draw);
    // At least one row on each side when the class has two or more.
    auto take = static_cast<std::size_t>(std::lround(testFraction * static_cast<double>(members.size())));
    if (members.size() >= 2) take = std::clamp<std::size_t>(take, 1, members.size() - 1);
    split.test.insert(split.test.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(take));
    split.train.insert(split.train.end(), members.begin() + static_cast<std::ptrdiff_t>(take), members.end());
  }
  sortRows(split);
  return split;
}

}  // namespace

core::Status checkSplit(const Split& split, const std::vector<int>& labels, int classes,
                        const std::vector<std::string>& patients) {
  auto message = missingClassMessage(split.train, labels, classes, "training");
  if (message.empty()) message = missingClassMessage(split.test, labels, classes, "held-out");
  if (!message.empty()) return invalid("cannot split: " + message);
  if (patients.empty()) return core::Ok{};
  std::vector<std::string> trainPatients, testPatients;
  for (auto row : split.train) trainPatients.push_back(patients[row]);
  for (auto row : split.test) testPatients.push_back(patients[row]);
  return checkNoPatientOverlap(trainPatients, testPatients);
}

core::Status checkNoPatientOverlap(const std::vector<std::string>& trainPatients,
                                   const std::vector<std::string>& testPatients) {
  const std::set<std::string> train(trainPatients.begin(), trainPatients.end());
  for (const auto& patient : testPatients)
    if (!patient.empty() && train.count(patient))
      return invalid("patient '" + patient + "' is in both the training and the held-out data");
  return core::Ok{};
}

core::Result<Split> holdOutSplit(const std::vector<int>& labels, int classes, const std::vector<std::string>& patients,
                                 double testFraction, std::uint64_t seed) {
  auto status = checkInputs(labels, classes, patients);
  if (!status) return status.error();
  if (!(testFraction > 0.0 && testFraction < 1.0)) return invalid("the held-out fraction must lie between 0 and 1");
  SeededIndexDraw draw(seed);
  if (patients.empty()) {
    Split split = stratifiedHoldOut(labels, classes, testFraction, draw);
    auto ok = checkSplit(split, labels, classes, patients);
    if (!ok) return core::makeError(ok.error().code, ok.error().message + " (each class needs at least 2 images)");
    return split;
  }
  // Whole patients: shuffle, fill the held-out side up to the target, keep the first
  // arrangement that has every class on both sides. Many tries: small sets need luck.
  const auto groups = groupsOf(labels.size(), patients);
  const auto target = static_cast<std::size_t>(std::lround(testFraction * static_cast<double>(labels.size())));
  std::vector<std::size_t> order(groups.size());
  std::iota(order.begin(), order.end(), 0);
  std::string lastProblem = "fewer than two patients";
  for (int attempt = 0; attempt < 200 && groups.size() >= 2; ++attempt) {
    seededShuffle(order, draw);
    Split split;
    for (auto g : order) {
      auto& side = split.test.size() < std::max<std::size_t>(target, 1) ? split.test : split.train;
      side.insert(side.end(), groups[g].begin(), groups[g].end());
    }
    sortRows(split);
    auto ok = checkSplit(split, labels, classes, patients);
    if (ok) return split;
    lastProblem = ok.error().message;
  }
  return invalid("no patient-level split with every class on both sides (" + std::to_string(groups.size()) +
                 " patients; last try: " + lastProblem + "): label more patients of the rare class");
}

core::Result<std::vector<Split>> kFoldSplits(const std::vector<int>& labels, int classes,
                                             const std::vector<std::string>& patients, int folds, std::uint64_t seed) {
  auto status = checkInputs(labels, classes, patients);
  if (!status) return status.error();
  if (folds < 2) return invalid("k-fold needs at least 2 folds");
  SeededIndexDraw draw(seed);
  std::vector<std::vector<std::size_t>> testRows(static_cast<std::size_t>(folds));
  if (patients.empty()) {
    // Deal each class's shuffled rows round-robin, continuing where the last class stopped
    // so fold sizes differ by at most one.
    std::size_t next = 0;
    for (int c = 0; c < classes; ++c) {
      std::vector<std::size_t> members;
      for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == c) members.push_back(i);
      if (members.size() < static_cast<std::size_t>(folds))
        return invalid("class " + std::to_string(c) + " has " + std::to_string(members.size()) +
                       " images, fewer than " + std::to_string(folds) + " folds");
      seededShuffle(members, draw);
      for (auto row : members) testRows[next++ % testRows.size()].push_back(row);
    }
  } else {
    // Whole patients, largest first into the fold with the fewest rows (after a seeded
    // shuffle so equal sizes are ordered by the seed).
    auto groups = groupsOf(labels.size(), patients);
    if (groups.size() < static_cast<std::size_t>(folds))
      return invalid(std::to_string(groups.size()) + " patients cannot fill " + std::to_string(folds) + " folds");
    seededShuffle(groups, draw);
    std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& group : groups) {
      auto& smallest = *std::min_element(testRows.begin(), testRows.end(),
                                         [](const auto& a, const auto& b) { return a.size() < b.size(); });
      smallest.insert(smallest.end(), group.begin(), group.end());
    }
  }
  std::vector<Split> splits;
  for (std::size_t f = 0; f < testRows.size(); ++f) {
    Split split;
    split.test = testRows[f];
    for (std::size_t g = 0; g < testRows.size(); ++g)
      if (g != f) split.train.insert(split.train.end(), testRows[g].begin(), testRows[g].end());
    sortRows(split);
    auto ok = checkSplit(split, labels, classes, patients);
    if (!ok) return invalid("fold " + std::to_string(f + 1) + ": " + ok.error().message);
    splits.push_back(std::move(split));
  }
  return splits;
}

}  // namespace meridian::model::metrics
