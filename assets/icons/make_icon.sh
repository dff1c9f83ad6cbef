#!/usr/bin/env bash
# Makes lightbox.png (256 px) and lightbox.ico (256/48/32/16 px) with ImageMagick 6:
# a light box (lit panel in a dark frame) with two films on it. Run from this folder.
# build.rs embeds lightbox.ico into the Windows exe; the installer uses it too.
set -euo pipefail
convert -size 256x256 xc:none -fill '#26303b' -draw 'roundrectangle 6,6 249,249 40,40' -fill '#f4f9ff' -draw 'roundrectangle 34,34 221,205 10,10' -fill '#5d6e80' -draw 'rectangle 52,52 124,187' -draw 'rectangle 132,52 204,187' -fill '#c9d6e3' -draw 'ellipse 88,112 22,40 0,360' -draw 'ellipse 168,112 22,40 0,360' -fill '#26303b' -draw 'rectangle 70,212 185,226' -depth 8 PNG32:lightbox.png && convert lightbox.png -depth 8 -define icon:auto-resize=256,48,32,16 lightbox.ico
