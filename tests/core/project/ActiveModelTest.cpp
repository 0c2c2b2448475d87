// The project's active model ("Accept model"): a setting that survives reopening, keeps the
// models accepted before, and is logged; a refused accept changes nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ProjectTestSupport.hpp"
#include "meridian/project/ProjectStore.hpp"

using namespace meridian;
using namespace meridian::project;
using project::test::freshFolder;

TEST(ProjectActiveModel, AcceptKeepsThePreviousAndLogsBoth) {
  const auto dir = freshFolder("p");
  {
    auto store = ProjectStore::create(dir).value();
    EXPECT_FALSE(store->activeModel().value().has_value());
    store->setActor("dr. ada");
    std::vector<ProjectChange::What> heard;
    store->addChangeListener([&](const ProjectChange& c) { heard.push_back(c.what); });
    ASSERT_TRUE(store->acceptModel({"models/probe-1", "probe one", std::string(64, 'a'), "", ""}));
    ASSERT_TRUE(store->acceptModel({"models/probe-2", "probe two", std::string(64, 'b'), "", ""}));
    EXPECT_EQ(heard, (std::vector<ProjectChange::What>{ProjectChange::What::ActiveModel, ProjectChange::What::ActiveModel}));
  }
  auto store = ProjectStore::open(dir).value();
  const auto active = store->activeModel().value();
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->folder, "models/probe-2");
  EXPECT_EQ(active->weightsSha256, std::string(64, 'b'));
  EXPECT_EQ(active->actor, "dr. ada");
  EXPECT_FALSE(active->acceptedUtc.empty());
  const auto past = store->acceptedModels().value();
  ASSERT_EQ(past.size(), 2u);
  EXPECT_EQ(past[0].folder, "models/probe-1");
  EXPECT_EQ(past[1].name, "probe two");
  // The second accept's event names the model it replaced.
  const auto events = store->events().value();
  std::vector<nlohmann::json> accepts;
  for (const auto& e : events)
    if (e.kind == "model.accept") accepts.push_back(nlohmann::json::parse(e.payloadJson));
  ASSERT_EQ(accepts.size(), 2u);
  EXPECT_TRUE(accepts[0]["previous"].is_null());
  EXPECT_EQ(accepts[1]["previous"]["folder"], "models/probe-1");
  EXPECT_EQ(accepts[1]["model"]["folder"], "models/probe-2");
}

TEST(ProjectActiveModel, RefusedAcceptLeavesTheActiveModel) {
  const auto dir = freshFolder("p");
  auto store = ProjectStore::create(dir).value();
  ASSERT_TRUE(store->acceptModel({"models/a", "a", std::string(64, 'a'), "", ""}));
  const auto before = store->events().value().size();
  const auto refused = store->acceptModel({"models/b", "b", "", "", ""});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("SHA-256"), std::string::npos);
  EXPECT_EQ(store->activeModel().value()->folder, "models/a");
  EXPECT_EQ(store->events().value().size(), before);
  // Read-only: refused with the store's message, nothing changes.
  auto reader = ProjectStore::open(dir, OpenMode::ReadWriteOrReadOnly).value();
  ASSERT_TRUE(reader->isReadOnly());
  EXPECT_FALSE(reader->acceptModel({"models/c", "c", std::string(64, 'c'), "", ""}));
  EXPECT_EQ(reader->activeModel().value()->folder, "models/a");
}
