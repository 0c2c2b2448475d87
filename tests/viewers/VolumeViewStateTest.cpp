// The volume viewer's geometry and state without a window. The volume has a deliberately
// awkward geometry -- anisotropic spacing, an origin far from zero, voxel axes permuted and
// flipped against the patient axes -- so that any mix-up of axes, signs or spacings moves a
// voxel to a different plane pixel than the hand-computed one.

#include <gtest/gtest.h>

#include <cmath>

#include "PermutedGeometry.hpp"
#include "meridian/viewers/MprGeometry.hpp"
#include "meridian/viewers/VolumeViewState.hpp"

using namespace meridian;
using viewers::Plane;

namespace {

// Voxel axis i runs anterior (-y), j runs left (+x), k runs inferior (-z).
viewers::VolumeGeometry awkwardGeometry() { return viewers::testing::permutedGeometry({5, 7, 4}); }

void expectNear(const core::Vec3& a, const core::Vec3& b, double tol = 1e-9) {
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(a[i], b[i], tol) << "component " << i;
}

std::array<double, 4> apply(const std::array<double, 16>& m, double x, double y) {
  return {m[0] * x + m[1] * y + m[3], m[4] * x + m[5] * y + m[7], m[8] * x + m[9] * y + m[11], 1.0};
}

}  // namespace

TEST(VolumeGeometry, MapsAVoxelToPatientSpaceAndBack) {
  const auto g = awkwardGeometry();
  // origin + 3*0.7*(0,-1,0) + 2*1.3*(1,0,0) + 1*2.5*(0,0,-1)
  expectNear(g.indexToPhysical({3, 2, 1}), {-9.9, 27.9, 98.5});
  expectNear(g.physicalToIndex({-9.9, 27.9, 98.5}), {3, 2, 1});
  EXPECT_EQ(g.axisAlong({0, 0, 1}), 2);
  EXPECT_EQ(g.axisAlong({1, 0, 0}), 1);
  EXPECT_EQ(g.axisAlong({0, 1, 0}), 0);
}

TEST(VolumeGeometry, RoundTripsThroughARotatedDirection) {
  auto g = awkwardGeometry();
  const double c = std::cos(0.5), s = std::sin(0.5);  // ~29 degrees about the z axis
  g.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  const core::Vec3 index{1.25, 5.5, 2.75};
  expectNear(g.physicalToIndex(g.indexToPhysical(index)), index, 1e-9);
  // Each voxel axis still has its own spacing: one step along j moves 1.3 mm along (-s, c, 0).
  const auto a = g.indexToPhysical({0, 0, 0}), b = g.indexToPhysical({0, 1, 0});
  expectNear({b[0] - a[0], b[1] - a[1], b[2] - a[2]}, {-1.3 * s, 1.3 * c, 0.0});
}

TEST(VolumeGeometry, RefusesImpossibleGeometry) {
  auto g = awkwardGeometry();
  g.spacing[1] = 0.0;
  EXPECT_FALSE(g.validate().ok());
  g = awkwardGeometry();
  g.direction = {1, 0, 0, 1, 0, 0, 0, 0, 1};
  EXPECT_FALSE(g.validate().ok());
  viewers::VolumeViewState state;
  EXPECT_FALSE(state.reset(g, {40, 400}).ok());
}

TEST(MprGeometry, OrientationLabelsFollowTheRadiologicalConvention) {
  const auto axial = viewers::orientationLabels(Plane::Axial);
  EXPECT_EQ(std::string({axial.left, axial.right, axial.top, axial.bottom}), "RLAP");
  const auto coronal = viewers::orientationLabels(Plane::Coronal);
  EXPECT_EQ(std::string({coronal.left, coronal.right, coronal.top, coronal.bottom}), "RLSI");
  const auto sagittal = viewers::orientationLabels(Plane::Sagittal);
  EXPECT_EQ(std::string({sagittal.left, sagittal.right, sagittal.top, sagittal.bottom}), "APSI");
}

TEST(MprGeometry, PlaneGridsUseTheSpacingOfTheVoxelAxisAlongEachScreenAxis) {
  const auto g = awkwardGeometry();
  const auto axial = viewers::PlaneGrid::of(Plane::Axial, g);
  EXPECT_DOUBLE_EQ(axial.su, 1.3);  // screen right = patient left = voxel j
  EXPECT_DOUBLE_EQ(axial.sv, 0.7);  // screen down = posterior = -i
  EXPECT_EQ(axial.width, 7);
  EXPECT_EQ(axial.height, 5);
  const auto coronal = viewers::PlaneGrid::of(Plane::Coronal, g);
  EXPECT_DOUBLE_EQ(coronal.sv, 2.5);
  EXPECT_EQ(coronal.height, 4);
  const auto sagittal = viewers::PlaneGrid::of(Plane::Sagittal, g);
  EXPECT_DOUBLE_EQ(sagittal.su, 0.7);
  EXPECT_EQ(sagittal.width, 5);
}

TEST(VolumeViewState, AVoxelLandsOnThePlanePixelsTheGeometryPredicts) {
  viewers::VolumeViewState state;
  ASSERT_TRUE(state.reset(awkwardGeometry(), {40, 400}).ok());
  const core::Vec3 voxel{3, 2, 1};
  state.setCrosshair(awkwardGeometry().indexToPhysical(voxel));
  // Axial: x = (-9.9 + 12.5) / 1.3 = 2; y = (27.9 - 27.2) / 0.7 = 1 (i runs anterior, i.e. up).
  auto p = state.planePixelOfIndex(Plane::Axial, voxel);
  EXPECT_NEAR(p[0], 2.0, 1e-9);
  EXPECT_NEAR(p[1], 1.0, 1e-9);
  // Coronal: down = inferior; z = 98.5 is 2.5 mm below the top (101) -> row 1.
  p = state.planePixelOfIndex(Plane::Coronal, voxel);
  EXPECT_NEAR(p[0], 2.0, 1e-9);
  EXPECT_NEAR(p[1], 1.0, 1e-9);
  // Sagittal: right = posterior; y = 27.9 is 0.7 mm posterior of the most anterior 27.2.
  p = state.planePixelOfIndex(Plane::Sagittal, voxel);
  EXPECT_NEAR(p[0], 1.0, 1e-9);
  EXPECT_NEAR(p[1], 1.0, 1e-9);
  // Each plane shows the voxel's slice along the voxel axis closest to its normal.
  EXPECT_EQ(state.sliceAxis(Plane::Axial), 2);
  EXPECT_EQ(state.sliceIndex(Plane::Axial), 1);
  EXPECT_EQ(state.sliceIndex(Plane::Coronal), 3);
  EXPECT_EQ(state.sliceIndex(Plane::Sagittal), 2);
  // And the plane pixel maps back to that voxel.
  expectNear(state.indexAtPixel(Plane::Axial, 2.0, 1.0), voxel);
  expectNear(state.indexAtPixel(Plane::Sagittal, 1.0, 1.0), voxel);
}

TEST(VolumeViewState, TheResliceMatrixAgreesWithThePlaneGeometry) {
  viewers::VolumeViewState state;
  const auto g = awkwardGeometry();
  ASSERT_TRUE(state.reset(g, {40, 400}).ok());
  state.setCrosshair(g.indexToPhysical({3, 2, 1}));
  for (Plane plane : viewers::kPlanes) {
    const auto& grid = state.grid(plane);
    const auto m = viewers::planeToIndexMatrix(grid, state.depth(plane), g);
    for (double px : {0.0, 1.5, 4.0})
      for (double py : {0.0, 2.0, 3.25}) {
        const auto viaMatrix = apply(m, px * grid.su, py * grid.sv);
        expectNear({viaMatrix[0], viaMatrix[1], viaMatrix[2]}, state.indexAtPixel(plane, px, py));
      }
  }
}

TEST(VolumeViewState, ClickingInOnePlaneMovesTheOtherPlanesWhenLinked) {
  viewers::VolumeViewState state;
  const auto g = awkwardGeometry();
  ASSERT_TRUE(state.reset(g, {40, 400}).ok());
  state.setCrosshair(g.indexToPhysical({3, 2, 1}));
  state.pointAt(Plane::Coronal, 4.0, 2.0);  // x = -12.5 + 4*1.3 -> j = 4; z = 101 - 2*2.5 -> k = 2
  EXPECT_EQ(state.sliceIndex(Plane::Coronal), 3) << "the clicked plane stays";
  EXPECT_EQ(state.sliceIndex(Plane::Sagittal), 4);
  EXPECT_EQ(state.sliceIndex(Plane::Axial), 2);
  expectNear(state.crosshair(), g.indexToPhysical({3, 4, 2}));

  state.setLinked(false);
  state.pointAt(Plane::Axial, 0.0, 0.0);
  EXPECT_EQ(state.sliceIndex(Plane::Sagittal), 4) << "unlinked: other planes keep their slice";
  EXPECT_EQ(state.sliceIndex(Plane::Coronal), 3);
  state.setLinked(true);
  EXPECT_EQ(state.sliceIndex(Plane::Sagittal), 0) << "linking again follows the crosshair";
  EXPECT_EQ(state.sliceIndex(Plane::Coronal), 4);
}

TEST(VolumeViewState, ScrollingMovesTowardsThePlaneNormalWhateverTheStorageOrder) {
  viewers::VolumeViewState state;
  const auto g = awkwardGeometry();
  ASSERT_TRUE(state.reset(g, {40, 400}).ok());
  state.setSliceIndex(Plane::Axial, 1);
  const double z = state.crosshair()[2];
  state.scroll(Plane::Axial, 1);  // towards superior; k runs inferior, so k goes down
  EXPECT_EQ(state.sliceIndex(Plane::Axial), 0);
  EXPECT_NEAR(state.crosshair()[2], z + 2.5, 1e-9);
  state.scroll(Plane::Axial, 1);  // clamped at the top slice
  EXPECT_EQ(state.sliceIndex(Plane::Axial), 0);
  state.scroll(Plane::Axial, -10);
  EXPECT_EQ(state.sliceIndex(Plane::Axial), 3);
  state.setCrosshair({1000, 1000, 1000});  // outside: clamped to the last voxel on each axis
  expectNear(g.physicalToIndex(state.crosshair()), {0, 6, 0});
}

TEST(VolumeViewState, ViewPixelsFollowZoomAndPanPerPlane) {
  viewers::VolumeViewState state;
  const auto g = awkwardGeometry();
  ASSERT_TRUE(state.reset(g, {40, 400}).ok());
  for (Plane p : viewers::kPlanes) state.setViewSize(p, 400, 300);
  const core::Vec3 voxel{3, 2, 1};
  const auto before = state.viewPixelOfIndex(Plane::Axial, voxel);
  state.view(Plane::Axial).zoomAbout(2.0, before[0], before[1]);
  const auto after = state.viewPixelOfIndex(Plane::Axial, voxel);
  EXPECT_NEAR(after[0], before[0], 1e-9) << "zoom keeps the point under the cursor";
  EXPECT_NEAR(after[1], before[1], 1e-9);
  const auto sagittalBefore = state.viewPixelOfIndex(Plane::Sagittal, voxel);
  state.view(Plane::Axial).panBy(10, -5);
  const auto panned = state.viewPixelOfIndex(Plane::Axial, voxel);
  EXPECT_NEAR(panned[0], before[0] + 10, 1e-9);
  EXPECT_NEAR(panned[1], before[1] - 5, 1e-9);
  const auto sagittalAfter = state.viewPixelOfIndex(Plane::Sagittal, voxel);
  EXPECT_EQ(sagittalAfter, sagittalBefore) << "zoom and pan are per plane";
  // Fitted axial view: 7 x 1.3 mm wide, 5 x 0.7 mm high in 400 x 300 -> width limits.
  state.resetViews();
  EXPECT_NEAR(state.view(Plane::Axial).viewScale(), 400 / (7 * 1.3), 1e-9);
}

TEST(VolumeViewState, WindowPresetsAndDrag) {
  viewers::VolumeViewState state;
  ASSERT_TRUE(state.reset(awkwardGeometry(), {40, 400}).ok());
  ASSERT_TRUE(state.applyPreset("Lung"));
  EXPECT_DOUBLE_EQ(state.window().center, -600);
  EXPECT_DOUBLE_EQ(state.window().width, 1500);
  ASSERT_TRUE(state.applyPreset("Brain"));
  EXPECT_DOUBLE_EQ(state.window().width, 80);
  EXPECT_FALSE(state.applyPreset("Liver"));
  EXPECT_DOUBLE_EQ(state.window().width, 80) << "unknown preset leaves the window";
  state.dragWindow(256, 0);  // 400/256 units per pixel, from the reset window
  EXPECT_DOUBLE_EQ(state.window().width, 480);
  state.dragWindow(0, 128);
  EXPECT_DOUBLE_EQ(state.window().center, 40 - 200);
  EXPECT_EQ(viewers::ctWindowPresets().size(), 5u);
}
