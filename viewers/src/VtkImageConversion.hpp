#pragma once
// core::Image2D -> vtkImageData. Private to viewers/.

#include <vtkSmartPointer.h>

#include "meridian/core/Image2D.hpp"

class vtkImageData;

namespace meridian::viewers::detail {

/// Pixel (x, y) of the image becomes point (x, y, 0) scaled by the pixel spacing; rows
/// stay top-to-bottom in memory (the camera looks with y pointing down).
vtkSmartPointer<vtkImageData> toVtkImage(const core::Image2D& image);

}  // namespace meridian::viewers::detail
