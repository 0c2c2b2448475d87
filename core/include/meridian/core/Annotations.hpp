#pragma once
// Annotations a person draws on a 2D image or a slide: points, rectangles and polygons,
// each with a class (name + colour). Coordinates are image pixel coordinates with pixel
// (i, j)'s centre at (i, j) (level-0 pixels for slides), as the viewers use them; GeoJSON
// files shift them by half a pixel to QuPath's convention (see AnnotationsGeoJson.hpp).
// On a CT/MR volume a shape lies on one voxel slice of one MPR plane; its coordinates are
// then that plane's pixel coordinates (the volume viewer's PlaneGrid) and `plane`/`slice`
// say where it belongs; `patientPoints` holds the same points in patient space.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace meridian::core {

enum class AnnotationShape { Point, Rectangle, Polygon };

struct AnnotationClass {
  std::string name;
  std::array<std::uint8_t, 3> color{255, 255, 0};
};

struct Annotation {
  std::string id;  // unique within a set; kept through GeoJSON ("id")
  AnnotationShape shape = AnnotationShape::Polygon;
  // Point: one or more points (a QuPath points annotation holds many). Rectangle: two
  // opposite corners. Polygon: the vertices, not closed (the last joins the first).
  std::vector<std::array<double, 2>> points;
  std::string className;  // "" = unclassified
  std::string name;       // free text shown beside the shape
  std::string plane;  // "" on 2D images and slides; "axial", "coronal" or "sagittal" on volumes
  int slice = -1;       // the plane's voxel slice (0-based) when `plane` is set, else -1
  // On a volume's plane: the same points in patient space (LPS, mm), as the volume viewer
  // hands its shapes out and a project stores them (the plane's pixel grid is the viewer's
  // choice; patient space is the volume's own). Empty on 2D images and slides.
  std::vector<std::array<double, 3>> patientPoints;
};

struct AnnotationSet {
  std::vector<Annotation> annotations;
  std::vector<AnnotationClass> classes;  // colours of the classes the annotations use

  /// The class named `name`, or nullptr.
  const AnnotationClass* findClass(const std::string& name) const {
    for (const auto& c : classes)
      if (c.name == name) return &c;
    return nullptr;
  }
};

/// A fresh random identifier (UUID version 4 text, as QuPath uses).
std::string makeAnnotationId();

}  // namespace meridian::core
