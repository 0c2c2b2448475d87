#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "meridian/core/Logging.hpp"

namespace fs = std::filesystem;
using namespace meridian::core;

TEST(Logging, EveryLayerWritesToTheRotatingFile) {
  const fs::path dir = fs::path(testing::TempDir()) / "meridian-logs";
  fs::remove_all(dir);
  logging::Options options;
  options.verbose = true;
  options.console = false;
  options.logDirectory = dir;
  auto file = logging::initialize(options);
  ASSERT_TRUE(file.ok()) << file.error().describe();
  logging::get(logging::Layer::Core)->debug("core says {}", 1);
  logging::get(logging::Layer::Model)->info("model says {}", 2);
  logging::get(logging::Layer::Ui)->warn("ui says {}", 3);
  logging::flush();
  std::ifstream in(file.value());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("[core] [debug] core says 1"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("[model] [info] model says 2"), std::string::npos);
  EXPECT_NE(text.str().find("[ui] [warning] ui says 3"), std::string::npos);
}

TEST(Logging, UnwritableFolderFallsBackToConsole) {
  logging::Options options;
  options.console = false;
  options.logDirectory = "/proc/meridian-no-logs-here";
  auto file = logging::initialize(options);
  EXPECT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, ErrorCode::Io);
  logging::get(logging::Layer::App)->info("still works");  // must not throw
}
