#include <gtest/gtest.h>

#include "meridian/model/VitConfig.hpp"

using namespace meridian::model;

namespace {

TEST(VitConfig, PresetsHaveTorchvisionSizes) {
  struct Expected {
    const char* name;
    int dim, depth, heads;
  };
  for (const Expected& e : {Expected{"vit_t_16", 192, 12, 3}, Expected{"vit_s_16", 384, 12, 6},
                            Expected{"vit_b_16", 768, 12, 12}, Expected{"vit_l_16", 1024, 24, 16}}) {
    auto config = VitConfig::preset(e.name);
    ASSERT_TRUE(config.ok()) << e.name;
    EXPECT_EQ(config.value().embedDim, e.dim) << e.name;
    EXPECT_EQ(config.value().depth, e.depth) << e.name;
    EXPECT_EQ(config.value().heads, e.heads) << e.name;
    EXPECT_EQ(config.value().mlpHidden(), 4 * e.dim) << e.name;
    EXPECT_EQ(config.value().numPatches(), 196) << e.name;
  }
  EXPECT_FALSE(VitConfig::preset("vit_h_14").ok());
}

TEST(VitConfig, ValidationNamesTheProblem) {
  VitConfig c;
  c.heads = 7;
  ASSERT_FALSE(c.validate().ok());
  EXPECT_NE(c.validate().error().message.find("heads"), std::string::npos);
  c = VitConfig{};
  c.patchSize = 12;
  EXPECT_FALSE(c.validate().ok());
  c = VitConfig{};
  c.patchSize = 14;
  c.imageSize = 224;  // 224 = 16 * 14: fine
  EXPECT_TRUE(c.validate().ok());
  c.imageSize = 220;
  EXPECT_FALSE(c.validate().ok());
  c = VitConfig{};
  c.registerTokens = -1;
  EXPECT_FALSE(c.validate().ok());
}

}  // namespace
