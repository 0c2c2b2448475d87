#pragma once
// Helpers for the GUI tests (the volume viewer's above all) and the volume benchmark: show a
// widget under Xvfb, save screenshots, and compare what a plane shows with the voxels the
// state says it shows.

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QWidget>
#include <QWindow>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "MouseInput.hpp"
#include "Pearson.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/io/ReaderRegistry.hpp"
#include "meridian/viewers/VolumeViewState.hpp"

namespace meridian::testsupport {

/// A volume file read through the registry; nullptr (and the reason on stderr) when it
/// cannot be read or holds no volume.
inline std::shared_ptr<core::Volume> loadVolume(const std::filesystem::path& file) {
  auto opened = io::ReaderRegistry::builtin().open(file);
  const auto* volume = opened.ok() ? std::get_if<core::Volume>(&opened.value().content) : nullptr;
  if (volume == nullptr) {
    std::cerr << file.string() << ": " << (opened.ok() ? "not a volume" : opened.error().message) << "\n";
    return nullptr;
  }
  return std::make_shared<core::Volume>(*volume);
}

#ifdef MERIDIAN_TEST_DEMO_DATA
/// The demo CT the volume GUI tests open; nullptr (reason on stderr) when it is missing.
inline std::shared_ptr<core::Volume> demoCt() {
  return loadVolume(std::filesystem::path(MERIDIAN_TEST_DEMO_DATA) / "ct-abdomen-stent.nii.gz");
}
#endif

/// Saves a screenshot as dir/name (PNG) and prints where, for a person to look at; false
/// when it cannot be written.
inline bool savePng(const QImage& image, const std::filesystem::path& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / name;
  if (!image.save(QString::fromStdString(file.string()), "PNG")) return false;
  std::cout << "screenshot: " << file.string() << "\n";
  return true;
}

/// Shows `widget` at the given size and spins the event loop until the X server exposed it.
inline bool showExposed(QWidget& widget, int width, int height) {
  widget.resize(width, height);
  widget.show();
  QElapsedTimer timer;
  timer.start();
  while (timer.elapsed() < 10000 && !(widget.windowHandle() && widget.windowHandle()->isExposed()))
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  for (int i = 0; i < 10; ++i) QApplication::processEvents();
  return widget.windowHandle() && widget.windowHandle()->isExposed();
}

inline void processEvents() {
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
}

inline double luminance(QRgb c) {
  return (qRed(c) + qGreen(c) + qBlue(c)) / 3.0;
}

/// A stored voxel value through a window (stored units) to 0..255, as VTK's image property maps it.
inline double windowed(double value, const core::WindowLevel& w) {
  return std::clamp((value - (w.center - w.width / 2.0)) / w.width * 255.0, 0.0, 255.0);
}

/// The windowed display value at a continuous voxel index: each of the 8 neighbours windowed,
/// then interpolated trilinearly -- as VTK maps values to colours before the GPU interpolates.
/// nullopt outside the voxel grid.
inline std::optional<double> windowedAt(const core::Volume& volume, const core::Vec3& index,
                                        const core::WindowLevel& w) {
  int base[3];
  double frac[3];
  for (int k = 0; k < 3; ++k) {
    if (index[k] < -0.5 || index[k] > volume.size()[k] - 0.5) return std::nullopt;
    const double clamped = std::clamp(index[k], 0.0, volume.size()[k] - 1.0);
    base[k] = std::min(static_cast<int>(std::floor(clamped)), std::max(0, volume.size()[k] - 2));
    frac[k] = volume.size()[k] > 1 ? clamped - base[k] : 0.0;
  }
  double sum = 0;
  for (int corner = 0; corner < 8; ++corner) {
    double weight = 1;
    int at[3];
    for (int k = 0; k < 3; ++k) {
      const int bit = (corner >> k) & 1;
      at[k] = std::min(base[k] + bit, volume.size()[k] - 1);
      weight *= bit ? frac[k] : 1 - frac[k];
    }
    if (weight > 0) sum += weight * windowed(volume.valueAt(at[0], at[1], at[2]), w);
  }
  return sum;
}

/// Correlation between a plane's framebuffer and what the state says it shows: for a 64x64
/// sample of screen pixels inside the plane, the screen luminance against the windowed volume
/// at the voxel index the state maps the pixel's centre to -- shifted by `sliceShift` voxels
/// along the plane's slice axis (0 = the slice the state says is shown; anything else
/// should correlate worse).
inline double planeCorrelation(const QImage& shot, const viewers::VolumeViewState& state, viewers::Plane plane,
                               const core::Volume& volume, const core::WindowLevel& storedWindow, int sliceShift = 0) {
  std::vector<double> a, b;
  const auto& grid = state.grid(plane);
  const auto& view = state.view(plane);
  const int axis = state.sliceAxis(plane);
  const auto topLeft = view.imageToView(0, 0), bottomRight = view.imageToView(grid.width - 1, grid.height - 1);
  const int x0 = std::max(0, static_cast<int>(std::ceil(topLeft[0]))),
            y0 = std::max(0, static_cast<int>(std::ceil(topLeft[1])));
  const int x1 = std::min(shot.width() - 1, static_cast<int>(bottomRight[0]));
  const int y1 = std::min(shot.height() - 1, static_cast<int>(bottomRight[1]));
  const int n = 64;
  for (int j = 0; j < n && y1 > y0; ++j) {
    for (int i = 0; i < n && x1 > x0; ++i) {
      const int vx = x0 + (x1 - x0) * i / (n - 1), vy = y0 + (y1 - y0) * j / (n - 1);
      const auto px = view.viewToImage(vx + 0.5, vy + 0.5);
      core::Vec3 index = state.indexAtPixel(plane, px[0], px[1]);
      index[axis] += sliceShift;
      const auto expected = windowedAt(volume, index, storedWindow);
      if (!expected) continue;
      a.push_back(luminance(shot.pixel(vx, vy)));
      b.push_back(*expected);
    }
  }
  return pearson(a, b);
}

inline double standardDeviation(const QImage& shot) {
  double sum = 0, sq = 0;
  const double n = static_cast<double>(shot.width()) * shot.height();
  for (int y = 0; y < shot.height(); ++y)
    for (int x = 0; x < shot.width(); ++x) {
      const double l = luminance(shot.pixel(x, y));
      sum += l;
      sq += l * l;
    }
  return std::sqrt(std::max(0.0, sq / n - (sum / n) * (sum / n)));
}

}  // namespace meridian::testsupport
