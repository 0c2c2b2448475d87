#pragma once
// A dock's contents inside a scroll area. The workstation tabs several docks together (Image,
// Model, Training; Tools & overlays, Labels, Review); a tab group's minimum height is its tallest
// member's, and without scrolling the model and training docks would set the window's minimum
// height past the size asked for (`meridian --size 1400x900`) and past a 1080-line screen.

#include <QFrame>
#include <QScrollArea>

namespace meridian::ui {

inline QScrollArea* scrolledDockBody(QWidget* body, QWidget* parent) {
  auto* scroll = new QScrollArea(parent);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setWidget(body);
  return scroll;
}

}  // namespace meridian::ui
