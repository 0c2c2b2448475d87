#include "VtkImageConversion.hpp"

#include <cstring>

#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>
#include <vtkShortArray.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnsignedShortArray.h>

namespace meridian::viewers::detail {

vtkSmartPointer<vtkImageData> toVtkImage(const core::Image2D& image) {
  auto data = vtkSmartPointer<vtkImageData>::New();
  data->SetDimensions(image.width(), image.height(), 1);
  const auto spacing = image.spacing.value_or(std::array<double, 2>{1.0, 1.0});
  data->SetSpacing(spacing[0], spacing[1], 1.0);
  data->SetOrigin(0.0, 0.0, 0.0);

  vtkSmartPointer<vtkDataArray> scalars;
  switch (image.pixelType()) {
    case core::PixelType::UInt8: scalars = vtkSmartPointer<vtkUnsignedCharArray>::New(); break;
    case core::PixelType::Int16: scalars = vtkSmartPointer<vtkShortArray>::New(); break;
    case core::PixelType::UInt16: scalars = vtkSmartPointer<vtkUnsignedShortArray>::New(); break;
    case core::PixelType::Float32: scalars = vtkSmartPointer<vtkFloatArray>::New(); break;
  }
  scalars->SetNumberOfComponents(image.channels());
  scalars->SetNumberOfTuples(static_cast<vtkIdType>(image.width()) * image.height());
  std::memcpy(scalars->GetVoidPointer(0), image.data(), image.sizeInBytes());
  scalars->SetName("pixels");
  data->GetPointData()->SetScalars(scalars);
  return data;
}

}  // namespace meridian::viewers::detail
