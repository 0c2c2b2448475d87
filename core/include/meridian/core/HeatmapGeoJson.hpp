#pragma once
// A slide heatmap's cells as GeoJSON in the layout QuPath imports: a FeatureCollection with one
// Feature per cell, its geometry a closed 5-point Polygon in level-0 pixel coordinates (QuPath's
// convention: (0, 0) is the top-left corner of the first pixel), "properties" with
// "objectType": "tile", "classification": {"name", "color"}, the cell's own "color" from the
// colour map, and "measurements": {name: value}. QuPath shows the tiles coloured by value and
// lists the measurement in its measurement tables; core::fromGeoJson reads the polygons back.
//
// The map is in the project's map convention (viewers/HeatmapLayer.hpp): a one-plane volume in
// image pixel coordinates, pixel centres on integers, spacing = pixels per cell, origin = the
// centre of cell (0, 0), identity direction.

#include <string>

#include "meridian/core/HeatmapOverlay.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::core {

struct HeatmapCellsOptions {
  std::string className = "heatmap";     // classification name of every cell
  std::string measurementName = "score";  // the measurement each cell carries
  /// Cells below this value are left out (NaN cells always are): a slide's background cells
  /// would otherwise bury the tissue in thousands of empty tiles.
  double minValue = -1e300;
  ColorMap colors = ColorMap::Jet;  // each cell's colour, over the kept cells' min..max
};

/// The GeoJSON text. Fails (InvalidArgument) when the map has more than one plane or channel,
/// a direction that is not the identity, a spacing that is not positive, or no cell to keep.
Result<std::string> heatmapCellsGeoJson(const Volume& map, const HeatmapCellsOptions& options = {});

}  // namespace meridian::core
