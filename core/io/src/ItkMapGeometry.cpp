// The ITK half of MapReader: a one-plane map's origin and direction from its header.
// Compiled into libmeridian_io_itk.so (see ItkLibrary.hpp).

#include "ItkImageIo.hpp"
#include "ItkLibrary.hpp"

namespace meridian::io::detail {

using core::ErrorCode;
using core::makeError;

bool storesGeometry(const std::filesystem::path& path) {
  const ItkFormat* format = itkFormatForReading(path);
  return format != nullptr && !format->photo;
}

core::Status readMapGeometry(const std::filesystem::path& path, const std::string& openedFormat, core::Volume& out) {
  const std::string name = path.string();
  const ItkFormat* format = itkFormatForReading(path);
  if (!format || format->photo)
    return makeError(ErrorCode::Unsupported,
                     name + ": " + openedFormat + " stores no origin or direction; write maps as NIfTI (.nii.gz), NRRD or MHA");
  try {
    itk::ImageIOBase::Pointer io = format->create();
    io->SetFileName(name);
    io->ReadImageInformation();
    const unsigned dims = std::min(io->GetNumberOfDimensions(), 3u);
    for (unsigned a = 0; a < dims; ++a) {
      out.spacing[a] = io->GetSpacing(a);
      out.origin[a] = io->GetOrigin(a);
      const auto axis = io->GetDirection(a);  // patient-space direction of voxel axis a
      for (unsigned r = 0; r < 3; ++r) out.direction[r * 3 + a] = r < axis.size() ? axis[r] : (r == a ? 1.0 : 0.0);
    }
  } catch (const itk::ExceptionObject& e) {
    return makeError(ErrorCode::Corrupt, name + ": cannot read the map's geometry: " + e.GetDescription());
  }
  return core::Ok{};
}

}  // namespace meridian::io::detail
