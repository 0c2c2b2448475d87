// The volume viewer hands a volume's voxels to VTK without copying them (issue 17: a
// 512x512x300 CT must cost its voxels about once, not once per view): the vtkImageData's
// scalars ARE the volume's buffer, the image keeps the volume alive as long as it needs the
// voxels, and lets it go when VTK frees the array. No window, no GL.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include <vtkDataArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>

#include "VolumeVtkImage.hpp"

using namespace meridian;

namespace {
std::shared_ptr<core::Volume> ramp(std::array<int, 3> size) {
  auto volume = core::Volume::allocate(size, core::PixelType::Int16).value();
  auto* v = reinterpret_cast<std::int16_t*>(volume.data());
  for (std::size_t i = 0; i < volume.voxelCount(); ++i) v[i] = static_cast<std::int16_t>(i % 30000);
  return std::make_shared<core::Volume>(std::move(volume));
}
}  // namespace

TEST(VolumeVtkImage, TheImagesScalarsAreTheVolumesVoxelsNotACopy) {
  auto volume = ramp({7, 5, 3});
  const void* voxels = volume->data();
  auto image = viewers::detail::toVtkIndexImage(volume);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->GetScalarPointer(), voxels) << "the voxels were copied into VTK";
  EXPECT_EQ(image->GetPointData()->GetScalars()->GetVoidPointer(0), voxels);
  int dims[3];
  image->GetDimensions(dims);
  EXPECT_EQ(dims[0], 7);
  EXPECT_EQ(dims[1], 5);
  EXPECT_EQ(dims[2], 3);
  // Voxel (i, j, k) is point (i, j, k): VTK reads what the volume holds.
  EXPECT_EQ(image->GetScalarComponentAsDouble(4, 3, 2, 0), volume->valueAt(4, 3, 2));
}

TEST(VolumeVtkImage, TheImageKeepsTheVolumeAliveUntilVtkFreesTheVoxels) {
  auto volume = ramp({4, 4, 4});
  std::weak_ptr<core::Volume> watch = volume;
  auto image = viewers::detail::toVtkIndexImage(volume);
  volume.reset();  // the viewer may drop its own reference first
  ASSERT_FALSE(watch.expired()) << "the voxels VTK points into were freed under it";
  EXPECT_EQ(image->GetScalarComponentAsDouble(3, 3, 3, 0), 63.0);
  image = nullptr;  // the last VTK reference: VTK frees the array, which lets the volume go
  EXPECT_TRUE(watch.expired()) << "the volume is kept after VTK no longer needs it";
}
