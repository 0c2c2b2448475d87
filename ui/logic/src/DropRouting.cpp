#include "meridian/ui/DropRouting.hpp"

namespace meridian::ui {

DropPlan planDrop(const std::vector<std::filesystem::path>& dropped, bool projectOpen) {
  DropPlan plan;
  if (dropped.empty()) return plan;
  if (projectOpen) {
    plan.action = DropPlan::Action::AddToProject;
    plan.paths = dropped;
    return plan;
  }
  plan.action = DropPlan::Action::Open;
  plan.paths = {dropped.front()};
  if (dropped.size() > 1)
    plan.note = std::to_string(dropped.size() - 1) + " more dropped item(s) not opened: the window shows one at a " +
                "time; create or open a project (File ▸ New project) to add them all";
  return plan;
}

}  // namespace meridian::ui
