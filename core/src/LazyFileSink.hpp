#pragma once
// A rotating log file that is created (folder and file) only when the first message reaches
// it (issue 16): `meridian-cli info`, `--help` and a window that logs nothing leave no file
// behind and pay no file-system work at start-up. What it logs, and how, is the rotating
// sink's: the same format, size limit and number of files.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>

namespace meridian::core::logging::detail {

class LazyRotatingFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LazyRotatingFileSink(std::filesystem::path file, std::size_t maxBytes, std::size_t maxFiles)
      : file_(std::move(file)), maxBytes_(maxBytes), maxFiles_(maxFiles) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!file_sink_ && !failed_) open();
    if (file_sink_) file_sink_->log(msg);
  }
  void flush_() override {
    if (file_sink_) file_sink_->flush();
  }
  // base_sink's set_pattern_ ends here too.
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    if (file_sink_) file_sink_->set_formatter(formatter->clone());
    base_sink::set_formatter_(std::move(formatter));
  }

 private:
  // On failure the reason goes to stderr once and the file stays off: logging must never
  // stop the program, and the console sink (when on) still carries every message.
  void open() {
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
    if (ec) return giveUp("cannot create log folder " + file_.parent_path().string() + ": " + ec.message());
    try {
      // Inside base_sink's lock already: the single-threaded variant needs no second mutex.
      file_sink_ = std::make_shared<spdlog::sinks::rotating_file_sink_st>(file_.string(), maxBytes_, maxFiles_);
      file_sink_->set_level(spdlog::level::trace);
      file_sink_->set_formatter(formatter_->clone());
    } catch (const spdlog::spdlog_ex& e) {
      giveUp("cannot write log file " + file_.string() + ": " + e.what());
    }
  }
  void giveUp(const std::string& why) {
    failed_ = true;
    std::fprintf(stderr, "meridian: %s; logging to the console only\n", why.c_str());
  }

  std::filesystem::path file_;
  std::size_t maxBytes_, maxFiles_;
  std::shared_ptr<spdlog::sinks::rotating_file_sink_st> file_sink_;
  bool failed_ = false;
};

}  // namespace meridian::core::logging::detail
