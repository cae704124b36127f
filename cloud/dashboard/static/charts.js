import { el } from './dom.js';

/** The probability and one channel of the selected device, drawn with uPlot when it loaded. */
export class DeviceCharts {
  constructor(probabilityBox, channelBox) {
    this.probabilityBox = probabilityBox;
    this.channelBox = channelBox;
    this.probability = null;
    this.channel = null;
    this.channelName = null;
  }

  static width(box) {
    return Math.max(240, Math.min(900, box.clientWidth || 600));
  }

  #make(box, label, stroke, range) {
    const uPlot = globalThis.uPlot;
    if (typeof uPlot !== 'function') {
      box.replaceChildren(
        el('p', { class: 'muted' }, ['Charts are unavailable: the chart library did not load.']),
      );
      return null;
    }
    box.replaceChildren();
    return new uPlot(
      {
        width: DeviceCharts.width(box),
        height: 180,
        scales: { x: { time: true }, y: range ? { range } : {} },
        series: [{}, { label, stroke, width: 2, spanGaps: false }],
        axes: [{}, { size: 60 }],
      },
      [[], []],
      box,
    );
  }

  /** Draws `points` (TelemetryPoint[], oldest first) for `channel`. */
  update(points, channel) {
    const xs = points.map((p) => p.ts / 1000);
    const probability = points.map((p) => (typeof p.probability === 'number' ? p.probability : null));
    const level = points.map((p) => {
      const v = p.levels ? p.levels[channel] : null;
      return typeof v === 'number' ? v : null;
    });
    if (this.probability === null)
      this.probability = this.#make(this.probabilityBox, 'probability', '#b3261e', [0, 1]);
    if (this.channel === null || this.channelName !== channel) {
      if (this.channel) this.channel.destroy();
      this.channel = this.#make(this.channelBox, channel, '#1d4ed8', null);
      this.channelName = channel;
    }
    if (this.probability) this.probability.setData([xs, probability]);
    if (this.channel) this.channel.setData([xs, level]);
    this.probabilityBox.setAttribute('data-points', String(points.length));
    const last = points[points.length - 1];
    this.probabilityBox.setAttribute('data-last-ts', last === undefined ? '' : String(last.ts));
    return last;
  }

  resize() {
    if (this.probability)
      this.probability.setSize({ width: DeviceCharts.width(this.probabilityBox), height: 180 });
    if (this.channel) this.channel.setSize({ width: DeviceCharts.width(this.channelBox), height: 180 });
  }

  clear() {
    if (this.probability) this.probability.destroy();
    if (this.channel) this.channel.destroy();
    this.probability = null;
    this.channel = null;
    this.channelName = null;
  }
}
