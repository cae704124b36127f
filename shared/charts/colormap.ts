/**
 * Inferno (van der Walt & Smith, CC0), sampled at 64 of its 256 entries:
 * [entry index, red, green, blue], channels 0..1. Chosen because its
 * lightness rises steadily from black to pale yellow, so hotter always reads
 * brighter, also in greyscale and with colour-vision deficiencies, and no
 * band of hue invents an edge where the temperature is smooth.
 */
const INFERNO_STOPS: readonly (readonly [number, number, number, number])[] = [
  [0, 0.001462, 0.000466, 0.013866],
  [4, 0.006006, 0.004692, 0.038558],
  [8, 0.013995, 0.011225, 0.071862],
  [12, 0.025793, 0.019331, 0.10593],
  [16, 0.042253, 0.028139, 0.141141],
  [20, 0.06134, 0.03659, 0.177642],
  [24, 0.081962, 0.043328, 0.215289],
  [28, 0.104551, 0.047008, 0.25343],
  [32, 0.129285, 0.047293, 0.290788],
  [36, 0.15585, 0.044559, 0.325338],
  [40, 0.183429, 0.040329, 0.354971],
  [45, 0.217949, 0.036615, 0.383522],
  [49, 0.244967, 0.037055, 0.400007],
  [53, 0.271347, 0.040922, 0.411976],
  [57, 0.297178, 0.04747, 0.420491],
  [61, 0.32261, 0.055634, 0.426377],
  [65, 0.347771, 0.064616, 0.430217],
  [69, 0.372768, 0.073915, 0.4324],
  [73, 0.397674, 0.083257, 0.433183],
  [77, 0.422549, 0.092501, 0.432714],
  [81, 0.447428, 0.101597, 0.43108],
  [85, 0.472328, 0.110547, 0.428334],
  [89, 0.497257, 0.119379, 0.424488],
  [93, 0.522206, 0.12815, 0.419549],
  [97, 0.547157, 0.136929, 0.413511],
  [101, 0.572081, 0.145797, 0.406369],
  [105, 0.59694, 0.154848, 0.398125],
  [109, 0.621685, 0.164184, 0.388781],
  [113, 0.64626, 0.173914, 0.378359],
  [117, 0.670599, 0.184153, 0.366879],
  [121, 0.694627, 0.195021, 0.354388],
  [125, 0.718264, 0.206636, 0.340931],
  [130, 0.747127, 0.222378, 0.322856],
  [134, 0.769556, 0.236077, 0.307485],
  [138, 0.791293, 0.250856, 0.29139],
  [142, 0.812239, 0.266786, 0.274661],
  [146, 0.832299, 0.283913, 0.257383],
  [150, 0.851384, 0.30226, 0.239636],
  [154, 0.869409, 0.321827, 0.221482],
  [158, 0.886302, 0.342586, 0.202968],
  [162, 0.902003, 0.364492, 0.184116],
  [166, 0.916462, 0.387481, 0.164924],
  [170, 0.929644, 0.411479, 0.145367],
  [174, 0.941521, 0.436405, 0.125409],
  [178, 0.952075, 0.462178, 0.105031],
  [182, 0.961293, 0.488716, 0.084289],
  [186, 0.969163, 0.515946, 0.063488],
  [190, 0.975677, 0.543798, 0.043618],
  [194, 0.980824, 0.572209, 0.028508],
  [198, 0.984591, 0.601122, 0.023606],
  [202, 0.986964, 0.630485, 0.030908],
  [206, 0.987926, 0.66025, 0.05175],
  [210, 0.987464, 0.690366, 0.07999],
  [215, 0.984865, 0.728427, 0.120785],
  [219, 0.981173, 0.759135, 0.156863],
  [223, 0.976108, 0.789974, 0.196018],
  [227, 0.969783, 0.820825, 0.238686],
  [231, 0.962517, 0.851476, 0.285546],
  [235, 0.954997, 0.881569, 0.337475],
  [239, 0.948683, 0.910473, 0.395289],
  [243, 0.946403, 0.937159, 0.458592],
  [247, 0.95174, 0.960587, 0.524203],
  [251, 0.966249, 0.980678, 0.587206],
  [255, 0.988362, 0.998364, 0.644924],
];

/** Number of entries of {@link COLORMAP_LUT}. */
export const COLORMAP_SIZE = 256;

function buildLut(): Uint8Array {
  const lut = new Uint8Array(COLORMAP_SIZE * 3);
  for (let s = 0; s + 1 < INFERNO_STOPS.length; s++) {
    const from = INFERNO_STOPS[s];
    const to = INFERNO_STOPS[s + 1];
    if (from === undefined || to === undefined) continue;
    for (let entry = from[0]; entry <= to[0]; entry++) {
      const f = (entry - from[0]) / (to[0] - from[0]);
      for (let c = 1; c <= 3; c++) {
        const a = from[c] ?? 0;
        const b = to[c] ?? 0;
        lut[entry * 3 + c - 1] = Math.round((a + (b - a) * f) * 255);
      }
    }
  }
  return lut;
}

/** 256 RGB triples, coolest first: the 64 stops interpolated linearly. */
export const COLORMAP_LUT: Readonly<Uint8Array> = buildLut();

/** The colormap entry for a fraction in [0, 1] of the temperature range; outside values saturate. */
export function colormapIndex(fraction: number): number {
  if (!(fraction > 0)) return 0;
  if (fraction >= 1) return COLORMAP_SIZE - 1;
  return Math.round(fraction * (COLORMAP_SIZE - 1));
}

/** The RGB colour for a fraction in [0, 1] of the temperature range. */
export function colormapRgb(fraction: number): [number, number, number] {
  const i = colormapIndex(fraction) * 3;
  return [COLORMAP_LUT[i] ?? 0, COLORMAP_LUT[i + 1] ?? 0, COLORMAP_LUT[i + 2] ?? 0];
}

/** A colour as #rrggbb, for SVG attributes. */
export function rgbHex([r, g, b]: readonly [number, number, number]): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
