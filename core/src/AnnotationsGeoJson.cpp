#include "meridian/core/AnnotationsGeoJson.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "meridian/core/AtomicFile.hpp"

namespace meridian::core {
namespace {

using nlohmann::json;

constexpr double kToQuPath = 0.5;  // Meridian's pixel centre (0, 0) is QuPath's (0.5, 0.5)
constexpr std::size_t kMaxFileBytes = 512u << 20;

json position(const std::array<double, 2>& p) {
  return json::array({p[0] + kToQuPath, p[1] + kToQuPath});
}

json geometryOf(const Annotation& a) {
  json coordinates = json::array();
  switch (a.shape) {
    case AnnotationShape::Point:
      if (a.points.size() == 1) return {{"type", "Point"}, {"coordinates", position(a.points.front())}};
      for (const auto& p : a.points) coordinates.push_back(position(p));
      return {{"type", "MultiPoint"}, {"coordinates", coordinates}};
    case AnnotationShape::Rectangle: {
      if (a.points.size() != 2) break;  // malformed: written as the polygon of its points
      const auto& p = a.points;
      const double x0 = std::min(p[0][0], p[1][0]), x1 = std::max(p[0][0], p[1][0]);
      const double y0 = std::min(p[0][1], p[1][1]), y1 = std::max(p[0][1], p[1][1]);
      for (const auto& c : {std::array<double, 2>{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}})
        coordinates.push_back(position(c));
      return {{"type", "Polygon"}, {"coordinates", json::array({coordinates})}};
    }
    case AnnotationShape::Polygon:
      break;
  }
  for (const auto& p : a.points) coordinates.push_back(position(p));
  if (!a.points.empty()) coordinates.push_back(position(a.points.front()));  // GeoJSON rings are closed
  return {{"type", "Polygon"}, {"coordinates", json::array({coordinates})}};
}

Result<std::array<double, 2>> readPosition(const json& value, const std::string& where) {
  if (!value.is_array() || value.size() < 2 || !value[0].is_number() || !value[1].is_number())
    return makeError(ErrorCode::Corrupt, where + ": a position must be [x, y]");
  const double x = value[0].get<double>() - kToQuPath, y = value[1].get<double>() - kToQuPath;
  if (!std::isfinite(x) || !std::isfinite(y))
    return makeError(ErrorCode::Corrupt, where + ": coordinates are not finite");
  return std::array<double, 2>{x, y};
}

Result<std::vector<std::array<double, 2>>> readPositions(const json& value, const std::string& where) {
  if (!value.is_array()) return makeError(ErrorCode::Corrupt, where + ": expected a list of positions");
  std::vector<std::array<double, 2>> out;
  for (const auto& item : value) {
    auto p = readPosition(item, where);
    if (!p) return p.error();
    out.push_back(p.value());
  }
  return out;
}

// A closed ring (last == first) loses its closing point; a ring needs three vertices.
Result<std::vector<std::array<double, 2>>> readRing(const json& polygon, const std::string& where) {
  if (!polygon.is_array() || polygon.empty()) return makeError(ErrorCode::Corrupt, where + ": a polygon needs a ring");
  auto ring = readPositions(polygon[0], where);
  if (!ring) return ring.error();
  auto points = std::move(ring).value();
  if (points.size() > 1 && points.front() == points.back()) points.pop_back();
  if (points.size() < 3) return makeError(ErrorCode::Corrupt, where + ": a polygon needs at least three vertices");
  return points;
}

bool isAxisAlignedRectangle(const std::vector<std::array<double, 2>>& p) {
  if (p.size() != 4) return false;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& a = p[i];
    const auto& b = p[(i + 1) % 4];
    if (a[0] != b[0] && a[1] != b[1]) return false;
  }
  return true;
}

// "patientCoordinates": the shape's points in patient space, one finite [x, y, z] each.
Result<std::vector<std::array<double, 3>>> readPatientPoints(const json& properties, const std::string& where) {
  std::vector<std::array<double, 3>> points;
  if (!properties.contains("patientCoordinates")) return points;
  const json& list = properties["patientCoordinates"];
  if (!list.is_array()) return makeError(ErrorCode::Corrupt, where + ": \"patientCoordinates\" is not a list");
  for (const auto& p : list) {
    if (!p.is_array() || p.size() != 3 || !std::all_of(p.begin(), p.end(), [](const json& v) { return v.is_number(); }))
      return makeError(ErrorCode::Corrupt, where + ": a patient coordinate must be [x, y, z]");
    const std::array<double, 3> point{p[0].get<double>(), p[1].get<double>(), p[2].get<double>()};
    if (!std::all_of(point.begin(), point.end(), [](double v) { return std::isfinite(v); }))
      return makeError(ErrorCode::Corrupt, where + ": patient coordinates are not finite");
    points.push_back(point);
  }
  return points;
}

// A shape on a volume's plane: both "plane" and "slice", or neither.
Status readPlacement(const json& properties, const std::string& where, Annotation& into) {
  const bool hasPlane = properties.contains("plane"), hasSlice = properties.contains("slice");
  if (!hasPlane && !hasSlice) return Ok{};
  if (hasPlane != hasSlice) return makeError(ErrorCode::Corrupt, where + ": \"plane\" and \"slice\" go together");
  const json& plane = properties["plane"];
  const json& slice = properties["slice"];
  if (!plane.is_string() || plane.get<std::string>().empty())
    return makeError(ErrorCode::Corrupt, where + ": \"plane\" must be a plane's name");
  if (!slice.is_number_integer() || slice.get<std::int64_t>() < 0 ||
      slice.get<std::int64_t>() > std::numeric_limits<int>::max())
    return makeError(ErrorCode::Corrupt, where + ": \"slice\" must be a non-negative integer");
  into.plane = plane.get<std::string>();
  into.slice = static_cast<int>(slice.get<std::int64_t>());
  return Ok{};
}

// The voxel axis (0, 1, 2) whose direction is closest to ±patient axis `row`, among `allowed`.
int voxelAxisAlong(const Volume& volume, int row, const std::array<bool, 3>& allowed) {
  int best = -1;
  for (int c = 0; c < 3; ++c)
    if (allowed[c] && (best < 0 || std::abs(volume.direction[row * 3 + c]) > std::abs(volume.direction[row * 3 + best])))
      best = c;
  return best;
}

// The voxel axes along a plane's screen axes: axial (L, P), coronal (L, S), sagittal (P, S);
// the axis along the plane's normal is left out first, so the two are always distinct.
std::array<int, 2> inPlaneVoxelAxes(const Volume& volume, const std::string& plane) {
  const int normalRow = plane == "sagittal" ? 0 : plane == "coronal" ? 1 : 2;
  const std::array<int, 2> rows = plane == "sagittal" ? std::array<int, 2>{1, 2}
                                  : plane == "coronal" ? std::array<int, 2>{0, 2}
                                                       : std::array<int, 2>{0, 1};
  std::array<bool, 3> allowed{true, true, true};
  allowed[voxelAxisAlong(volume, normalRow, allowed)] = false;
  const int u = voxelAxisAlong(volume, rows[0], allowed);
  allowed[u] = false;
  return {u, voxelAxisAlong(volume, rows[1], allowed)};
}

}  // namespace

std::string toGeoJson(const AnnotationSet& set, const Volume* volume) {
  json features = json::array();
  for (const auto& original : set.annotations) {
    Annotation a = original;
    json located;  // the patient and voxel coordinates of a shape on a volume's plane
    if (!a.patientPoints.empty()) {
      json patient = json::array();
      for (const auto& p : a.patientPoints) patient.push_back({p[0], p[1], p[2]});
      located["patientCoordinates"] = patient;
      if (volume) {
        const auto axes = inPlaneVoxelAxes(*volume, a.plane);
        json voxels = json::array();
        a.points.clear();
        for (const auto& p : a.patientPoints) {
          const Vec3 index = volume->physicalToIndex(p);
          voxels.push_back({index[0], index[1], index[2]});
          a.points.push_back({index[axes[0]], index[axes[1]]});
        }
        located["voxelCoordinates"] = voxels;
        located["voxelAxes"] = {axes[0], axes[1]};
        located["coordinateUnits"] = {
            {"geometry", "voxel index components voxelAxes of the volume, QuPath's pixel-corner convention (+0.5)"},
            {"voxelCoordinates", "voxel index [i, j, k] of the volume, 0-based, voxel centres on integers"},
            {"patientCoordinates", "DICOM patient coordinates (LPS), mm"}};
      }
    }
    json properties = {{"objectType", "annotation"}};
    if (!a.name.empty()) properties["name"] = a.name;
    if (!a.className.empty()) {
      const AnnotationClass* c = set.findClass(a.className);
      const auto color = c ? c->color : std::array<std::uint8_t, 3>{255, 255, 0};
      properties["classification"] = {{"name", a.className}, {"color", {color[0], color[1], color[2]}}};
    }
    if (a.shape == AnnotationShape::Rectangle) properties["meridianShape"] = "rectangle";
    if (!a.plane.empty()) {
      properties["plane"] = a.plane;
      properties["slice"] = a.slice;
    }
    if (!located.is_null()) properties.update(located);
    features.push_back({{"type", "Feature"}, {"id", a.id}, {"geometry", geometryOf(a)}, {"properties", properties}});
  }
  return json{{"type", "FeatureCollection"}, {"features", features}}.dump(2) + "\n";
}

Result<AnnotationSet> fromGeoJson(const std::string& text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return makeError(ErrorCode::Corrupt, "not valid JSON");
  // QuPath writes a FeatureCollection; a bare list of Features or one Feature also occurs.
  json features;
  if (doc.is_object() && doc.value("type", "") == "FeatureCollection" && doc.contains("features"))
    features = doc["features"];
  else if (doc.is_array())
    features = doc;
  else if (doc.is_object() && doc.value("type", "") == "Feature")
    features = json::array({doc});
  else
    return makeError(ErrorCode::Corrupt, "not a GeoJSON FeatureCollection");
  if (!features.is_array()) return makeError(ErrorCode::Corrupt, "\"features\" is not a list");

  AnnotationSet set;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < features.size(); ++i) {
    const json& f = features[i];
    const std::string where = "feature " + std::to_string(i);
    if (!f.is_object() || !f.contains("geometry") || !f["geometry"].is_object())
      return makeError(ErrorCode::Corrupt, where + ": no geometry");
    const json& g = f["geometry"];
    const std::string type = g.value("type", "");
    if (!g.contains("coordinates")) return makeError(ErrorCode::Corrupt, where + ": geometry without coordinates");
    const json& coords = g["coordinates"];
    const json properties = f.contains("properties") && f["properties"].is_object() ? f["properties"] : json::object();

    Annotation base;
    if (f.contains("id") && f["id"].is_string()) base.id = f["id"].get<std::string>();
    if (properties.contains("name") && properties["name"].is_string())
      base.name = properties["name"].get<std::string>();
    if (properties.contains("classification") && properties["classification"].is_object()) {
      const json& c = properties["classification"];
      base.className = c.value("name", "");
      AnnotationClass cls{base.className, {255, 255, 0}};
      if (c.contains("color") && c["color"].is_array() && c["color"].size() == 3) {
        for (int k = 0; k < 3; ++k)
          if (c["color"][k].is_number())
            cls.color[k] = static_cast<std::uint8_t>(std::clamp(c["color"][k].get<int>(), 0, 255));
      } else if (c.contains("colorRGB") && c["colorRGB"].is_number_integer()) {  // QuPath 0.2
        const auto rgb = static_cast<std::uint32_t>(c["colorRGB"].get<std::int64_t>());
        cls.color = {static_cast<std::uint8_t>(rgb >> 16), static_cast<std::uint8_t>(rgb >> 8),
                     static_cast<std::uint8_t>(rgb)};
      }
      if (!base.className.empty() && !set.findClass(base.className)) set.classes.push_back(cls);
    }

    if (auto placed = readPlacement(properties, where, base); !placed) return placed.error();
    if (auto patient = readPatientPoints(properties, where); !patient) return patient.error();
    else base.patientPoints = std::move(patient).value();

    std::vector<Annotation> made;
    if (type == "Point") {
      auto p = readPosition(coords, where);
      if (!p) return p.error();
      made.push_back(base);
      made.back().shape = AnnotationShape::Point;
      made.back().points = {p.value()};
    } else if (type == "MultiPoint") {
      auto points = readPositions(coords, where);
      if (!points) return points.error();
      if (points.value().empty()) return makeError(ErrorCode::Corrupt, where + ": MultiPoint without points");
      made.push_back(base);
      made.back().shape = AnnotationShape::Point;
      made.back().points = std::move(points).value();
    } else if (type == "Polygon" || type == "MultiPolygon") {
      const json polygons = type == "Polygon" ? json::array({coords}) : coords;
      if (!polygons.is_array()) return makeError(ErrorCode::Corrupt, where + ": MultiPolygon is not a list");
      for (const auto& polygon : polygons) {
        auto ring = readRing(polygon, where);
        if (!ring) return ring.error();
        Annotation a = base;
        a.points = std::move(ring).value();
        a.shape = AnnotationShape::Polygon;
        if (properties.value("meridianShape", "") == "rectangle" && isAxisAlignedRectangle(a.points)) {
          a.shape = AnnotationShape::Rectangle;
          a.points = {a.points[0], a.points[2]};
        }
        made.push_back(std::move(a));
      }
    } else {
      return makeError(ErrorCode::Unsupported, where + ": geometry type \"" + type + "\" is not supported");
    }
    for (auto& a : made) {
      if (a.id.empty() || ids.count(a.id)) a.id = makeAnnotationId();  // split MultiPolygons, duplicates
      ids.insert(a.id);
      set.annotations.push_back(std::move(a));
    }
  }
  return set;
}

Status saveGeoJson(const AnnotationSet& set, const std::filesystem::path& path) {
  // What fromGeoJson would refuse is not written: a volume plane needs its slice.
  for (const auto& a : set.annotations)
    if (!a.plane.empty() && a.slice < 0)
      return makeError(ErrorCode::InvalidArgument,
                       "annotation '" + a.id + "' is on the " + a.plane + " plane without a slice");
  return writeFileAtomically(path, toGeoJson(set));
}

Result<AnnotationSet> loadGeoJson(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return makeError(ErrorCode::NotFound, path.string() + ": " + ec.message());
  if (size > kMaxFileBytes) return makeError(ErrorCode::Unsupported, path.string() + ": larger than 512 MB");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return makeError(ErrorCode::Io, path.string() + ": cannot read");
  auto set = fromGeoJson(text.str());
  if (!set) return makeError(set.error().code, path.string() + ": " + set.error().message);
  return set;
}

}  // namespace meridian::core
