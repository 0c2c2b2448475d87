#pragma once
// The three kinds of viewer the workstation has, one per kind of content: a 2D image
// (photographs, radiographs, single slices, colour frame stacks), a scalar volume (CT, MR:
// planes + 3D) and a whole slide (tile pyramid). Plain C++: the rules that pick a viewer or
// decide whether an overlay fits it (OverlayFit.hpp) name viewers by this, never by widget.

namespace meridian::viewers {

enum class ViewerKind { Image2D, Volume, Slide };

inline const char* toString(ViewerKind kind) {
  switch (kind) {
    case ViewerKind::Image2D: return "2D image";
    case ViewerKind::Volume: return "volume";
    case ViewerKind::Slide: return "slide";
  }
  return "?";
}

}  // namespace meridian::viewers
