#include "meridian/project/RenameClassCommand.hpp"

namespace meridian::project {
namespace {

class RenameClass final : public EditCommand {
 public:
  RenameClass(std::string from, std::string to) : from_(std::move(from)), to_(std::move(to)) {}

  core::Status apply(ProjectStore& store) override { return store.renameClass(from_, to_); }
  core::Status revert(ProjectStore& store) override { return store.renameClass(to_, from_); }
  std::string text() const override { return "Rename class '" + from_ + "' to '" + to_ + "'"; }

 private:
  std::string from_, to_;
};

}  // namespace

std::unique_ptr<EditCommand> makeRenameClass(std::string from, std::string to) {
  return std::make_unique<RenameClass>(std::move(from), std::move(to));
}

}  // namespace meridian::project
