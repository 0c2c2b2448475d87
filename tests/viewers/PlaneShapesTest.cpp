// Label shapes on a volume's planes between plane pixels and patient space (PlaneShapes.hpp),
// on a volume stored with its voxel axes permuted and flipped against the patient's, and on
// an oblique one: a shape drawn on voxel slice k comes back on slice k at the same pixels, and
// its patient points are the points the viewer shows on that slice.

#include <gtest/gtest.h>

#include <cmath>

#include "PermutedGeometry.hpp"
#include "meridian/viewers/PlaneShapes.hpp"
#include "meridian/viewers/VolumeViewState.hpp"

using namespace meridian;
using viewers::Plane;

namespace {

viewers::VolumeGeometry permutedGeometry() { return viewers::testing::permutedGeometry({40, 56, 23}); }

// Axial slices tilted 8 degrees about the patient's left-right axis (a gantry tilt).
viewers::VolumeGeometry obliqueGeometry() {
  viewers::VolumeGeometry g;
  g.size = {48, 48, 30};
  g.spacing = {0.9, 0.9, 3.0};
  g.origin = {-20.0, -25.0, -40.0};
  const double t = 8.0 * M_PI / 180.0;
  g.direction = {1, 0, 0,  //
                 0, std::cos(t), -std::sin(t),  //
                 0, std::sin(t), std::cos(t)};
  return g;
}

const std::vector<std::array<double, 2>> kShape = {{3.25, 4.5}, {17.0, 4.5}, {17.0, 11.75}, {6.5, 14.0}};

}  // namespace

TEST(PlaneShapes, AShapeComesBackOnItsSliceAtItsPixels) {
  for (const auto& geometry : {permutedGeometry(), obliqueGeometry()}) {
    for (Plane plane : viewers::kPlanes) {
      const int count = geometry.size[static_cast<std::size_t>(geometry.axisAlong(viewers::planeAxes(plane).normal))];
      for (int slice : {0, count / 3, count - 1}) {
        const auto patient = viewers::planeToPatient(geometry, plane, slice, kShape);
        ASSERT_EQ(patient.size(), kShape.size());
        const auto back = viewers::patientToPlane(geometry, plane, patient);
        ASSERT_TRUE(back) << viewers::toString(plane) << " slice " << slice;
        EXPECT_EQ(back->slice, slice) << viewers::toString(plane);
        ASSERT_EQ(back->pixels.size(), kShape.size());
        for (std::size_t i = 0; i < kShape.size(); ++i) {
          EXPECT_NEAR(back->pixels[i][0], kShape[i][0], 1e-9);
          EXPECT_NEAR(back->pixels[i][1], kShape[i][1], 1e-9);
        }
      }
    }
  }
}

// The patient points of a shape drawn on slice k are the points the viewer's plane shows there:
// the state's plane at slice k, pixel for pixel, and on voxel slice k of the volume.
TEST(PlaneShapes, PatientPointsAreWhereTheViewerShowsTheSlice) {
  const auto geometry = permutedGeometry();
  viewers::VolumeViewState state;
  ASSERT_TRUE(state.reset(geometry, {0.0, 100.0}));
  for (Plane plane : viewers::kPlanes) {
    const int k = state.sliceCount(plane) / 2 + 3;
    state.setSliceIndex(plane, k);
    ASSERT_EQ(state.sliceIndex(plane), k);
    const auto patient = viewers::planeToPatient(geometry, plane, k, kShape);
    for (std::size_t i = 0; i < kShape.size(); ++i) {
      const core::Vec3 shown = state.grid(plane).physical(kShape[i][0], kShape[i][1], state.depth(plane));
      for (std::size_t a = 0; a < 3; ++a) EXPECT_NEAR(patient[i][a], shown[a], 1e-9) << viewers::toString(plane);
      const core::Vec3 index = geometry.physicalToIndex(patient[i]);
      EXPECT_NEAR(index[static_cast<std::size_t>(state.sliceAxis(plane))], k, 1e-9);
    }
  }
}

TEST(PlaneShapes, PointsOutsideTheVolumeOrNoneHaveNoPlace) {
  const auto geometry = permutedGeometry();
  EXPECT_FALSE(viewers::patientToPlane(geometry, Plane::Axial, {}));
  auto patient = viewers::planeToPatient(geometry, Plane::Axial, 5, kShape);
  for (auto& p : patient) p[2] += 1000.0;  // a metre above the head
  EXPECT_FALSE(viewers::patientToPlane(geometry, Plane::Axial, patient));
}
