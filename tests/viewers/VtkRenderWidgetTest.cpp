// The Qt 6 <-> VTK bridge (VtkRenderWidget) under a real X server with Mesa's OpenGL: frames
// come back the right way up and at the widget's size, window grabs show the frame with the
// Qt overlays over it, and an overlay repainting over a view does not make VTK render again
// (the saving issue 17 depends on), while several requests make one render. During a drag or
// a burst of wheel steps a view that allows it renders reduced frames, and at full size again
// when the interaction ends; grabs are full size.

#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <QWindow>

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkRenderer.h>

#include "meridian/viewers/VtkRenderWidget.hpp"

namespace {

using meridian::viewers::VtkRenderWidget;

// A view whose VTK scene is a vertical gradient: red at the top, blue at the bottom.
void paintGradient(VtkRenderWidget& view) {
  view.renderer()->GradientBackgroundOn();
  view.renderer()->SetBackground(0.0, 0.0, 1.0);   // bottom
  view.renderer()->SetBackground2(1.0, 0.0, 0.0);  // top
}

bool showExposed(QWidget& widget) {
  widget.show();
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < 10000 && !(widget.windowHandle() && widget.windowHandle()->isExposed()))
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  for (int i = 0; i < 10; ++i) QApplication::processEvents();
  return widget.windowHandle() && widget.windowHandle()->isExposed();
}

void processEvents() {
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
}

// A translucent child drawing a green square in the middle, as the viewers' overlays do.
class GreenSquare : public QWidget {
 public:
  explicit GreenSquare(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    setAttribute(Qt::WA_TranslucentBackground);
  }
  int paints = 0;

 protected:
  void paintEvent(QPaintEvent*) override {
    ++paints;
    QPainter(this).fillRect(QRect(width() / 2 - 10, height() / 2 - 10, 20, 20), Qt::green);
  }
};

struct RenderCount {
  int renders = 0;
  void onStart(vtkObject*, unsigned long, void*) { ++renders; }
};

TEST(VtkRenderWidgetGui, FrameIsTheRightWayUpAtTheWidgetsSize) {
  VtkRenderWidget view;
  view.resize(240, 120);
  paintGradient(view);
  ASSERT_TRUE(showExposed(view));
  const QImage frame = view.grabFramebuffer();
  ASSERT_EQ(frame.size(), QSize(240, 120) * view.devicePixelRatioF());
  const QRgb top = frame.pixel(frame.width() / 2, 1), bottom = frame.pixel(frame.width() / 2, frame.height() - 2);
  EXPECT_GT(qRed(top), 200);
  EXPECT_LT(qBlue(top), 60);
  EXPECT_GT(qBlue(bottom), 200);
  EXPECT_LT(qRed(bottom), 60);
  EXPECT_EQ(qAlpha(top), 255);

  view.resize(300, 90);
  processEvents();
  EXPECT_EQ(view.grabFramebuffer().size(), QSize(300, 90) * view.devicePixelRatioF());
}

TEST(VtkRenderWidgetGui, WindowGrabShowsTheFrameUnderTheOverlays) {
  VtkRenderWidget view;
  view.resize(200, 160);
  paintGradient(view);
  auto* overlay = new GreenSquare(&view);
  overlay->resize(view.size());
  ASSERT_TRUE(showExposed(view));
  const QImage shot = view.grab().toImage();
  const QRgb top = shot.pixel(shot.width() / 2, 1), middle = shot.pixel(shot.width() / 2, shot.height() / 2),
             bottom = shot.pixel(shot.width() / 2, shot.height() - 2);
  EXPECT_GT(qRed(top), 200);
  EXPECT_GT(qBlue(bottom), 200);
  EXPECT_GT(qGreen(middle), 200);
  EXPECT_LT(qRed(middle), 60);
}

TEST(VtkRenderWidgetGui, OverlayRepaintsWithoutAVtkRenderAndRequestsCoalesce) {
  VtkRenderWidget view;
  view.resize(200, 160);
  paintGradient(view);
  auto* overlay = new GreenSquare(&view);
  overlay->resize(view.size());
  RenderCount count;
  view.renderWindow()->AddObserver(vtkCommand::StartEvent, &count, &RenderCount::onStart);
  ASSERT_TRUE(showExposed(view));
  EXPECT_GE(count.renders, 1);

  count.renders = 0;
  const int paintsBefore = overlay->paints;
  overlay->update();
  processEvents();
  EXPECT_GT(overlay->paints, paintsBefore);  // the overlay did repaint...
  EXPECT_EQ(count.renders, 0);               // ...over the last frame, without VTK

  view.requestRender();
  view.requestRender();
  view.requestRender();
  processEvents();
  EXPECT_EQ(count.renders, 1);
}

void send(QWidget& view, QEvent::Type type, Qt::MouseButton button, Qt::MouseButtons buttons, QPointF at) {
  QMouseEvent event(type, at, view.mapToGlobal(at), button, buttons, Qt::NoModifier);
  QApplication::sendEvent(&view, &event);
}

void wheelStep(QWidget& view) {
  const QPointF at(view.width() / 2.0, view.height() / 2.0);
  QWheelEvent event(at, view.mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                    Qt::NoScrollPhase, false);
  QApplication::sendEvent(&view, &event);
}

// The size VTK rendered the last frame at.
QSize renderedSize(VtkRenderWidget& view) {
  const int* size = view.renderWindow()->GetSize();
  return QSize(size[0], size[1]);
}

// A view set up as the volume viewer's MPR planes are (reduced frames allowed, factor 2, mouse
// tracking for the cursor readout), showing a gradient; false if it never got exposed.
bool showAsMprPlane(VtkRenderWidget& view) {
  VtkRenderWidget::setInteractionReduction(2);
  view.setReducedWhileInteracting(true);
  view.setMouseTracking(true);
  view.resize(200, 160);
  paintGradient(view);
  return showExposed(view);
}

TEST(VtkRenderWidgetGui, DragRendersReducedFramesAndAFullOneWhenReleased) {
  VtkRenderWidget::setInteractionReduction(2);
  VtkRenderWidget view, other;  // `other` does not allow reduced frames
  view.setReducedWhileInteracting(true);
  view.resize(201, 160);
  other.resize(200, 160);
  paintGradient(view);
  paintGradient(other);
  ASSERT_TRUE(showExposed(view));
  ASSERT_TRUE(showExposed(other));
  const QSize full = QSize(201, 160) * view.devicePixelRatioF();
  const QImage atRest = view.grab().toImage();
  RenderCount count;
  view.renderWindow()->AddObserver(vtkCommand::StartEvent, &count, &RenderCount::onStart);

  // A click is not a drag: its frame is full size.
  const QPointF at(50, 50);
  send(view, QEvent::MouseButtonPress, Qt::RightButton, Qt::RightButton, at);
  view.requestRender();
  processEvents();
  EXPECT_FALSE(view.frameReduced());
  EXPECT_EQ(renderedSize(view), full);

  send(view, QEvent::MouseMove, Qt::NoButton, Qt::RightButton, at + QPointF(4, 2));
  view.requestRender();
  other.requestRender();
  processEvents();
  EXPECT_TRUE(view.frameReduced());
  EXPECT_EQ(renderedSize(view), QSize((full.width() + 1) / 2, full.height() / 2));
  EXPECT_FALSE(other.frameReduced());
  EXPECT_EQ(renderedSize(other), QSize(200, 160) * other.devicePixelRatioF());
  // The reduced frame is scaled up over the whole view, the right way up.
  const QImage dragging = view.grab().toImage();
  ASSERT_EQ(dragging.size(), atRest.size());
  EXPECT_GT(qRed(dragging.pixel(dragging.width() / 2, 1)), 200);
  EXPECT_GT(qBlue(dragging.pixel(dragging.width() / 2, dragging.height() - 2)), 200);
  EXPECT_GT(qRed(dragging.pixel(dragging.width() - 1, 1)), 200);  // the last column is covered
  // A grab of VTK's frame is a picture at rest: full size even now.
  EXPECT_EQ(view.grabFramebuffer().size(), full);
  view.requestRender();
  processEvents();
  EXPECT_TRUE(view.frameReduced());

  count.renders = 0;
  send(view, QEvent::MouseButtonRelease, Qt::RightButton, Qt::NoButton, at + QPointF(4, 2));
  processEvents();
  EXPECT_EQ(count.renders, 1);  // the full frame, without a request from the view's owner
  EXPECT_FALSE(view.frameReduced());
  EXPECT_EQ(renderedSize(view), full);
  EXPECT_EQ(view.grab().toImage(), atRest);

  // With the reduction set to 1 a drag renders full frames.
  VtkRenderWidget::setInteractionReduction(1);
  send(view, QEvent::MouseMove, Qt::NoButton, Qt::LeftButton, at);
  view.requestRender();
  processEvents();
  EXPECT_FALSE(view.frameReduced());
  send(view, QEvent::MouseButtonRelease, Qt::LeftButton, Qt::NoButton, at);
  VtkRenderWidget::setInteractionReduction(2);
}

// A release that reaches another widget (the button let go over a panel) must not leave the
// views drawing reduced frames: the next move without a button over a view ends the drag.
TEST(VtkRenderWidgetGui, AMoveWithoutAButtonEndsADragWhoseReleaseWentElsewhere) {
  VtkRenderWidget view;
  ASSERT_TRUE(showAsMprPlane(view));
  const QPointF at(50, 50);
  send(view, QEvent::MouseButtonPress, Qt::LeftButton, Qt::LeftButton, at);
  send(view, QEvent::MouseMove, Qt::NoButton, Qt::LeftButton, at + QPointF(3, 1));
  view.requestRender();
  processEvents();
  ASSERT_TRUE(view.frameReduced());
  RenderCount count;
  view.renderWindow()->AddObserver(vtkCommand::StartEvent, &count, &RenderCount::onStart);
  send(view, QEvent::MouseMove, Qt::NoButton, Qt::NoButton, at + QPointF(6, 2));  // no release seen
  processEvents();
  EXPECT_EQ(count.renders, 1);  // the full frame
  EXPECT_FALSE(view.frameReduced());
  view.requestRender();
  processEvents();
  EXPECT_FALSE(view.frameReduced());
}

TEST(VtkRenderWidgetGui, WheelBurstRendersReducedFramesAfterItsFirstStep) {
  VtkRenderWidget view;
  ASSERT_TRUE(showAsMprPlane(view));
  const QImage atRest = view.grab().toImage();

  wheelStep(view);  // one step: a full frame, nothing to redo after it
  view.requestRender();
  processEvents();
  EXPECT_FALSE(view.frameReduced());
  QElapsedTimer timer;
  timer.start();
  wheelStep(view);  // the next within ViewInteraction::kIdleMs: a scroll in progress
  view.requestRender();
  processEvents();
  EXPECT_TRUE(view.frameReduced());

  // The pause after the last step ends it: one full frame.
  while (view.frameReduced() && timer.elapsed() < 5000) QApplication::processEvents(QEventLoop::AllEvents, 20);
  EXPECT_FALSE(view.frameReduced());
  EXPECT_GE(timer.elapsed(), 140);  // not before the pause (150 ms, Qt's coarse timers may be 5% early)
  EXPECT_EQ(view.grab().toImage(), atRest);
}

}  // namespace
