// Predictions CSV, read back by Python's csv module (an independent RFC 4180 reader).

#include "meridian/report/PredictionsCsv.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <memory>

namespace fs = std::filesystem;
using namespace meridian;

namespace {

const fs::path kOut = MERIDIAN_TEST_OUTPUT "/csv";
const std::string kSha(64, 'a');

report::CaseRow row(const std::string& id, std::vector<double> probabilities, const std::string& label) {
  report::CaseRow r;
  r.caseId = id;
  r.prediction.labels = {"benign", "malignant, invasive", "say \"other\""};
  r.prediction.probabilities = std::move(probabilities);
  r.prediction.modelName = "meridian-vit-b16-derm";
  r.prediction.weightsSha256 = kSha;
  r.label = label;
  if (!label.empty()) r.review = {"Dr. Ada Reviewer", "changed to " + label, "2026-12-02T04:30:00Z"};
  return r;
}

TEST(PredictionsCsvTest, PythonCsvReadsEveryCellBack) {
  fs::create_directories(kOut);
  const std::vector<report::CaseRow> rows = {row("cases/a,b.png", {0.7, 0.2, 0.1}, "benign"),
                                             row("line\nbreak.png", {0.05, 0.9, 0.05}, ""),
                                             row("=HYPERLINK(\"x\").png", {0.1, 0.1, 0.8}, "say \"other\"")};
  const fs::path csv = kOut / "predictions.csv";
  ASSERT_TRUE(report::writePredictionsCsv(rows, csv).ok());
  const std::string script =
      "import csv,sys\n"
      "rows=list(csv.DictReader(open(sys.argv[1],newline='')))\n"
      "assert len(rows)==3, rows\n"
      "assert rows[0]['case']=='cases/a,b.png' and rows[0]['predicted_label']=='benign' and "
      "rows[0]['label']=='benign'\n"
      "assert float(rows[0]['p_benign'])==0.7 and float(rows[0]['p_malignant, invasive'])==0.2\n"
      "assert rows[1]['case']=='line\\nbreak.png' and rows[1]['predicted_label']=='malignant, invasive' and "
      "rows[1]['label']==''\n"
      "assert rows[2]['case']==\"'=HYPERLINK(\\\"x\\\").png\", rows[2]['case']\n"
      "assert rows[2]['label']=='say \"other\"' and float(rows[2]['p_say \"other\"'])==0.8\n"
      "assert rows[2]['decision']=='changed to say \"other\"' and rows[2]['weights_sha256']=='" +
      kSha +
      "'\n"
      "print('python csv: 3 rows read back')\n";
  {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen((kOut / "check.py").c_str(), "w"), std::fclose);
    std::fputs(script.c_str(), f.get());
  }
  const std::string command = "/usr/bin/python3 '" + (kOut / "check.py").string() + "' '" + csv.string() + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST(PredictionsCsvTest, RefusesMixedLabelSetsAndInvalidPredictions) {
  auto other = row("b.png", {0.5, 0.5}, "");
  other.prediction.labels = {"benign", "malignant"};
  auto r = report::predictionsCsv({row("a.png", {0.7, 0.2, 0.1}, ""), other});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("b.png"), std::string::npos) << r.error().message;
  auto nan = row("c.png", {0.7, 0.2, std::nan("")}, "");
  EXPECT_FALSE(report::predictionsCsv({nan}).ok());
  EXPECT_FALSE(report::predictionsCsv({}).ok());
}

}  // namespace
