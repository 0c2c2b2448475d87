#pragma once
// Annotations as GeoJSON, the way QuPath exports and imports them: a FeatureCollection of
// Features with "geometry" (Point / MultiPoint / Polygon) in pixel coordinates and
// "properties": {"objectType": "annotation", "classification": {"name", "color": [r, g, b]}}.
// QuPath puts (0, 0) at the top-left corner of the first pixel; Meridian puts it at that
// pixel's centre, so coordinates are shifted by 0.5 on the way out and back on the way in.
// Rectangles leave as 5-point closed Polygons (what QuPath writes) with "meridianShape":
// "rectangle" so they come back as rectangles; QuPath ignores the extra property.
// Shapes on a volume's plane carry "plane" ("axial", "coronal", "sagittal") and "slice"
// (0-based voxel slice) properties, also ignored by QuPath; their coordinates are the
// plane's pixel coordinates with the same half-pixel shift. A shape that also holds patient
// points (a project stores volume shapes so) carries them as "patientCoordinates" ([x, y, z],
// LPS, mm) and, when the volume is given, "voxelCoordinates" ([i, j, k], the volume's continuous
// voxel index, 0-based, voxel centres on integers); its geometry is then the two in-plane
// components of the voxel index that "voxelAxes" names (e.g. [0, 1] on an axially stored
// axial plane), with the half-pixel shift, and "coordinateUnits" says all this in the file.

#include <filesystem>
#include <string>

#include "meridian/core/Annotations.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::core {

/// `volume`: the volume the set's plane shapes lie in (its geometry only is used), for their
/// voxel coordinates; without it, shapes with patient points keep their plane pixel points.
std::string toGeoJson(const AnnotationSet& set, const Volume* volume = nullptr);

/// Reads Features whose geometry is Point, MultiPoint, Polygon (outer ring; holes are
/// dropped) or MultiPolygon (one annotation per polygon). Anything else, malformed JSON or
/// coordinates that are not finite numbers fail with a message naming the feature, as do a
/// "plane" that is not a non-empty string, a "slice" that is not a non-negative integer, and
/// one of the two without the other. "patientCoordinates" (when present: one finite [x, y, z]
/// per point) comes back as the annotation's patient points.
Result<AnnotationSet> fromGeoJson(const std::string& text);

/// Atomic write (temporary file, then rename) of toGeoJson(set).
Status saveGeoJson(const AnnotationSet& set, const std::filesystem::path& path);
Result<AnnotationSet> loadGeoJson(const std::filesystem::path& path);

}  // namespace meridian::core
