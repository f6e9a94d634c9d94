#!/usr/bin/env bash
# Draws the application icon (a GOV.UK-blue rounded square with a white calendar and tick) with
# ImageMagick, then the sizes Tauri's bundler asks for. Re-run after changing the drawing; the PNGs
# are committed so a build never needs ImageMagick.
set -euo pipefail
cd "$(dirname "$0")"
blue='#1d70b8'
convert -size 512x512 xc:none \
  -fill "$blue" -draw 'roundrectangle 16,16 495,495 96,96' \
  -fill none -stroke white -strokewidth 26 -draw 'roundrectangle 116,136 396,400 28,28' \
  -fill white -stroke none -draw 'rectangle 116,136 396,206' \
  -fill white -draw 'roundrectangle 172,96 202,168 12,12' -draw 'roundrectangle 310,96 340,168 12,12' \
  -fill none -stroke white -strokewidth 32 \
  -draw "stroke-linejoin round stroke-linecap round path 'M 184,304 L 238,356 L 332,252'" \
  -define png:color-type=6 PNG32:icon.png
for size in 32 128; do
  convert icon.png -resize ${size}x${size} -define png:color-type=6 PNG32:${size}x${size}.png
done
convert icon.png -resize 256x256 -define png:color-type=6 PNG32:128x128@2x.png
convert icon.png -define icon:auto-resize=256,128,64,48,32,16 icon.ico
