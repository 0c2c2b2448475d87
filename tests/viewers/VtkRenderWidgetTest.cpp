// The Qt 6 <-> VTK bridge (VtkRenderWidget) under a real X server with Mesa's OpenGL: frames
// come back the right way up and at the widget's size, window grabs show the frame with the
// Qt overlays over it, and an overlay repainting over a view does not make VTK render again
// (the saving issue 17 depends on), while several requests make one render.

#include <gtest/gtest.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QPainter>
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

}  // namespace
