#pragma once
// What a drop of files and folders on the window does (Qt-free): with a project open, every
// dropped item is added to it (the import job); without one, the first item is opened (a
// file in its viewer, a folder in the Files list) and the rest are named in a note, since
// one window shows one thing at a time.

#include <filesystem>
#include <string>
#include <vector>

namespace meridian::ui {

struct DropPlan {
  enum class Action { Nothing, AddToProject, Open };
  Action action = Action::Nothing;
  std::vector<std::filesystem::path> paths;  // to add, or the one to open
  std::string note;                          // what was left out and why; "" when nothing
};

DropPlan planDrop(const std::vector<std::filesystem::path>& dropped, bool projectOpen);

}  // namespace meridian::ui
