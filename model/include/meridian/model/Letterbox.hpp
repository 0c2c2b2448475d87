#pragma once
// Where the original image lies inside the square model input after resizing with
// the aspect ratio kept and padding: what an overlay needs to map model-input
// coordinates back to image pixels.

namespace meridian::model {

struct Letterbox {
  int originalWidth = 0;
  int originalHeight = 0;
  int inputSize = 0;    // the square model input (width = height)
  double scaleX = 1.0;  // input pixels per original pixel (resizedWidth / originalWidth)
  double scaleY = 1.0;
  int resizedWidth = 0;  // the image's extent inside the input
  int resizedHeight = 0;
  int offsetX = 0;  // left/top padding in input pixels
  int offsetY = 0;

  /// Original-image coordinates of a model-input position (pixel centres: x + 0.5).
  double toOriginalX(double inputX) const { return (inputX - offsetX) / scaleX; }
  double toOriginalY(double inputY) const { return (inputY - offsetY) / scaleY; }
};

}  // namespace meridian::model
