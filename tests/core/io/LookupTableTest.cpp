// VOI LUT and Modality LUT Sequences on real images (pydicom's CT_small and MR_small with
// tables added by lut_reference.py): Meridian's decode and applyLookupTable against
// pydicom's apply_modality_lut / apply_voi_lut, and against the standard's rule where
// pydicom 2.3.1 gets it wrong (8-bit entries: its index array is uint8 and wraps) or
// cannot read the table (8-bit entries packed two per word).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <iostream>

#include "PeerPixels.hpp"
#include "meridian/core/LookupTable.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kRef = MERIDIAN_TEST_LUT_REFERENCE;

using test::readF64;
using test::worstDifference;

nlohmann::json reference() {
  std::ifstream in(kRef / "lut-reference.json");
  EXPECT_TRUE(in) << "run the lut_reference fixture first";
  return in ? nlohmann::json::parse(in) : nlohmann::json::object();
}

}  // namespace

TEST(LookupTables, VoiLutsMatchPydicomOrTheStandard) {
  const auto table = reference();
  int compared = 0, pydicomAgreed = 0;
  for (const auto& [name, entry] : table.items()) {
    if (entry["voi"].empty()) continue;
    SCOPED_TRACE(name);
    auto opened = io::ReaderRegistry::builtin().open(kRef / (name + ".dcm"));
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    const auto& image = std::get<core::Image2D>(opened.value().content);
    ASSERT_EQ(image.voiLuts.size(), entry["voi"].size());
    const std::size_t count = static_cast<std::size_t>(image.width()) * image.height();
    for (std::size_t i = 0; i < image.voiLuts.size(); ++i) {
      const auto& want = entry["voi"][i];
      EXPECT_EQ(image.voiLuts[i].explanation, want["explanation"].get<std::string>());
      EXPECT_EQ(image.voiLuts[i].bits, want["bits"].get<int>());
      auto shown = core::applyLookupTable(image, image.voiLuts[i]);
      ASSERT_TRUE(shown.ok()) << shown.error().describe();
      EXPECT_EQ(shown.value().pixelType(), want["bits"].get<int>() == 8 ? core::PixelType::UInt8 : core::PixelType::UInt16);
      const std::string stem = name + ".voi" + std::to_string(i);
      EXPECT_EQ(worstDifference(shown.value(), readF64(kRef / (stem + ".standard.f64"), count)), 0.0) << "standard rule";
      if (want["pydicom"] == "ok" && want["agrees"].get<bool>()) {
        EXPECT_EQ(worstDifference(shown.value(), readF64(kRef / (stem + ".pydicom.f64"), count)), 0.0) << "pydicom";
        ++pydicomAgreed;
      } else {
        std::cout << "  " << stem << ": pydicom " << want["pydicom"].get<std::string>()
                  << (want.contains("pydicom_differs") ? ", differs from the standard in " + want["pydicom_differs"].dump() + " pixels" : "")
                  << "; Meridian follows the standard\n";
      }
      ++compared;
    }
  }
  EXPECT_EQ(compared, 7);
  EXPECT_EQ(pydicomAgreed, 5);  // linear, sigmoid, gamma, implicit-VR negative first, 65536 entries
}

TEST(LookupTables, ModalityLutSequenceGivesPydicomsValues) {
  const auto table = reference();
  ASSERT_TRUE(table.contains("ct-modality-lut"));
  auto opened = io::ReaderRegistry::builtin().open(kRef / "ct-modality-lut.dcm");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  const auto& image = std::get<core::Image2D>(opened.value().content);
  const auto peer = readF64(kRef / "ct-modality-lut.modality.f64", static_cast<std::size_t>(image.width()) * image.height());
  EXPECT_EQ(worstDifference(image, peer), 0.0);
  EXPECT_GT(image.valueRange()[1], 30000.0);  // the table's values, not the stored ones
}

TEST(LookupTables, ValuesOutsideTheTableTakeItsEnds) {
  core::LookupTable lut;
  lut.firstMapped = -10;
  lut.entries = {5, 6, 7};
  EXPECT_EQ(lut.map(-1000), 5);
  EXPECT_EQ(lut.map(-10), 5);
  EXPECT_EQ(lut.map(-9), 6);
  EXPECT_EQ(lut.map(-8.5), 6);  // rounded down
  EXPECT_EQ(lut.map(-8), 7);
  EXPECT_EQ(lut.map(1e9), 7);
  EXPECT_EQ(lut.map(std::nan("")), 5);
}
