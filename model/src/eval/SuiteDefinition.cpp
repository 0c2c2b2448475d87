// Reading the evaluation suite's definition (suite.json and each task's CSVs) and refusing
// tasks that cannot be scored honestly (see EvaluationSuite.hpp).

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "meridian/model/EvaluationSuite.hpp"

namespace meridian::model {
namespace {

core::Error suiteError(const std::filesystem::path& file, const std::string& what) {
  return core::makeError(core::ErrorCode::Corrupt, file.string() + ": " + what);
}

// The first `perClass` images of each class, in file order (0 = all).
LabelSet firstPerClass(const LabelSet& set, std::size_t perClass) {
  if (perClass == 0) return set;
  std::map<std::string, std::size_t> taken;
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < set.images.size(); ++i)
    if (taken[set.images[i].label]++ < perClass) rows.push_back(i);
  return set.subset(rows);
}

core::Status checkTask(const SuiteTask& task) {
  const std::set<std::string> testClasses(task.test.classes.begin(), task.test.classes.end());
  for (const auto& c : task.train.classes)
    if (!testClasses.count(c))
      return core::makeError(core::ErrorCode::InvalidArgument,
                             "task '" + task.name + "': class '" + c + "' has training images but no test image (" +
                                 task.test.source.string() + "), so its AUROC is undefined; add test images of it");
  const std::set<std::string> trainClasses(task.train.classes.begin(), task.train.classes.end());
  for (const auto& c : task.test.classes)
    if (!trainClasses.count(c))
      return core::makeError(core::ErrorCode::InvalidArgument, "task '" + task.name + "': class '" + c +
                                                                   "' has test images but no training image");
  std::set<std::filesystem::path> trainFiles;
  for (const auto& image : task.train.images) trainFiles.insert(std::filesystem::weakly_canonical(image.path));
  for (const auto& image : task.test.images)
    if (trainFiles.count(std::filesystem::weakly_canonical(image.path)))
      return core::makeError(core::ErrorCode::InvalidArgument, "task '" + task.name + "': " +
                                                                   image.relativePath +
                                                                   " is on both the training and the test side");
  return core::Ok{};
}

}  // namespace

const char* toString(SuiteBackbone backbone) {
  switch (backbone) {
    case SuiteBackbone::RandomInit: return "random_init";
    case SuiteBackbone::Given: return "model";
    case SuiteBackbone::ContinuedDino: return "continued_dino";
  }
  return "?";
}

core::Result<std::vector<SuiteTask>> readEvaluationSuite(const std::filesystem::path& suiteJson,
                                                         const SuiteReadOptions& options) {
  std::ifstream in(suiteJson);
  if (!in)
    return core::makeError(core::ErrorCode::NotFound,
                           suiteJson.string() + ": cannot read the suite (make it with packaging/make-eval-data.sh)");
  const auto doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return suiteError(suiteJson, "not a JSON object");
  const auto tasks = doc.find("tasks");
  if (tasks == doc.end() || !tasks->is_array() || tasks->empty()) return suiteError(suiteJson, "no 'tasks' list");
  const auto folder = suiteJson.parent_path();
  const std::set<std::string> only(options.only.begin(), options.only.end());
  std::set<std::string> notSeen = only;
  std::vector<SuiteTask> out;
  for (const auto& entry : *tasks) {
    if (!entry.is_object()) return suiteError(suiteJson, "a task is not an object");
    for (const char* key : {"name", "train", "test"})
      if (!entry.contains(key) || !entry[key].is_string())
        return suiteError(suiteJson, std::string("a task has no string '") + key + "'");
    SuiteTask task;
    task.name = entry["name"].get<std::string>();
    if (!only.empty() && !only.count(task.name)) continue;
    notSeen.erase(task.name);
    task.description = entry.value("description", std::string());
    LabelCsvOptions csv;  // every listed file must exist: a missing one is named, nothing is scored
    auto train = readLabelsCsv(folder / entry["train"].get<std::string>(), csv);
    if (!train) return core::makeError(train.error().code, "task '" + task.name + "': " + train.error().message);
    // One class on the test side is refused below with the reason that matters here.
    LabelCsvOptions testCsv = csv;
    testCsv.requireTwoClasses = false;
    auto test = readLabelsCsv(folder / entry["test"].get<std::string>(), testCsv);
    if (!test) return core::makeError(test.error().code, "task '" + task.name + "': " + test.error().message);
    task.train = firstPerClass(train.value(), options.maxTrainPerClass);
    task.test = firstPerClass(test.value(), options.maxTestPerClass);
    auto checked = checkTask(task);
    if (!checked) return checked.error();
    out.push_back(std::move(task));
  }
  if (!notSeen.empty())
    return core::makeError(core::ErrorCode::InvalidArgument,
                           suiteJson.string() + " has no task '" + *notSeen.begin() + "'");
  return out;
}

}  // namespace meridian::model
