// Replays tests/data/corrupt/: real files truncated, bit-flipped, length-bombed or given
// the wrong transfer syntax (made by make_corpus.py), plus anything the fuzzers found.
// Each must give its expected outcome from expected.tsv, and none may crash.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;

TEST(CorruptCorpus, EveryFileGivesItsExpectedOutcome) {
  const fs::path corpus = MERIDIAN_TEST_CORRUPT_CORPUS;
  std::ifstream table(corpus / "expected.tsv");
  ASSERT_TRUE(table) << "missing " << (corpus / "expected.tsv");
  std::map<std::string, std::string> expected;
  for (std::string line; std::getline(table, line);) {
    if (line.empty() || line.front() == '#') continue;
    const auto tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << "bad line in expected.tsv: " << line;
    expected[line.substr(0, tab)] = line.substr(tab + 1);
  }
  std::size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    if (name == "expected.tsv" || entry.path().extension() == ".py") continue;
    SCOPED_TRACE(name);
    const auto want = expected.find(name);
    if (want == expected.end()) {
      ADD_FAILURE() << "no expected outcome for this file in expected.tsv";
      continue;
    }
    ++seen;
    auto result = io::ReaderRegistry::builtin().open(entry.path());
    if (want->second == "LOADS") {
      EXPECT_TRUE(result.ok()) << result.error().describe();
    } else {
      ASSERT_FALSE(result.ok()) << "expected a refusal containing '" << want->second << "'";
      EXPECT_NE(result.error().message.find(want->second), std::string::npos) << result.error().message;
      EXPECT_NE(result.error().message.find(name), std::string::npos) << "the message names the file";
    }
  }
  EXPECT_EQ(seen, expected.size()) << "expected.tsv lists files that are not in the corpus";
}
