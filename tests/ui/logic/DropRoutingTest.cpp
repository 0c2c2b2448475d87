// What a drop on the window does: added to the open project, else the first item opened.
#include <gtest/gtest.h>

#include "meridian/ui/DropRouting.hpp"

using meridian::ui::DropPlan;
using meridian::ui::planDrop;

TEST(DropRouting, WithAProjectEverythingIsAddedWithoutOneTheFirstIsOpened) {
  const std::vector<std::filesystem::path> dropped{"/data/a.png", "/data/series", "/data/b.svs"};
  const DropPlan add = planDrop(dropped, true);
  EXPECT_EQ(add.action, DropPlan::Action::AddToProject);
  EXPECT_EQ(add.paths, dropped);
  EXPECT_TRUE(add.note.empty());

  const DropPlan open = planDrop(dropped, false);
  EXPECT_EQ(open.action, DropPlan::Action::Open);
  ASSERT_EQ(open.paths.size(), 1u);
  EXPECT_EQ(open.paths[0], dropped[0]);
  EXPECT_NE(open.note.find("2 more dropped item(s) not opened"), std::string::npos) << open.note;

  const DropPlan one = planDrop({"/data/series"}, false);
  EXPECT_EQ(one.action, DropPlan::Action::Open);
  EXPECT_TRUE(one.note.empty());
  EXPECT_EQ(planDrop({}, true).action, DropPlan::Action::Nothing);
}
