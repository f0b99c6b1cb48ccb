/** Probability map → binary mask → outline of its largest region, for the SEG and the SR's SCOORD. */

export interface Region {
  /** 1 inside the region, 0 elsewhere (width × height, row-major). */
  mask: Uint8Array;
  /** Pixel count of the region. */
  area: number;
  /** Outer boundary, [x, y] pixel centres, clockwise in image coordinates, first point not repeated. */
  contour: Array<[number, number]>;
  box: { x: number; y: number; width: number; height: number };
  /** Where the map peaks inside the region. */
  peak: [number, number];
}

export function thresholdMask(map: Float32Array, threshold: number): Uint8Array {
  const mask = new Uint8Array(map.length);
  for (let i = 0; i < map.length; i++) mask[i] = map[i] >= threshold ? 1 : 0;
  return mask;
}

/** Labels 4-connected components; returns labels (0 = background) and each component's size (index = label). */
function components(mask: Uint8Array, width: number, height: number): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(mask.length);
  const sizes = [0];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = sizes.length;
    let size = 0;
    labels[start] = label;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop() as number;
      size++;
      const x = i % width;
      const y = (i - x) / width;
      const neighbours = [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, y > 0 ? i - width : -1, y < height - 1 ? i + width : -1];
      for (const n of neighbours) {
        if (n >= 0 && mask[n] && !labels[n]) {
          labels[n] = label;
          stack.push(n);
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

// Moore neighbourhood, clockwise in image coordinates (y down) starting west.
const DX = [-1, -1, 0, 1, 1, 1, 0, -1];
const DY = [0, -1, -1, -1, 0, 1, 1, 1];

/** Moore-neighbour tracing of the outer boundary of the region containing `start` (its top-left-most pixel). */
function trace(inRegion: (x: number, y: number) => boolean, sx: number, sy: number): Array<[number, number]> {
  const contour: Array<[number, number]> = [[sx, sy]];
  let x = sx;
  let y = sy;
  // The start is the top-left-most pixel, so its west and northern neighbours are outside: begin the sweep at NW.
  let dir = 3;
  for (let steps = 0; steps < 4 * 1_000_000; steps++) {
    let found = false;
    for (let k = 0; k < 8; k++) {
      // Resume the clockwise sweep just outside the boundary: 45° left of an axis move, 90° left of a diagonal one.
      const d = (dir + (dir % 2 === 0 ? 7 : 6) + k) % 8;
      const nx = x + DX[d];
      const ny = y + DY[d];
      if (inRegion(nx, ny)) {
        x = nx;
        y = ny;
        dir = d;
        found = true;
        break;
      }
    }
    if (!found || (x === sx && y === sy)) break;
    contour.push([x, y]);
  }
  return contour;
}

/** The largest connected region of `map >= threshold`, or null when no pixel passes. */
export function largestRegion(map: Float32Array, width: number, height: number, threshold: number): Region | null {
  const { labels, sizes } = components(thresholdMask(map, threshold), width, height);
  if (sizes.length < 2) return null;
  let best = 1;
  for (let l = 2; l < sizes.length; l++) if (sizes[l] > sizes[best]) best = l;
  const mask = new Uint8Array(map.length);
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  let peakIndex = -1;
  let first = -1;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== best) continue;
    mask[i] = 1;
    if (first < 0) first = i;
    const x = i % width;
    const y = (i - x) / width;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
    if (peakIndex < 0 || map[i] > map[peakIndex]) peakIndex = i;
  }
  const inRegion = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] === 1;
  const contour = trace(inRegion, first % width, Math.floor(first / width));
  return {
    mask,
    area: sizes[best],
    contour,
    box: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 },
    peak: [peakIndex % width, Math.floor(peakIndex / width)],
  };
}
