#include "meridian/project/ReviewCommand.hpp"

namespace meridian::project {
namespace {

class AddReview final : public EditCommand {
 public:
  explicit AddReview(ReviewDecision decision) : decision_(std::move(decision)) {}

  core::Status apply(ProjectStore& store) override {
    auto id = store.addReview(decision_);
    if (!id) return id.error();
    recorded_ = id.value();
    return core::Ok{};
  }
  core::Status revert(ProjectStore& store) override { return store.removeReview(recorded_); }
  std::string text() const override {
    std::string what = decision_.decision;
    if (!decision_.correction.empty()) what += " as '" + decision_.correction + "'";
    return "Review (" + what + ") of case " + std::to_string(decision_.caseId);
  }

 private:
  ReviewDecision decision_;
  std::int64_t recorded_ = 0;
};

}  // namespace

std::unique_ptr<EditCommand> makeAddReview(ReviewDecision decision) {
  return std::make_unique<AddReview>(std::move(decision));
}

}  // namespace meridian::project
