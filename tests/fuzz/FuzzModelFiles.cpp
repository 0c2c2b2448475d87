// libFuzzer target for the model files a user hands Meridian: safetensors weights (header
// JSON, offsets, dtypes, shapes) and model.json. Both parsers are torch-free, so this
// target builds in the fuzz preset without LibTorch. The first byte picks the parser.
//
//   build-fuzz/bin/fuzz_model -max_total_time=600 -rss_limit_mb=2048 CORPUS_DIR

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "ModelJson.hpp"
#include "meridian/model/SafeTensorsFile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const char* body = reinterpret_cast<const char*>(data + 1);
  if (data[0] % 2 == 0) {
    static const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("meridian-fuzz-" + std::to_string(::getpid()) + ".safetensors");
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(body, static_cast<std::streamsize>(size - 1));
    }
    auto file = meridian::model::SafeTensorsFile::open(path);
    if (!file) return 0;
    for (const auto& entry : file.value().entries()) (void)file.value().readBytes(entry);
    return 0;
  }
  (void)meridian::model::parseModelJson(std::string(body, size - 1));
  return 0;
}
