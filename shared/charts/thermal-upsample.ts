/**
 * Enlarges a temperature grid by an integer factor, before colouring: blocks
 * of equal pixels (`nearest`, what the sensor really measured) or bilinear
 * interpolation of the temperatures themselves (`bilinear`). Interpolating
 * temperatures, not colours, keeps every in-between pixel on the colormap.
 * A dead (non-finite) pixel spreads no value: pixels next to it fall back to
 * their nearest source pixel.
 */
export function upsampleTemperatures(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  scale: number,
  method: 'nearest' | 'bilinear',
): Float64Array {
  const outWidth = width * scale;
  const out = new Float64Array(outWidth * height * scale);
  const at = (x: number, y: number): number => pixels[y * width + x] ?? NaN;
  for (let oy = 0; oy < height * scale; oy++) {
    // Sample positions sit at output pixel centres, mapped back into source pixel coordinates.
    const sy = Math.min(height - 1, Math.max(0, (oy + 0.5) / scale - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(height - 1, y0 + 1);
    const fy = sy - y0;
    const nearestY = Math.min(height - 1, Math.floor(oy / scale));
    for (let ox = 0; ox < outWidth; ox++) {
      const nearest = at(Math.min(width - 1, Math.floor(ox / scale)), nearestY);
      if (method === 'nearest') {
        out[oy * outWidth + ox] = nearest;
        continue;
      }
      const sx = Math.min(width - 1, Math.max(0, (ox + 0.5) / scale - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(width - 1, x0 + 1);
      const fx = sx - x0;
      const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
      const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
      const value = top * (1 - fy) + bottom * fy;
      out[oy * outWidth + ox] = Number.isFinite(value) ? value : nearest;
    }
  }
  return out;
}
