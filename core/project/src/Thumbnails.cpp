#include "meridian/project/Thumbnails.hpp"

#include <system_error>

#include "meridian/core/DisplayMapping.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ImageWriter.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::project {

std::filesystem::path thumbnailPath(const ProjectStore& store, const CaseRecord& record) {
  return store.thumbnailsFolder() / (std::to_string(record.id) + "-" + record.sha256.substr(0, 16) + ".png");
}

core::Result<std::filesystem::path> ensureThumbnail(const ProjectStore& store, const CaseRecord& record, int maxSide) {
  const auto path = thumbnailPath(store, record);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return path;
  if (store.isReadOnly())
    return core::makeError(core::ErrorCode::Io, "the project is open read-only: no thumbnail can be made for it");

  io::OpenedImage opened;
  if (!record.seriesUid.empty() && record.files.size() > 1) {
    io::DicomSeriesInfo series;
    series.seriesUid = record.seriesUid;
    for (const auto& f : record.files) series.files.emplace_back(f.path);
    auto loaded = io::loadDicomSeries(series);
    if (!loaded) return loaded.error();
    opened.format = "DICOM";
    opened.content = std::move(loaded.value().volume);
  } else {
    const std::string file = record.files.empty() ? record.path : record.files.front().path;
    auto o = io::ReaderRegistry::builtin().open(file);
    if (!o) return o.error();
    opened = std::move(o).value();
  }
  auto picture = io::representativeImage(opened, std::max(maxSide, 1) * 4);
  if (!picture) return picture.error();
  core::Image2D image = core::downsampleToFit(picture.value(), std::max(maxSide, 1));
  if (image.pixelType() != core::PixelType::UInt8) image = core::applyWindow(image, core::defaultWindow(image));

  std::filesystem::create_directories(store.thumbnailsFolder(), ec);
  if (ec) return core::makeError(core::ErrorCode::Io, "cannot create " + store.thumbnailsFolder().string() + ": " + ec.message());
  if (auto w = io::writeImage(image, path); !w) return w.error();
  return path;
}

}  // namespace meridian::project
