#include "meridian/model/WeightLayout.hpp"

namespace meridian::model {

const char* toString(WeightLayout layout) {
  switch (layout) {
    case WeightLayout::Auto:
      return "auto";
    case WeightLayout::Torchvision:
      return "torchvision";
    case WeightLayout::Timm:
      return "timm";
  }
  return "?";
}

}  // namespace meridian::model
