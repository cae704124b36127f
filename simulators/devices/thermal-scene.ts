import { THERMAL_HEIGHT, THERMAL_WIDTH } from '../../shared/protocols/mcu90640.js';
import type { ThermalChannels } from '../../shared/schemas/readings.js';

/** A round hot spot on the thermal image: full temperature inside `radius` pixels of its centre. */
export interface HotSpot {
  readonly x: number;
  readonly y: number;
  readonly radius: number;
  readonly tempC: number;
}

export interface ThermalScene {
  readonly backgroundC: number;
  readonly ambientC: number;
  readonly hotSpot?: HotSpot;
}

/** Renders a scene to the 32×24 frame the MCU90640 sends, with a one-pixel warm rim around the spot. */
export function renderThermalScene(scene: ThermalScene): ThermalChannels {
  const pixels = new Array<number>(THERMAL_WIDTH * THERMAL_HEIGHT).fill(scene.backgroundC);
  const spot = scene.hotSpot;
  if (spot !== undefined) {
    for (let y = 0; y < THERMAL_HEIGHT; y++) {
      for (let x = 0; x < THERMAL_WIDTH; x++) {
        const distance = Math.hypot(x - spot.x, y - spot.y);
        if (distance <= spot.radius) pixels[y * THERMAL_WIDTH + x] = spot.tempC;
        else if (distance <= spot.radius + 1) {
          pixels[y * THERMAL_WIDTH + x] = (spot.tempC + scene.backgroundC) / 2;
        }
      }
    }
  }
  return { width: THERMAL_WIDTH, height: THERMAL_HEIGHT, pixels_c: pixels, ambient_c: scene.ambientC };
}
