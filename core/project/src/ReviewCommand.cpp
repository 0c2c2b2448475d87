#include "meridian/project/ReviewCommand.hpp"

#include <algorithm>

namespace meridian::project {
namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class AddReview final : public EditCommand {
 public:
  explicit AddReview(ReviewDecision decision) : decision_(std::move(decision)) {}

  core::Status apply(ProjectStore& store) override {
    const bool relabel = decision_.decision == "correct" && !decision_.correction.empty();
    if (relabel) {
      auto before = store.labels(decision_.caseId);
      if (!before) return before.error();
      labelsBefore_ = std::move(before).value();
    }
    auto id = store.addReview(decision_);
    if (!id) return id.error();
    recorded_ = id.value();
    if (!relabel) return core::Ok{};
    if (auto set = setLabels(store, {decision_.correction}); !set) {
      // Undo the part done, so a failed apply leaves the project as it was (EditCommands.hpp).
      (void)setLabels(store, labelsBefore_);
      (void)store.removeReview(recorded_);
      return set;
    }
    return core::Ok{};
  }

  core::Status revert(ProjectStore& store) override {
    if (decision_.decision == "correct" && !decision_.correction.empty())
      if (auto restored = setLabels(store, labelsBefore_); !restored) return restored;
    return store.removeReview(recorded_);
  }

  std::string text() const override {
    std::string what = decision_.decision;
    if (!decision_.correction.empty()) what += " as '" + decision_.correction + "'";
    return "Review (" + what + ") of case " + std::to_string(decision_.caseId);
  }

 private:
  /// Makes the case's labels exactly `wanted`: removes the others, adds the missing ones.
  core::Status setLabels(ProjectStore& store, const std::vector<std::string>& wanted) {
    auto now = store.labels(decision_.caseId);
    if (!now) return now.error();
    for (const auto& name : now.value())
      if (!contains(wanted, name))
        if (auto s = store.removeLabel(decision_.caseId, name); !s) return s;
    for (const auto& name : wanted)
      if (!contains(now.value(), name))
        if (auto s = store.addLabel(decision_.caseId, name); !s) return s;
    return core::Ok{};
  }

  ReviewDecision decision_;
  std::vector<std::string> labelsBefore_;
  std::int64_t recorded_ = 0;
};

}  // namespace

std::unique_ptr<EditCommand> makeAddReview(ReviewDecision decision) {
  return std::make_unique<AddReview>(std::move(decision));
}

}  // namespace meridian::project
