// meridian: the workstation GUI.
//   meridian [PATH | FOLDER] [--overlay MAP.nii.gz] [--screenshot OUT.png] [--size 1400x900] [--verbose]

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QImage>
#include <QWindow>

#include <cstdio>

#include "DisplayCheck.hpp"
#include "FirstFrameProbe.hpp"
#include "meridian/core/Logging.hpp"
#include "meridian/io/MapReader.hpp"
#include "meridian/ui/MainWindow.hpp"
#include "meridian/viewers/ImageViewer2D.hpp"
#include "meridian/viewers/SlideViewer.hpp"
#include "meridian/viewers/Volume3DView.hpp"
#include "meridian/viewers/VolumeViewer.hpp"
#include "meridian/viewers/VtkRenderWidget.hpp"

namespace {

// Routes Qt's own messages into the "ui" logger, so they land in the log file too.
void qtMessageToLog(QtMsgType type, const QMessageLogContext&, const QString& message) {
  auto log = meridian::core::logging::get(meridian::core::logging::Layer::Ui);
  const std::string text = message.toStdString();
  switch (type) {
    case QtDebugMsg: log->debug("Qt: {}", text); break;
    case QtInfoMsg: log->info("Qt: {}", text); break;
    case QtWarningMsg: log->warn("Qt: {}", text); break;
    case QtCriticalMsg:
    case QtFatalMsg: log->error("Qt: {}", text); break;
  }
}

// Exit codes (README): 3 an input cannot be opened, 4 no screenshot, 5 the overlay does not fit.
constexpr int kExitBadInput = 3;
constexpr int kExitOverlayRefused = 5;

// Reads a map (.nii.gz and the other volume formats) and hands it to the viewer that shows
// the open content; each viewer checks that it fits. Returns 0 or an exit code.
int attachOverlay(meridian::ui::MainWindow& window, const std::string& path) {
  using namespace meridian;
  auto read = io::readMap(path);
  if (!read) {
    std::fprintf(stderr, "meridian: overlay: %s\n", read.error().message.c_str());  // the message names the file
    return kExitBadInput;
  }
  const core::Status attached = window.setHeatmapOnCurrentViewer(std::move(read).value());
  if (!attached) {
    std::fprintf(stderr, "meridian: overlay %s refused: %s\n", path.c_str(), attached.error().message.c_str());
    return kExitOverlayRefused;
  }
  return 0;
}

bool waitUntilExposed(QWidget& window, int timeoutMs) {
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < timeoutMs) {
    QApplication::processEvents(QEventLoop::AllEvents, 50);
    if (window.windowHandle() && window.windowHandle()->isExposed()) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false;
  for (int i = 1; i < argc; ++i) verbose |= std::string(argv[i]) == "--verbose" || std::string(argv[i]) == "-v";
  meridian::core::logging::Options logOptions;
  logOptions.verbose = verbose;
  (void)meridian::core::logging::initialize(logOptions);  // on failure it logs to the console only

  if (const std::string why = meridian::app::whyNoDisplay(); !why.empty()) {
    std::fprintf(stderr, "meridian: %s\n", why.c_str());
    return 1;
  }
  meridian::viewers::VtkRenderWidget::setDefaultSurfaceFormat();
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("Meridian"));
  QApplication::setOrganizationName(QStringLiteral("Meridian"));
  qInstallMessageHandler(qtMessageToLog);

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Meridian clinical research workstation"));
  parser.addHelpOption();
  parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("Image, volume, slide or folder to open."));
  QCommandLineOption openOption(QStringLiteral("open"), QStringLiteral("Image, volume, slide or folder to open."),
                                QStringLiteral("path"));
  QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                      QStringLiteral("Render, save the window to this PNG and exit."),
                                      QStringLiteral("file"));
  QCommandLineOption overlayOption(QStringLiteral("overlay"),
                                   QStringLiteral("A heatmap (float NIfTI map in the image's geometry) to draw over it."),
                                   QStringLiteral("map"));
  QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Window size, WIDTHxHEIGHT."),
                                QStringLiteral("size"), QStringLiteral("1400x900"));
  QCommandLineOption verboseOption({QStringLiteral("v"), QStringLiteral("verbose")},
                                   QStringLiteral("Debug-level logging."));
  parser.addOptions({openOption, overlayOption, screenshotOption, sizeOption, verboseOption});
  parser.process(app);  // exits with a message on unknown options

  QString path = parser.value(openOption);
  if (path.isEmpty() && !parser.positionalArguments().isEmpty()) path = parser.positionalArguments().first();
  const QStringList size = parser.value(sizeOption).split(QLatin1Char('x'));
  bool okW = false, okH = false;
  const int width = size.value(0).toInt(&okW), height = size.value(1).toInt(&okH);
  if (size.size() != 2 || !okW || !okH || width < 200 || height < 150) {
    std::fprintf(stderr, "meridian: --size wants WIDTHxHEIGHT (at least 200x150), got '%s'\n",
                 qPrintable(parser.value(sizeOption)));
    return 2;
  }

  meridian::ui::MainWindow window;
  window.resize(width, height);
  window.show();
  if (!path.isEmpty()) {
    if (auto status = window.open(path.toStdString()); !status) {
      std::fprintf(stderr, "meridian: %s\n", status.error().message.c_str());
      if (parser.isSet(screenshotOption)) return kExitBadInput;
    }
  }
  if (parser.isSet(overlayOption)) {
    const int code = attachOverlay(window, parser.value(overlayOption).toStdString());
    if (code != 0 && parser.isSet(screenshotOption)) return code;  // a figure without its overlay is wrong
  }
  meridian::app::FirstFrameProbe* firstFrame = nullptr;
  if (!path.isEmpty() && meridian::app::FirstFrameProbe::wanted())
    firstFrame = new meridian::app::FirstFrameProbe(window.currentViewer());
  if (parser.isSet(screenshotOption)) {
    if (!waitUntilExposed(window, 10000)) {
      std::fprintf(stderr, "meridian: the window never became visible; no screenshot taken\n");
      return 4;
    }
    if (firstFrame) {  // the frame on screen, not the grab below
      QElapsedTimer waited;
      waited.start();
      while (!firstFrame->seconds() && waited.elapsed() < 10000) QApplication::processEvents(QEventLoop::AllEvents, 50);
      if (firstFrame->seconds()) std::printf("meridian: first frame with an image %.3f s after the process started\n", *firstFrame->seconds());
    }
    // Slide tiles arrive from worker threads: wait until the field of view is drawn.
    if (window.currentViewerKind() == meridian::viewers::ViewerKind::Slide && !window.slideViewer()->waitForFieldOfView()) {
      std::fprintf(stderr, "meridian: the slide's tiles did not arrive in time; no screenshot taken\n");
      return 4;
    }
    // A volume's 3D view draws after the planes' first frame: wait for it, so the figure shows it.
    if (window.currentViewerKind() == meridian::viewers::ViewerKind::Volume &&
        !window.volumeViewer()->view3D()->waitUntilReady()) {
      std::fprintf(stderr, "meridian: the 3D view was not drawn in time; no screenshot taken\n");
      return 4;
    }
    const QString out = parser.value(screenshotOption);
    if (!window.grab().save(out, "PNG")) {
      std::fprintf(stderr, "meridian: cannot write screenshot to %s\n", qPrintable(out));
      return 4;
    }
    std::printf("meridian: screenshot saved to %s\n", qPrintable(out));
    return 0;
  }
  return QApplication::exec();
}
