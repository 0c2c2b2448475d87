#pragma once
// Which viewer shows which content, decided without a widget: scalar volumes (CT, MR) in
// the volume viewer, colour frame stacks (cine loops) in the 2D viewer browsed with the
// slice bar, slides in the slide viewer, everything else in the 2D viewer.

#include <string>
#include <variant>

#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ImageReader.hpp"
#include "meridian/project/ProjectRecords.hpp"
#include "meridian/viewers/InitialDisplay.hpp"
#include "meridian/viewers/ViewerKind.hpp"

namespace meridian::ui {

viewers::ViewerKind viewerFor(const io::OpenedImage& opened);

/// True when the content is a stack of frames the 2D viewer shows one at a time (the slice
/// bar browses them): a volume with more than one channel.
bool isFrameStack(const io::OpenedImage& opened);

/// The body region a DICOM series names in its descriptions (for the initial window and
/// 3D preset, viewers::chooseInitialDisplay).
viewers::BodyRegion bodyRegionOf(const io::DicomSeriesInfo& series);

/// True when a project case opens as a DICOM series (several files); a single DICOM file
/// (one slice, a cine loop) opens as a file, as the Files panel opens it.
bool opensAsSeries(const project::CaseRecord& record);

/// A project case that is a DICOM series, as the series loader takes it (its files and
/// the tags the project recorded). Only meaningful when record.seriesUid is set.
io::DicomSeriesInfo seriesOf(const project::CaseRecord& record);

}  // namespace meridian::ui
