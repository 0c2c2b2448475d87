#include "meridian/ui/StatusReadout.hpp"

namespace meridian::ui {

void StatusReadout::update(viewers::ViewerKind from, std::string text) { texts_[index(from)] = std::move(text); }

}  // namespace meridian::ui
