#pragma once
// The Labels panel's rules, without Qt: which class a number key labels with, whether a key
// press adds or removes the label, how many cases carry each class, and which case is the
// next one still to label. LabelsPanel (ui/) is the thin Qt part over it.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectRecords.hpp"

namespace meridian::project {
class ProjectStore;
}

namespace meridian::ui {

/// Keys 1..9 label with the project's first nine classes in the order they were made (class
/// id order), so a class keeps its key when another is added or one is renamed. Classes past
/// the ninth have no key (the panel's list still labels with them).
constexpr int kClassKeyCount = 9;
/// The class that number key `key` (1..9) labels with; nullopt for other keys or no such class.
std::optional<std::string> classForKey(const std::vector<project::LabelClass>& classes, int key);
/// The key (1..9) of a class, nullopt when it has none.
std::optional<int> keyForClass(const std::vector<project::LabelClass>& classes, const std::string& name);

/// Pressing a class's key on a case that carries it removes it; otherwise it adds it.
enum class LabelToggle { Add, Remove };
LabelToggle toggleFor(const std::vector<std::string>& caseLabels, const std::string& className);

/// A new name for a class, or the name of a new class: trimmed, not empty, not a name another
/// class already has (a class keeps its own name: renaming to the same name is refused too,
/// as it would change nothing). The error says what to type instead.
core::Result<std::string> checkClassName(const std::vector<project::LabelClass>& classes, const std::string& name,
                                         const std::optional<std::string>& renaming = std::nullopt);

/// What the Labels panel shows of a project.
struct LabelSummary {
  std::vector<project::LabelClass> classes;                      // class id order (= key order)
  std::vector<int> counts;                                        // cases carrying classes[i]
  std::map<project::CaseId, std::vector<std::string>> labels;     // every case; empty when unlabelled
  int unlabelled = 0;                                             // cases with no label at all
};
/// Counts from classes and each case's labels (a label with no class is not counted).
LabelSummary summarizeLabels(std::vector<project::LabelClass> classes,
                             std::map<project::CaseId, std::vector<std::string>> labels);
/// The same, read from a project (every case, whatever the case browser's filters).
core::Result<LabelSummary> summarizeLabels(const project::ProjectStore& store);

/// The next (step +1) or previous (step -1) case in `order` after `current` that has no
/// label, going round past the end; `current` itself comes last. When `current` is not in
/// `order`, the search starts before the first case (+1) or after the last (-1). nullopt when
/// every case in `order` is labelled. A case missing from `labels` counts as unlabelled.
std::optional<project::CaseId> stepUnlabelled(const std::vector<project::CaseId>& order,
                                              const std::map<project::CaseId, std::vector<std::string>>& labels,
                                              std::optional<project::CaseId> current, int step);

}  // namespace meridian::ui
