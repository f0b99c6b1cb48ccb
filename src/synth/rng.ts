/**
 * Seeded pseudo-random numbers for the synthetic studies: same seed, same bytes.
 * sfc32 (small fast counter) seeded through splitmix32; 2^128 state, passes PractRand to 2^40.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** Standard normal times sd plus mean (Box–Muller). */
  normal(mean?: number, sd?: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One item, weighted by the matching weight (weights need not sum to 1). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  pick<T>(items: readonly T[]): T;
  /** An independent generator derived from this one and a label (stable streams per patient/image). */
  fork(label: string): Rng;
}

// Local copies: global lookups in hot loops are slow inside jest's vm contexts (the same values either way).
const { sqrt, log, sin, cos, floor, imul, PI } = Math;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabel(label: string): number {
  // FNV-1a, 32 bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32();
  let spare: number | null = null;

  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    uniform: (lo, hi) => lo + (hi - lo) * rng.next(),
    int: (lo, hi) => lo + floor(rng.next() * (hi - lo + 1)),
    normal: (mean = 0, sd = 1) => {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return mean + sd * v;
      }
      let u = 0;
      while (u === 0) u = rng.next();
      const v = rng.next();
      const r = sqrt(-2 * log(u));
      spare = r * sin(2 * PI * v);
      return mean + sd * r * cos(2 * PI * v);
    },
    chance: (p) => rng.next() < p,
    weighted: (items, weights) => {
      const total = weights.reduce((s, w) => s + w, 0);
      let x = rng.next() * total;
      for (let i = 0; i < items.length; i++) {
        x -= weights[i];
        if (x < 0) return items[i];
      }
      return items[items.length - 1];
    },
    pick: (items) => items[floor(rng.next() * items.length)],
    fork: (label) => createRng((nextU32() ^ hashLabel(label)) >>> 0),
  };
  return rng;
}
