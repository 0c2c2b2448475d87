#include "VolumeVtkImage.hpp"

#include <cstring>
#include <mutex>
#include <unordered_map>

#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkPointData.h>
#include <vtkShortArray.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnsignedShortArray.h>

namespace meridian::viewers::detail {

namespace {

// The volumes whose voxels VTK arrays point into, by data pointer: VTK 9.1
// frees a foreign buffer through a plain function pointer (no context), which
// drops the volume here.
std::mutex keptMutex;
std::unordered_map<const void *, std::shared_ptr<const core::Volume>> &
keptVolumes() {
  static std::unordered_map<const void *, std::shared_ptr<const core::Volume>>
      kept;
  return kept;
}

void releaseVolume(void *data) {
  std::lock_guard<std::mutex> lock(keptMutex);
  keptVolumes().erase(data);
}

template <class Array, class T>
vtkSmartPointer<vtkDataArray>
wrap(const std::shared_ptr<const core::Volume> &volume) {
  auto array = vtkSmartPointer<Array>::New();
  auto *data =
      reinterpret_cast<T *>(const_cast<std::uint8_t *>(volume->data()));
  array->SetNumberOfComponents(volume->channels());
  {
    std::lock_guard<std::mutex> lock(keptMutex);
    // Two images of one volume share the entry: the first freed would drop it,
    // so a second wrap of the same voxels copies instead (never happens in the
    // viewer, which makes one).
    if (!keptVolumes().emplace(data, volume).second) {
      array->SetNumberOfTuples(static_cast<vtkIdType>(volume->voxelCount()));
      std::memcpy(array->GetVoidPointer(0), volume->data(),
                  volume->sizeInBytes());
      return array;
    }
  }
  array->SetArray(
      data, static_cast<vtkIdType>(volume->voxelCount() * volume->channels()),
      0, Array::VTK_DATA_ARRAY_USER_DEFINED);
  array->SetArrayFreeFunction(&releaseVolume);
  return array;
}

} // namespace

vtkSmartPointer<vtkImageData>
toVtkIndexImage(std::shared_ptr<const core::Volume> volume) {
  auto data = vtkSmartPointer<vtkImageData>::New();
  data->SetDimensions(volume->size()[0], volume->size()[1], volume->size()[2]);
  data->SetSpacing(1.0, 1.0, 1.0);
  data->SetOrigin(0.0, 0.0, 0.0);
  vtkSmartPointer<vtkDataArray> scalars;
  switch (volume->pixelType()) {
  case core::PixelType::UInt8:
    scalars = wrap<vtkUnsignedCharArray, unsigned char>(volume);
    break;
  case core::PixelType::Int16:
    scalars = wrap<vtkShortArray, short>(volume);
    break;
  case core::PixelType::UInt16:
    scalars = wrap<vtkUnsignedShortArray, unsigned short>(volume);
    break;
  case core::PixelType::Float32:
    scalars = wrap<vtkFloatArray, float>(volume);
    break;
  }
  scalars->SetName("voxels");
  data->GetPointData()->SetScalars(scalars);
  return data;
}

vtkSmartPointer<vtkMatrix4x4> toVtkMatrix(const std::array<double, 16> &m) {
  auto matrix = vtkSmartPointer<vtkMatrix4x4>::New();
  matrix->DeepCopy(m.data());
  return matrix;
}

std::array<double, 16> indexToPhysicalMatrix(const core::Volume &volume) {
  const auto &d = volume.direction;
  const auto &s = volume.spacing;
  const auto &o = volume.origin;
  return {d[0] * s[0], d[1] * s[1], d[2] * s[2], o[0], //
          d[3] * s[0], d[4] * s[1], d[5] * s[2], o[1], //
          d[6] * s[0], d[7] * s[1], d[8] * s[2], o[2], //
          0.0,         0.0,         0.0,         1.0};
}

} // namespace meridian::viewers::detail
