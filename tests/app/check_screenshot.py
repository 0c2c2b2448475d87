#!/usr/bin/python3
"""`meridian --open DEMO --screenshot OUT.png --size WxH` with the picture opened and looked at.

The window must exit 0, and the PNG must have the requested size and show the demo CT: a
large grey-scale area (R = G = B) with the wide range of grey levels a windowed CT slice
has, not an empty viewer. A missing, blank or wrongly sized screenshot fails.

Usage: check_screenshot.py MERIDIAN DEMO_DATA OUT.png   (run under xvfb-run)
"""
import subprocess
import sys

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 1400, 900


def main():
    meridian, demo, out = sys.argv[1:4]
    result = subprocess.run([meridian, "--open", demo, "--screenshot", out, "--size", f"{WIDTH}x{HEIGHT}"],
                            capture_output=True, text=True, timeout=240)
    print(result.stdout + result.stderr, end="")
    if result.returncode != 0:
        sys.exit(f"meridian exited {result.returncode}")
    with Image.open(out) as im:
        rgb = np.asarray(im.convert("RGB")).astype(int)
    if rgb.shape[:2] != (HEIGHT, WIDTH):
        sys.exit(f"screenshot is {rgb.shape[1]}x{rgb.shape[0]}, asked for {WIDTH}x{HEIGHT}")
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    grey = (r == g) & (g == b)
    levels = len(np.unique(r[grey]))
    # A windowed CT slice (and its MPR planes) spans dark air to bright bone and contrast.
    dark = np.count_nonzero(grey & (r < 40))
    bright = np.count_nonzero(grey & (r > 200))
    print(f"screenshot {WIDTH}x{HEIGHT}: {levels} grey levels, {dark} dark and {bright} bright grey pixels")
    if levels < 128:
        sys.exit(f"only {levels} grey levels: no CT image on screen")
    if dark < 0.02 * WIDTH * HEIGHT or bright < 0.001 * WIDTH * HEIGHT:
        sys.exit("the grey range of a windowed CT (air to bone) is not on screen")
    print("screenshot checks passed")


if __name__ == "__main__":
    main()
