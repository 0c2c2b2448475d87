#pragma once
// Reading a large DICOM series or volume takes seconds; done on the UI thread it freezes
// the window (no repaint, "not responding"). runKeepingUiAlive() runs the read on a worker
// thread and keeps the event loop turning until it is done: the window repaints, and a
// busy dialog names what is being read when it takes longer than 0.4 s. User input is held
// back meanwhile (ExcludeUserInputEvents), so nothing can start a second open half-way
// through the first; callers keep their plain synchronous code and results. The window
// manager's close request is not user input: while a read runs, `parent` carries the
// property kReadingProperty, and MainWindow refuses to close then (closing before the
// application's event loop started would leave a process without a window).

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProgressDialog>
#include <QWidget>

#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <utility>

namespace meridian::ui {

inline constexpr const char* kReadingProperty = "meridianReading";

template <class Work>
auto runKeepingUiAlive(QWidget* parent, const QString& what, Work work) -> decltype(work()) {
  using Result = decltype(work());
  std::packaged_task<Result()> task(std::move(work));
  std::future<Result> done = task.get_future();
  std::thread worker(std::move(task));
  QElapsedTimer clock;
  clock.start();
  std::unique_ptr<QProgressDialog> dialog;
  if (parent != nullptr) parent->setProperty(kReadingProperty, true);
  while (done.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready) {
    if (!dialog && clock.elapsed() > 400 && parent != nullptr && parent->isVisible()) {
      dialog = std::make_unique<QProgressDialog>(what, QString(), 0, 0, parent);  // busy: no cancel, no range
      dialog->setWindowModality(Qt::WindowModal);
      dialog->setMinimumDuration(0);
      dialog->show();
    }
    QCoreApplication::processEvents(QEventLoop::ExcludeUserInputEvents, 10);
  }
  worker.join();
  if (parent != nullptr) parent->setProperty(kReadingProperty, false);
  return done.get();
}

}  // namespace meridian::ui
