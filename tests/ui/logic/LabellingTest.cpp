// The Labels panel's rules (ui/Labelling.hpp): number keys to classes, toggling, class names,
// per-class counts and the walk to the next unlabelled case; on values and on a real project.

#include <gtest/gtest.h>

#include <filesystem>

#include "meridian/project/ProjectStore.hpp"
#include "meridian/ui/Labelling.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using project::CaseId;
using project::LabelClass;

namespace {
// Made in id order tumour(4), normal(7), artefact(9); handed over out of order on purpose.
const std::vector<LabelClass> kClasses = {{9, "artefact"}, {4, "tumour"}, {7, "normal"}};
}  // namespace

TEST(Labelling, NumberKeysFollowTheOrderClassesWereMade) {
  EXPECT_EQ(ui::classForKey(kClasses, 1), "tumour");
  EXPECT_EQ(ui::classForKey(kClasses, 2), "normal");
  EXPECT_EQ(ui::classForKey(kClasses, 3), "artefact");
  EXPECT_EQ(ui::classForKey(kClasses, 4), std::nullopt);
  EXPECT_EQ(ui::classForKey(kClasses, 0), std::nullopt);
  EXPECT_EQ(ui::keyForClass(kClasses, "normal"), 2);
  EXPECT_EQ(ui::keyForClass(kClasses, "unknown"), std::nullopt);
  // Ten classes: the tenth has no key, and key 10 is no key.
  std::vector<LabelClass> ten;
  for (int i = 1; i <= 10; ++i) ten.push_back({i, "c" + std::to_string(i)});
  EXPECT_EQ(ui::classForKey(ten, 9), "c9");
  EXPECT_EQ(ui::classForKey(ten, 10), std::nullopt);
  EXPECT_EQ(ui::keyForClass(ten, "c10"), std::nullopt);
}

TEST(Labelling, AKeyAddsALabelTheCaseLacksAndRemovesOneItHas) {
  EXPECT_EQ(ui::toggleFor({}, "tumour"), ui::LabelToggle::Add);
  EXPECT_EQ(ui::toggleFor({"normal"}, "tumour"), ui::LabelToggle::Add);
  EXPECT_EQ(ui::toggleFor({"normal", "tumour"}, "tumour"), ui::LabelToggle::Remove);
}

TEST(Labelling, ClassNamesAreTrimmedAndMustBeNewAndNotEmpty) {
  EXPECT_EQ(ui::checkClassName(kClasses, "  benign ").value(), "benign");
  EXPECT_FALSE(ui::checkClassName(kClasses, "   ").ok());
  const auto taken = ui::checkClassName(kClasses, "normal", std::string("tumour"));
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.error().message.find("exists already"), std::string::npos) << taken.error().message;
  EXPECT_FALSE(ui::checkClassName(kClasses, "tumour", std::string("tumour")).ok());
  EXPECT_EQ(ui::checkClassName(kClasses, "malignant", std::string("tumour")).value(), "malignant");
}

TEST(Labelling, CountsPerClassAndUnlabelledCases) {
  const auto s = ui::summarizeLabels(kClasses, {{1, {"tumour"}},
                                                {2, {}},
                                                {3, {"normal", "tumour"}},
                                                {4, {"artefact"}},
                                                {5, {}},
                                                {6, {"no-such-class"}}});
  ASSERT_EQ(s.classes.size(), 3u);
  EXPECT_EQ(s.classes[0].name, "tumour");
  EXPECT_EQ(s.counts, (std::vector<int>{2, 1, 1}));  // tumour, normal, artefact
  EXPECT_EQ(s.unlabelled, 2);
}

TEST(Labelling, NextAndPreviousUnlabelledGoRoundAndSkipLabelledCases) {
  const std::vector<CaseId> order = {10, 11, 12, 13, 14};
  const std::map<CaseId, std::vector<std::string>> labels = {
      {10, {"tumour"}}, {11, {}}, {12, {"normal"}}, {13, {}}, {14, {"tumour"}}};
  EXPECT_EQ(ui::stepUnlabelled(order, labels, 10, +1), 11);
  EXPECT_EQ(ui::stepUnlabelled(order, labels, 11, +1), 13);
  EXPECT_EQ(ui::stepUnlabelled(order, labels, 13, +1), 11);  // round past the end
  EXPECT_EQ(ui::stepUnlabelled(order, labels, 14, +1), 11);
  EXPECT_EQ(ui::stepUnlabelled(order, labels, 13, -1), 11);
  EXPECT_EQ(ui::stepUnlabelled(order, labels, 11, -1), 13);  // round past the start
  EXPECT_EQ(ui::stepUnlabelled(order, labels, std::nullopt, +1), 11);
  EXPECT_EQ(ui::stepUnlabelled(order, labels, std::nullopt, -1), 13);
  EXPECT_EQ(ui::stepUnlabelled(order, labels, 99, +1), 11);  // current not in order (filtered out)
  // A case absent from the labels counts as unlabelled; the only unlabelled case finds itself.
  EXPECT_EQ(ui::stepUnlabelled({10, 15}, labels, 10, +1), 15);
  EXPECT_EQ(ui::stepUnlabelled({11, 12}, labels, 11, +1), 11);
  // All labelled, or nothing to walk.
  EXPECT_EQ(ui::stepUnlabelled({10, 12, 14}, labels, 10, +1), std::nullopt);
  EXPECT_EQ(ui::stepUnlabelled({}, labels, std::nullopt, +1), std::nullopt);
}

TEST(Labelling, SummaryOfARealProject) {
  const fs::path folder = fs::temp_directory_path() / "meridian-labelling-test";
  fs::remove_all(folder);
  auto created = project::ProjectStore::create(folder);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto& store = *created.value();
  std::vector<CaseId> ids;
  for (int i = 0; i < 4; ++i) {
    project::CaseRecord r;
    r.path = (folder / ("case" + std::to_string(i) + ".png")).string();
    r.format = "PNG";
    auto id = store.addCase(r);
    ASSERT_TRUE(id.ok()) << id.error().message;
    ids.push_back(id.value());
  }
  ASSERT_TRUE(store.ensureClass("normal").ok());
  ASSERT_TRUE(store.addLabel(ids[0], "tumour").ok());
  ASSERT_TRUE(store.addLabel(ids[2], "tumour").ok());
  ASSERT_TRUE(store.addLabel(ids[2], "normal").ok());
  auto s = ui::summarizeLabels(store);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s.value().classes.size(), 2u);
  EXPECT_EQ(s.value().classes[0].name, "normal");  // made first, key 1
  EXPECT_EQ(s.value().counts, (std::vector<int>{1, 2}));
  EXPECT_EQ(s.value().unlabelled, 2);
  EXPECT_EQ(ui::stepUnlabelled(ids, s.value().labels, ids[1], +1), ids[3]);
  fs::remove_all(folder);
}
