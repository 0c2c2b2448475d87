// File ▸ Export's Qt-free part: the entries, what each asks for, and the request it runs.

#include "meridian/ui/ExportChoices.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace meridian;
using report::ExportFormat;
using ui::ExportScope;

TEST(ExportChoices, EveryFormatIsOfferedAndEachEntryIsDistinct) {
  std::set<ExportFormat> formats;
  std::set<std::string> texts;
  for (const auto& c : ui::exportChoices()) {
    formats.insert(c.format);
    texts.insert(c.menuText);
  }
  EXPECT_EQ(formats.size(), 5u);
  EXPECT_EQ(texts.size(), ui::exportChoices().size());
}

TEST(ExportChoices, OneFileOrAFolderAsTheFormatWrites) {
  for (const auto& c : ui::exportChoices()) {
    const bool file = ui::writesOneFile(c);
    EXPECT_EQ(file, !ui::fileFilter(c).empty()) << c.menuText;
    if (c.format == ExportFormat::Pdf || c.format == ExportFormat::Csv) EXPECT_TRUE(file) << c.menuText;
    if (c.format == ExportFormat::Deid) EXPECT_FALSE(file) << c.menuText;
    if (c.format == ExportFormat::Sr || c.format == ExportFormat::GeoJson)
      EXPECT_EQ(file, c.scope == ExportScope::CurrentCase) << c.menuText;
  }
  EXPECT_EQ(ui::suggestedName({ExportFormat::Pdf, ExportScope::CurrentCase, false, ""}, 7), "case-7-report.pdf");
  EXPECT_EQ(ui::suggestedName({ExportFormat::Sr, ExportScope::Project, false, ""}, 7), "project-sr");
}

TEST(ExportChoices, TheRequestNeedsACaseForCaseChoicesAndNeverReplacesTheDatabase) {
  const ui::ExportChoice caseSr{ExportFormat::Sr, ExportScope::CurrentCase, false, ""};
  auto none = ui::exportRequest(caseSr, std::nullopt, "/tmp/x.dcm", "/data/project");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("select a case"), std::string::npos);
  auto one = ui::exportRequest(caseSr, 4, "/tmp/x.dcm", "/data/project");
  ASSERT_TRUE(one);
  EXPECT_EQ(one.value().cases, std::vector<project::CaseId>{4});
  EXPECT_EQ(one.value().policy.inputs, std::vector<std::filesystem::path>{"/data/project/project.sqlite"});
  const ui::ExportChoice hidden{ExportFormat::Pdf, ExportScope::Project, true, ""};
  auto all = ui::exportRequest(hidden, 4, "/tmp/r.pdf", "/data/project");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all.value().cases.empty());  // the project: every case
  EXPECT_TRUE(all.value().hidePatient);
}

TEST(ExportChoices, TheDoneLineSaysWhatWasLeftOutAndWhetherItNamesPatients) {
  report::ProjectExportSummary s;
  s.cases = 2;
  s.identifiesPatients = true;
  s.skipped = {"case 3 (/x.png): no prediction"};
  report::ProjectExportRequest r;
  r.format = ExportFormat::Pdf;
  r.output = "/tmp/r.pdf";
  const std::string text = ui::exportDoneText(s, r);
  EXPECT_NE(text.find("Exported 2 case(s) as pdf to /tmp/r.pdf"), std::string::npos) << text;
  EXPECT_NE(text.find("not de-identified"), std::string::npos) << text;
  EXPECT_NE(text.find("case 3 (/x.png): no prediction"), std::string::npos) << text;
}
