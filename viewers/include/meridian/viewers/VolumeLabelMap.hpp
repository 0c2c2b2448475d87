#pragma once
// A label map over a CT/MR volume (a segmentation): one class index per voxel (0 = none),
// with its own geometry in the volume's patient space (LPS mm) -- usually the CT's own
// grid, but a cropped or coarser segmentation works as well. The volume viewer reslices it
// with nearest neighbour on each plane and draws the classes in LabelLayer's colours.
// Plain C++ (no Qt, no VTK): tests drive it directly.

#include <cstdint>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/viewers/HeatmapLayer.hpp"
#include "meridian/viewers/LabelLayer.hpp"

namespace meridian::viewers {

struct VolumeGeometry;

class VolumeLabelMap {
 public:
  /// Takes `labels` as the map over `image`. Refused, with a message naming what is wrong
  /// (the previous map stays), when the labels are not 1 channel, hold a value that is not
  /// a non-negative integer (up to 65535), have an unusable geometry, or reach outside the image by more
  /// than one label voxel (their extent and the image's are both named).
  core::Status set(core::Volume labels, const core::Volume& image, std::vector<std::string> names = {});
  /// The same over a bare voxel grid, for images that are not held as a Volume: a slide's
  /// level 0 is the grid {W, H, 1} with unit spacing, origin 0 and identity direction (pixel
  /// centres on integers). `what` and `units` name the grid in messages ("slide",
  /// "level-0 pixel"); the map may overhang the grid by `overhangCells` of its own cells
  /// (volumes: half a voxel; slides: one cell, as HeatmapLayer::checkFits allows, because a
  /// slide's size is rarely a multiple of the label map's downsample).
  core::Status set(core::Volume labels, const VolumeGeometry& grid, std::vector<std::string> names,
                   const std::string& what, const std::string& units, double overhangCells);
  void clear();
  bool hasLabels() const { return hasLabels_; }
  const core::Volume& labels() const { return labels_; }
  /// The largest class index in the map.
  int maxLabel() const { return maxLabel_; }

  /// Class index at a patient-space point (nearest voxel); 0 outside the map.
  int labelAt(const core::Vec3& point) const;
  /// Class indices at the pixel centres of `grid` (patient space), nearest neighbour, row-major.
  std::vector<std::int32_t> sampleGrid(const SamplingGrid& grid) const;
  /// Straight-alpha RGBA (not premultiplied: what VTK blends) of sampled indices; index 0 transparent.
  std::vector<std::uint8_t> colorize(const std::vector<std::int32_t>& indices, double opacity) const;
  /// The colour of class `index` (LabelLayer's palette, or the colour of its name).
  Rgb colorOf(int index) const { return palette_.labelColor(index); }

 private:
  core::Volume labels_;
  bool hasLabels_ = false;
  int maxLabel_ = 0;
  core::Mat3 physicalToIndex_ = core::kIdentity3;
  LabelLayer palette_;  // only its class colours are used
};

}  // namespace meridian::viewers
