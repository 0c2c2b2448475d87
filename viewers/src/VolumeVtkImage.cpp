#include "VolumeVtkImage.hpp"

#include <cstring>

#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkPointData.h>
#include <vtkShortArray.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnsignedShortArray.h>

namespace meridian::viewers::detail {

vtkSmartPointer<vtkImageData> toVtkIndexImage(const core::Volume& volume) {
  auto data = vtkSmartPointer<vtkImageData>::New();
  data->SetDimensions(volume.size()[0], volume.size()[1], volume.size()[2]);
  data->SetSpacing(1.0, 1.0, 1.0);
  data->SetOrigin(0.0, 0.0, 0.0);
  vtkSmartPointer<vtkDataArray> scalars;
  switch (volume.pixelType()) {
    case core::PixelType::UInt8:
      scalars = vtkSmartPointer<vtkUnsignedCharArray>::New();
      break;
    case core::PixelType::Int16:
      scalars = vtkSmartPointer<vtkShortArray>::New();
      break;
    case core::PixelType::UInt16:
      scalars = vtkSmartPointer<vtkUnsignedShortArray>::New();
      break;
    case core::PixelType::Float32:
      scalars = vtkSmartPointer<vtkFloatArray>::New();
      break;
  }
  scalars->SetNumberOfComponents(volume.channels());
  scalars->SetNumberOfTuples(static_cast<vtkIdType>(volume.voxelCount()));
  std::memcpy(scalars->GetVoidPointer(0), volume.data(), volume.sizeInBytes());
  scalars->SetName("voxels");
  data->GetPointData()->SetScalars(scalars);
  return data;
}

vtkSmartPointer<vtkMatrix4x4> toVtkMatrix(const std::array<double, 16>& m) {
  auto matrix = vtkSmartPointer<vtkMatrix4x4>::New();
  matrix->DeepCopy(m.data());
  return matrix;
}

std::array<double, 16> indexToPhysicalMatrix(const core::Volume& volume) {
  const auto& d = volume.direction;
  const auto& s = volume.spacing;
  const auto& o = volume.origin;
  return {d[0] * s[0], d[1] * s[1], d[2] * s[2], o[0],  //
          d[3] * s[0], d[4] * s[1], d[5] * s[2], o[1],  //
          d[6] * s[0], d[7] * s[1], d[8] * s[2], o[2],  //
          0.0,         0.0,         0.0,         1.0};
}

}  // namespace meridian::viewers::detail
