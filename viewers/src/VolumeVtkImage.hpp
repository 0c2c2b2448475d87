#pragma once
// core::Volume -> vtkImageData in voxel-index space (spacing 1, origin 0, no
// direction). Private to viewers/. The volume viewer keeps the geometry out of
// VTK on purpose: every consumer gets it as an explicit matrix (reslice axes
// for the planes, the vtkVolume's user matrix for 3D), computed by MprGeometry
// and unit-tested there, instead of relying on which VTK 9.1 filters honour
// vtkImageData's direction matrix.

#include <vtkSmartPointer.h>

#include <array>
#include <memory>

#include "meridian/core/Volume.hpp"

class vtkImageData;
class vtkMatrix4x4;

namespace meridian::viewers::detail {

/// The voxels of a 1-channel volume, not copied: the image's scalars point into
/// the volume, which they keep alive until VTK frees them. Voxel (i, j, k) at
/// point (i, j, k). VTK only reads them (reslice, ray casting), so a
/// 512x512x300 CT costs its voxels once, not twice.
vtkSmartPointer<vtkImageData>
toVtkIndexImage(std::shared_ptr<const core::Volume> volume);

/// Row-major 4x4 matrix -> vtkMatrix4x4.
vtkSmartPointer<vtkMatrix4x4> toVtkMatrix(const std::array<double, 16> &m);

/// index -> patient space (LPS mm): [direction · diag(spacing) | origin].
std::array<double, 16> indexToPhysicalMatrix(const core::Volume &volume);

} // namespace meridian::viewers::detail
