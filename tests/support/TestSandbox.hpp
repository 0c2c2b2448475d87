#pragma once
// Every test process gets a folder of its own: TMPDIR, GoogleTest's TEST_TMPDIR and the XDG
// folders (Qt's settings, Meridian's logs and data) point inside it, so no test writes to a
// fixed /tmp name another run may share, or to the user's real settings and logs. The
// folder is removed when the process ends (MERIDIAN_KEEP_TEST_TMP=1 keeps it).

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace meridian::test {

class TestSandbox {
 public:
  TestSandbox() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/meridian-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return;  // tests then use the system's folders
    root_ = pattern;
    const auto set = [](const char* name, const std::filesystem::path& p) {
      std::error_code ec;
      std::filesystem::create_directories(p, ec);
      ::setenv(name, p.c_str(), 1);
    };
    set("TMPDIR", root_ / "tmp");
    set("TEST_TMPDIR", root_ / "tmp");
    set("XDG_CONFIG_HOME", root_ / "config");
    set("XDG_DATA_HOME", root_ / "data");
    set("XDG_CACHE_HOME", root_ / "cache");
    set("XDG_STATE_HOME", root_ / "state");
    set("MERIDIAN_DATA_DIR", root_ / "data" / "meridian");
  }
  ~TestSandbox() {
    const char* keep = std::getenv("MERIDIAN_KEEP_TEST_TMP");
    if (root_.empty() || (keep && std::string(keep) == "1")) return;
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TestSandbox(const TestSandbox&) = delete;
  TestSandbox& operator=(const TestSandbox&) = delete;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace meridian::test
