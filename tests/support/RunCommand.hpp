#pragma once
// Runs a shell command from a test and hands back what it printed: the independent readers
// the report and export tests check Meridian's files with (pdftotext, pdfinfo, pdftoppm,
// dsrdump, dcmodify, a pydicom or OpenSlide script).

#include <array>
#include <cstdio>
#include <memory>
#include <string>

namespace meridian::test {

enum class Stderr { Captured, Dropped };

/// What `command` (run by /bin/sh) printed on stdout, and on stderr unless dropped; `rc` gets
/// pclose's status (0 when the command succeeded, -1 when it could not start).
inline std::string runCommand(const std::string& command, int& rc, Stderr stderrOutput = Stderr::Captured) {
  std::string out;
  const std::string line = command + (stderrOutput == Stderr::Captured ? " 2>&1" : " 2>/dev/null");
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(line.c_str(), "r"), ::pclose);
  std::array<char, 4096> buffer{};
  while (pipe && std::fgets(buffer.data(), buffer.size(), pipe.get())) out += buffer.data();
  rc = pipe ? ::pclose(pipe.release()) : -1;
  return out;
}

}  // namespace meridian::test
