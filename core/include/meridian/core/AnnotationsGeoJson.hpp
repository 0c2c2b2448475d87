#pragma once
// Annotations as GeoJSON, the way QuPath exports and imports them: a FeatureCollection of
// Features with "geometry" (Point / MultiPoint / Polygon) in pixel coordinates and
// "properties": {"objectType": "annotation", "classification": {"name", "color": [r, g, b]}}.
// QuPath puts (0, 0) at the top-left corner of the first pixel; Meridian puts it at that
// pixel's centre, so coordinates are shifted by 0.5 on the way out and back on the way in.
// Rectangles leave as 5-point closed Polygons (what QuPath writes) with "meridianShape":
// "rectangle" so they come back as rectangles; QuPath ignores the extra property.

#include <filesystem>
#include <string>

#include "meridian/core/Annotations.hpp"
#include "meridian/core/Result.hpp"

namespace meridian::core {

std::string toGeoJson(const AnnotationSet& set);

/// Reads Features whose geometry is Point, MultiPoint, Polygon (outer ring; holes are
/// dropped) or MultiPolygon (one annotation per polygon). Anything else, malformed JSON or
/// coordinates that are not finite numbers fail with a message naming the feature.
Result<AnnotationSet> fromGeoJson(const std::string& text);

/// Atomic write (temporary file, then rename) of toGeoJson(set).
Status saveGeoJson(const AnnotationSet& set, const std::filesystem::path& path);
Result<AnnotationSet> loadGeoJson(const std::filesystem::path& path);

}  // namespace meridian::core
