#include "meridian/project/EditCommands.hpp"

#include <algorithm>
#include <cmath>

namespace meridian::project {
namespace {

using core::Status;

bool hasLabel(ProjectStore& store, CaseId caseId, const std::string& name, Status& error) {
  auto labels = store.labels(caseId);
  if (!labels) {
    error = labels.error();
    return false;
  }
  const auto& v = labels.value();
  return std::find(v.begin(), v.end(), name) != v.end();
}

/// Sets one label on or off; reverting restores what the case had before apply().
class SetLabel final : public EditCommand {
 public:
  SetLabel(CaseId caseId, std::string className, bool on) : caseId_(caseId), className_(std::move(className)), on_(on) {}

  Status apply(ProjectStore& store) override {
    Status error = core::Ok{};
    had_ = hasLabel(store, caseId_, className_, error);
    if (!error) return error;
    return on_ ? store.addLabel(caseId_, className_) : store.removeLabel(caseId_, className_);
  }
  Status revert(ProjectStore& store) override {
    return had_ ? store.addLabel(caseId_, className_) : store.removeLabel(caseId_, className_);
  }
  std::string text() const override {
    return (on_ ? "Add label '" : "Remove label '") + className_ + (on_ ? "' to case " : "' from case ") +
           std::to_string(caseId_);
  }

 private:
  CaseId caseId_;
  std::string className_;
  bool on_;
  bool had_ = false;
};

/// Puts (adds or replaces) or removes one annotation; reverting restores its previous state.
class SetAnnotation final : public EditCommand {
 public:
  SetAnnotation(CaseId caseId, std::string id, std::optional<core::Annotation> next)
      : caseId_(caseId), id_(std::move(id)), next_(std::move(next)) {}

  Status apply(ProjectStore& store) override {
    auto before = store.annotation(caseId_, id_);
    if (!before) return before.error();
    previous_ = before.value();
    return write(store, next_);
  }
  Status revert(ProjectStore& store) override { return write(store, previous_); }
  std::string text() const override {
    if (!next_) return "Remove annotation from case " + std::to_string(caseId_);
    return (previous_ ? "Change annotation on case " : "Add annotation to case ") + std::to_string(caseId_);
  }

 private:
  Status write(ProjectStore& store, const std::optional<core::Annotation>& state) {
    return state ? store.putAnnotation(caseId_, *state) : store.removeAnnotation(caseId_, id_);
  }

  CaseId caseId_;
  std::string id_;
  std::optional<core::Annotation> next_, previous_;
};

/// Several edits as one undo step; applied in order, reverted in reverse order. A failure
/// part-way undoes the part already applied, so the project is as it was.
class EditGroup final : public EditCommand {
 public:
  EditGroup(std::vector<std::unique_ptr<EditCommand>> edits, std::string text)
      : edits_(std::move(edits)), text_(std::move(text)) {}

  Status apply(ProjectStore& store) override {
    for (std::size_t i = 0; i < edits_.size(); ++i) {
      if (auto s = edits_[i]->apply(store); !s) {
        while (i-- > 0) (void)edits_[i]->revert(store);
        return s;
      }
    }
    return core::Ok{};
  }
  Status revert(ProjectStore& store) override {
    for (std::size_t i = edits_.size(); i-- > 0;) {
      if (auto s = edits_[i]->revert(store); !s) {
        for (++i; i < edits_.size(); ++i) (void)edits_[i]->apply(store);
        return s;
      }
    }
    return core::Ok{};
  }
  std::string text() const override { return text_; }

 private:
  std::vector<std::unique_ptr<EditCommand>> edits_;
  std::string text_;
};

}  // namespace

namespace {
// Patient points of the same shape differ by rounding after a trip through a plane's pixel grid
// (stored mm -> the viewer's pixels -> mm): a micrometre apart is the same place.
constexpr double kSamePlaceMm = 1e-3;

bool samePatientPoints(const std::vector<std::array<double, 3>>& a, const std::vector<std::array<double, 3>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t k = 0; k < 3; ++k)
      if (!(std::abs(a[i][k] - b[i][k]) <= kSamePlaceMm)) return false;
  return true;
}
}  // namespace

bool sameAnnotation(const core::Annotation& a, const core::Annotation& b) {
  if (a.id != b.id || a.shape != b.shape || a.className != b.className || a.name != b.name || a.plane != b.plane ||
      a.slice != b.slice)
    return false;
  // A shape on a volume's plane is where its patient points are (its pixels are the viewer's).
  if (!a.patientPoints.empty() || !b.patientPoints.empty()) return samePatientPoints(a.patientPoints, b.patientPoints);
  return a.points == b.points;
}

std::unique_ptr<EditCommand> makeAnnotationEdits(CaseId caseId, const std::vector<core::Annotation>& before,
                                                 const std::vector<core::Annotation>& after) {
  const auto findIn = [](const std::vector<core::Annotation>& set, const std::string& id) -> const core::Annotation* {
    for (const auto& a : set)
      if (a.id == id) return &a;
    return nullptr;
  };
  std::vector<std::unique_ptr<EditCommand>> edits;
  for (const auto& a : before)
    if (!findIn(after, a.id)) edits.push_back(makeRemoveAnnotation(caseId, a.id));
  for (const auto& a : after) {
    const core::Annotation* old = findIn(before, a.id);
    if (!old || !sameAnnotation(*old, a)) edits.push_back(makePutAnnotation(caseId, a));
  }
  if (edits.empty()) return nullptr;
  if (edits.size() == 1) return std::move(edits.front());
  const std::string text = "Edit " + std::to_string(edits.size()) + " annotations on case " + std::to_string(caseId);
  return std::make_unique<EditGroup>(std::move(edits), text);
}

std::unique_ptr<EditCommand> makeAddLabel(CaseId caseId, std::string className) {
  return std::make_unique<SetLabel>(caseId, std::move(className), true);
}
std::unique_ptr<EditCommand> makeRemoveLabel(CaseId caseId, std::string className) {
  return std::make_unique<SetLabel>(caseId, std::move(className), false);
}
std::unique_ptr<EditCommand> makePutAnnotation(CaseId caseId, core::Annotation annotation) {
  std::string id = annotation.id;
  return std::make_unique<SetAnnotation>(caseId, std::move(id), std::move(annotation));
}
std::unique_ptr<EditCommand> makeRemoveAnnotation(CaseId caseId, std::string annotationId) {
  return std::make_unique<SetAnnotation>(caseId, std::move(annotationId), std::nullopt);
}

UndoStack::UndoStack(ProjectStore& store, std::size_t limit) : store_(store), limit_(std::max<std::size_t>(1, limit)) {}

core::Status UndoStack::push(std::unique_ptr<EditCommand> command) {
  if (!command) return core::makeError(core::ErrorCode::InvalidArgument, "no edit to apply");
  if (auto s = command->apply(store_); !s) return s;
  undo_.push_back(std::move(command));
  if (undo_.size() > limit_) undo_.erase(undo_.begin());
  redo_.clear();
  return core::Ok{};
}

core::Status UndoStack::undo() {
  if (undo_.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "nothing to undo");
  if (auto s = undo_.back()->revert(store_); !s) return s;
  redo_.push_back(std::move(undo_.back()));
  undo_.pop_back();
  return core::Ok{};
}

core::Status UndoStack::redo() {
  if (redo_.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "nothing to redo");
  if (auto s = redo_.back()->apply(store_); !s) return s;
  undo_.push_back(std::move(redo_.back()));
  redo_.pop_back();
  return core::Ok{};
}

std::string UndoStack::undoText() const { return undo_.empty() ? std::string() : undo_.back()->text(); }
std::string UndoStack::redoText() const { return redo_.empty() ? std::string() : redo_.back()->text(); }

void UndoStack::clear() {
  undo_.clear();
  redo_.clear();
}

}  // namespace meridian::project
