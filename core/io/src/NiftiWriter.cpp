#include "NiftiWriter.hpp"

#include <zlib.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::io::detail {
namespace {

using core::ErrorCode;

// Deflates `pieces` in order into one gzip member, handing each full output buffer to `out`.
core::Status gzipInto(core::AtomicFile& out, std::initializer_list<std::string_view> pieces) {
  z_stream z{};
  // 15 + 16: a gzip wrapper (header with no name and time 0, CRC-32 and length trailer).
  if (deflateInit2(&z, kNiftiGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return core::makeError(ErrorCode::Internal, out.target().string() + ": zlib cannot start a gzip stream");
  std::vector<unsigned char> buffer(1 << 20);
  core::Status status = core::Ok{};
  auto drain = [&](int flush) {
    do {
      z.next_out = buffer.data();
      z.avail_out = static_cast<uInt>(buffer.size());
      if (deflate(&z, flush) == Z_STREAM_ERROR) {
        status = core::makeError(ErrorCode::Internal, out.target().string() + ": zlib failed while compressing");
        return;
      }
      const std::size_t produced = buffer.size() - z.avail_out;
      if (produced > 0) {
        if (auto written = out.write({reinterpret_cast<const char*>(buffer.data()), produced}); !written) {
          status = written;
          return;
        }
      }
    } while (z.avail_out == 0);
  };
  for (std::string_view piece : pieces) {
    // avail_in is 32-bit: feed a piece of any size 1 GiB at a time.
    while (!piece.empty() && status) {
      const std::size_t n = std::min<std::size_t>(piece.size(), std::size_t{1} << 30);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
      z.avail_in = static_cast<uInt>(n);
      drain(Z_NO_FLUSH);
      piece.remove_prefix(n);
    }
  }
  if (status) drain(Z_FINISH);
  deflateEnd(&z);
  return status;
}

}  // namespace

core::Status writeNifti(const NiftiGeometry& geometry, const void* voxels, std::size_t bytes,
                        const std::filesystem::path& path, bool gzip, const core::OutputPolicy& policy) {
  auto header = niftiHeader(geometry);
  if (!header) return core::makeError(header.error().code, path.string() + ": " + header.error().message);
  auto out = core::AtomicFile::create(path, policy);
  if (!out) return out.error();
  const std::string_view data(static_cast<const char*>(voxels), bytes);
  if (gzip) {
    if (auto written = gzipInto(out.value(), {header.value(), data}); !written) return written;
  } else {
    if (auto written = out.value().write(header.value()); !written) return written;
    if (auto written = out.value().write(data); !written) return written;
  }
  return out.value().commit();  // fsync + rename; on any failure the temporary is removed
}

}  // namespace meridian::io::detail
