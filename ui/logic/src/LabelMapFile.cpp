#include "meridian/ui/LabelMapFile.hpp"

#include "meridian/io/MapReader.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace meridian::ui {

core::Result<viewers::FittedLabelMap> readLabelMapFor(const viewers::ShownContent& shown,
                                                      const std::filesystem::path& file) {
  if (auto status = viewers::acceptsOverlays(shown); !status) return status.error();
  const auto how = viewers::labelMapReading(shown, io::storesGeometry(file));
  if (how == viewers::LabelMapReading::MapWithGeometry) {
    auto map = io::readMap(file);
    if (!map) return map.error();  // names the file
    return viewers::fitLabelMap(shown, how, std::move(map).value(), file.string());
  }
  auto opened = io::ReaderRegistry::builtin().open(file);
  if (!opened) return opened.error();
  viewers::ReadLabelMap read = std::visit([](auto&& content) -> viewers::ReadLabelMap { return std::move(content); },
                                          std::move(opened.value().content));
  return viewers::fitLabelMap(shown, how, std::move(read), file.string());
}

}  // namespace meridian::ui
