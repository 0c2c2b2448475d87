// The labels CSV: quoting, BOM, blank lines, CRLF, relative paths, and every refusal with a
// message that says what to fix.
#include <gtest/gtest.h>

#include "TempDir.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/model/Labels.hpp"

namespace meridian::model {
namespace {

class LabelsCsv : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir / "img");
    for (const char* name : {"a.png", "b.png", "c.png", "d.png", "with,comma.png", "e.png"})
      test::writeBytes(dir.path() / "img" / name, name);  // content only matters for the hashes
  }
  std::filesystem::path write(const std::string& text) {
    const auto path = dir / "labels.csv";
    test::writeBytes(path, text);
    return path;
  }
  std::string errorOf(const std::string& text, const LabelCsvOptions& options = {}) {
    auto set = readLabelsCsv(write(text), options);
    return set.ok() ? std::string("(no error)") : set.error().message;
  }
  test::TempDir dir;
};

TEST_F(LabelsCsv, ReadsQuotedFieldsBomBlankLinesAndCrlf) {
  const auto set =
      readLabelsCsv(write("\xEF\xBB\xBFpath,label,patient\r\n"
                          "img/a.png,normal,P1\r\n"
                          "\r\n"
                          "\"img/with,comma.png\",\"nodule \"\"small\"\"\",P2\r\n"
                          "  img/b.png , normal , P3\r\n"
                          "\n"));
  ASSERT_TRUE(set.ok()) << set.error().describe();
  const auto& images = set.value().images;
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[1].relativePath, "img/with,comma.png");
  EXPECT_EQ(images[1].label, "nodule \"small\"");
  EXPECT_EQ(images[1].line, 4);
  EXPECT_EQ(images[2].label, "normal");  // unquoted fields are trimmed
  EXPECT_EQ(images[0].path, (dir.path() / "img" / "a.png").lexically_normal());
  EXPECT_TRUE(set.value().hasPatients);
  EXPECT_EQ(set.value().classes, (std::vector<std::string>{"nodule \"small\"", "normal"}));
  EXPECT_EQ(set.value().classIndices(), (std::vector<int>{1, 0, 1}));
  EXPECT_EQ(set.value().patients(), (std::vector<std::string>{"P1", "P2", "P3"}));
}

TEST_F(LabelsCsv, ColumnsInAnyOrderPatientOptional) {
  const auto set = readLabelsCsv(write("label,path\nx,img/a.png\ny,img/b.png\n"));
  ASSERT_TRUE(set.ok()) << set.error().describe();
  EXPECT_FALSE(set.value().hasPatients);
  EXPECT_TRUE(set.value().patients().empty());
  EXPECT_EQ(set.value().images[1].relativePath, "img/b.png");
}

TEST_F(LabelsCsv, RefusesBadHeadersAndRows) {
  EXPECT_NE(errorOf("path,label,site\nimg/a.png,x,1\n").find("unknown column 'site'"), std::string::npos);
  EXPECT_NE(errorOf("path,patient\nimg/a.png,P1\n").find("no 'label' column"), std::string::npos);
  EXPECT_NE(errorOf("path,label\nimg/a.png,x,extra\n").find(":2: 3 fields"), std::string::npos);
  EXPECT_NE(errorOf("path,label\nimg/a.png,\n").find("empty label"), std::string::npos);
  EXPECT_NE(errorOf("path,label\n\"img/a.png,x\n").find("not closed"), std::string::npos);
  EXPECT_NE(errorOf("path,label\nimg/a.png,x\nimg/a.png,y\n").find("listed twice"), std::string::npos);
  EXPECT_NE(errorOf("").find("empty"), std::string::npos);
  EXPECT_NE(errorOf("path,label\n").find("no labelled images"), std::string::npos);
}

TEST_F(LabelsCsv, TheSameImageUnderAnotherNameIsADuplicate) {
  // Before: x.png, ./x.png and x//x.png passed the duplicate check as three images, so a
  // split could put one copy in training and one in the held-out set.
  std::filesystem::create_symlink("a.png", dir / "img" / "link.png");
  std::filesystem::create_hard_link(dir / "img" / "a.png", dir / "img" / "hard.png");
  std::filesystem::create_directory_symlink("img", dir / "pics");
  for (const char* alias : {"./img/a.png", "img//a.png", "img/../img/a.png", "img/link.png", "img/hard.png",
                            "pics/a.png"}) {
    SCOPED_TRACE(alias);
    const auto message = errorOf(std::string("path,label\nimg/a.png,x\nimg/b.png,y\n") + alias + ",y\n");
    EXPECT_NE(message.find(":4: " + std::string(alias) + " is the same image as line 2"), std::string::npos) << message;
  }
  // Absolute and relative spellings of one file, too.
  const auto absolute = (dir.path() / "img" / "b.png").string();
  EXPECT_NE(errorOf("path,label\nimg/b.png,x\n" + absolute + ",y\n").find("same image as line 2"), std::string::npos);
  // Missing files (checked later) are compared by their normalised path.
  LabelCsvOptions noFiles;
  noFiles.requireFiles = false;
  EXPECT_NE(errorOf("path,label\nimg/gone.png,x\n./img//gone.png,y\n", noFiles).find("same image as line 2"),
            std::string::npos);
}

TEST_F(LabelsCsv, SpecialFilesAreRefusedByType) {
  std::filesystem::create_symlink("/dev/zero", dir / "zero.csv");
  auto set = readLabelsCsv(dir / "zero.csv");
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("character device"), std::string::npos) << set.error().message;
}

TEST_F(LabelsCsv, MissingFilesAreListedWithTheirLines) {
  const auto message = errorOf("path,label\nimg/a.png,x\nimg/nope.png,y\nimg/gone.png,y\n");
  EXPECT_NE(message.find("2 listed image(s) do not exist"), std::string::npos) << message;
  EXPECT_NE(message.find("line 3: "), std::string::npos) << message;
  EXPECT_NE(message.find("gone.png"), std::string::npos) << message;
}

TEST_F(LabelsCsv, OneClassOrTooFewPerClassIsRefusedBeforeTraining) {
  EXPECT_NE(errorOf("path,label\nimg/a.png,x\nimg/b.png,x\n").find("at least two classes"), std::string::npos);
  LabelCsvOptions options;
  options.minPerClass = 2;
  const auto message = errorOf("path,label\nimg/a.png,x\nimg/b.png,x\nimg/c.png,y\n", options);
  EXPECT_NE(message.find("class 'y' has 1 labelled image(s); at least 2"), std::string::npos) << message;
}

TEST_F(LabelsCsv, ClassMappingAndListHash) {
  const auto set = readLabelsCsv(write("path,label\nimg/a.png,x\nimg/b.png,y\n")).value();
  EXPECT_EQ(classIndicesIn(set, {"y", "x"}).value(), (std::vector<int>{1, 0}));
  const auto unknown = classIndicesIn(set, {"x", "z"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("label 'y' is not one of the model's classes (x, z)"), std::string::npos);
  const auto hashA = core::sha256OfFile(dir.path() / "img" / "a.png").value();
  const auto hashB = core::sha256OfFile(dir.path() / "img" / "b.png").value();
  const auto listHash = labelListSha256(set, {hashA, hashB});
  EXPECT_EQ(listHash.size(), 64u);
  EXPECT_NE(listHash, labelListSha256(set, {hashB, hashA}));  // content changed
  // Row order does not matter: the lines are sorted.
  const auto swapped = readLabelsCsv(write("path,label\nimg/b.png,y\nimg/a.png,x\n")).value();
  EXPECT_EQ(labelListSha256(swapped, {hashB, hashA}), listHash);
}

}  // namespace
}  // namespace meridian::model
