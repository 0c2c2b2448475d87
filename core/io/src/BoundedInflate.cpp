#include "BoundedInflate.hpp"

#include <zlib.h>

#include <array>
#include <fstream>
#include <string>
#include <vector>

namespace meridian::io::detail {

using core::ErrorCode;
using core::makeError;

core::Result<std::uint64_t> inflatedSize(const std::filesystem::path& path, std::uint64_t offset, Compression compression,
                                         std::uint64_t maxBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::Io, "cannot open " + path.filename().string());
  in.seekg(static_cast<std::streamoff>(offset));
  z_stream z{};
  // 16 + MAX_WBITS: gzip wrapper, whose CRC-32 and length zlib checks at the end.
  const int windowBits = compression == Compression::Gzip ? 16 + MAX_WBITS : MAX_WBITS;
  if (inflateInit2(&z, windowBits) != Z_OK) return makeError(ErrorCode::Internal, "zlib cannot start");
  std::vector<unsigned char> input(1 << 16), output(1 << 16);
  std::uint64_t total = 0;
  bool ended = false;
  core::Result<std::uint64_t> result = makeError(ErrorCode::Internal, "unreachable");
  for (;;) {
    if (z.avail_in == 0) {
      in.read(reinterpret_cast<char*>(input.data()), static_cast<std::streamsize>(input.size()));
      z.next_in = input.data();
      z.avail_in = static_cast<uInt>(in.gcount());
      if (z.avail_in == 0) {
        result = ended ? core::Result<std::uint64_t>(total)
                       : makeError(ErrorCode::Corrupt, "truncated: the compressed data ends early, after " +
                                                           std::to_string(total) + " bytes");
        break;
      }
    }
    if (ended) {
      // Another gzip member may follow; anything else after the stream is ignored, as gzread does.
      if (compression != Compression::Gzip || z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b) {
        result = total;
        break;
      }
      inflateReset(&z);
      ended = false;
    }
    z.next_out = output.data();
    z.avail_out = static_cast<uInt>(output.size());
    const int status = inflate(&z, Z_NO_FLUSH);
    total += output.size() - z.avail_out;
    if (total > maxBytes) {
      result = makeError(ErrorCode::Corrupt, "the compressed data inflates to more than the " + std::to_string(maxBytes) +
                                                 " bytes its header declares (damaged, or a decompression bomb)");
      break;
    }
    if (status == Z_STREAM_END) {
      ended = true;
    } else if (status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_MEM_ERROR || status == Z_STREAM_ERROR) {
      const std::string why = z.msg ? z.msg : "zlib error " + std::to_string(status);
      result = makeError(ErrorCode::Corrupt, "damaged compressed data (" + why + ") after " + std::to_string(total) +
                                                 " bytes");
      break;
    }
  }
  inflateEnd(&z);
  return result;
}

}  // namespace meridian::io::detail
