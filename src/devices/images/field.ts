/**
 * The synthetic field every emulated Sequoia photographs: six parcels between farm tracks — dense
 * crop rows, tilled soil, an orchard with shadows, young sparse rows, pasture with bare patches,
 * diagonal rows — over 120 m × 90 m, which is what the Sequoia's mono cameras see from about 100 m
 * (1280 px × 9.4 cm). The field *tiles seamlessly* in both directions, so a camera flying along a
 * track sees it move past without a seam and images can be made by cheap cyclic shifts of one
 * rendering (see sequoia.ts and jpeg-pan.ts).
 *
 * A rendering is a map of 16-bit codes, `material << 12 | shade`, shade 0…4095 standing for a
 * brightness factor 0.5…1.5 (terrain undulation, plant vigour, shadows, grain). Each band turns
 * codes into sample values through a lookup table built from the materials' reflectances, so the
 * four mono bands and the RGB image all show one field, consistently: vegetation bright in NIR and
 * red edge, dark in red, medium in green (NDVI ≈ 0.8), soil and tracks nearly flat (NDVI ≈ 0.1).
 */

export const FIELD_PERIOD_M = { x: 120, y: 90 } as const;

export const SOIL = 0;
export const CROP = 1;
export const TREE = 2;
export const TRACK = 3;
export type Material = typeof SOIL | typeof CROP | typeof TREE | typeof TRACK;
export const MATERIAL_NAMES = ['soil', 'crop', 'tree', 'track'] as const;

export const SHADE_LEVELS = 4096;
export const SHADE_MIN = 0.5;
export const SHADE_MAX = 1.5;

/**
 * Reflectance (0…1) of each material at shade factor 1, per band — typical values for loam,
 * a healthy canopy and gravel at the Sequoia's wavelengths (550/660/735/790 nm).
 */
export const REFLECTANCE = {
  GRE: [0.14, 0.1, 0.08, 0.22],
  RED: [0.2, 0.04, 0.03, 0.25],
  REG: [0.24, 0.3, 0.25, 0.27],
  NIR: [0.26, 0.46, 0.4, 0.28],
} as const satisfies Record<string, readonly [number, number, number, number]>;

/** sRGB colour of each material at shade factor 1. */
export const RGB_COLOUR: readonly (readonly [number, number, number])[] = [
  [124, 98, 72],
  [72, 116, 48],
  [50, 88, 38],
  [172, 162, 142],
];

export function shadeFactor(shade: number): number {
  return SHADE_MIN + ((SHADE_MAX - SHADE_MIN) * shade) / (SHADE_LEVELS - 1);
}

// ─── Periodic noise ────────────────────────────────────────────────────────────────────────────

function hash2(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * Smooth value noise on a torus of cx × cy cells, sampled on an nx × ny grid (the whole period).
 * Lattice indices wrap, so the grid tiles without a seam.
 */
function periodicNoiseGrid(nx: number, ny: number, cx: number, cy: number, seed: number): Float32Array {
  const out = new Float32Array(nx * ny);
  const lattice = new Float32Array(cx * cy);
  for (let j = 0; j < cy; j++) for (let i = 0; i < cx; i++) lattice[j * cx + i] = hash2(i, j, seed) * 2 - 1;
  for (let y = 0; y < ny; y++) {
    const fy = (y / ny) * cy;
    const j0 = Math.floor(fy);
    const ty = fy - j0;
    const sy = ty * ty * (3 - 2 * ty);
    const r0 = (j0 % cy) * cx;
    const r1 = ((j0 + 1) % cy) * cx;
    for (let x = 0; x < nx; x++) {
      const fx = (x / nx) * cx;
      const i0 = Math.floor(fx);
      const tx = fx - i0;
      const sx = tx * tx * (3 - 2 * tx);
      const i1 = (i0 + 1) % cx;
      const a = lattice[r0 + i0]! + (lattice[r0 + i1]! - lattice[r0 + i0]!) * sx;
      const b = lattice[r1 + i0]! + (lattice[r1 + i1]! - lattice[r1 + i0]!) * sx;
      out[y * nx + x] = a + (b - a) * sy;
    }
  }
  return out;
}

/** Low- and mid-frequency shading of the whole period, on a 25 cm grid (computed once). */
let shadingGrid: { nx: number; ny: number; low: Float32Array; mid: Float32Array } | undefined;

function shading(): NonNullable<typeof shadingGrid> {
  if (!shadingGrid) {
    const nx = 480;
    const ny = 360;
    const low = periodicNoiseGrid(nx, ny, 12, 9, 1);
    const mid = periodicNoiseGrid(nx, ny, 48, 36, 2);
    shadingGrid = { nx, ny, low, mid };
  }
  return shadingGrid;
}

// ─── The field ─────────────────────────────────────────────────────────────────────────────────

const TRACK_HALF_WIDTH = 1.6;
const TREE_SPACING = 6.4;
const TREE_RADIUS = 2.0;
/** Sun from the north-west: shadows fall this far towards +x, +y. */
const SHADOW_DX = 1.3;
const SHADOW_DY = 0.9;

function wrapDistance(a: number, b: number, period: number): number {
  let d = Math.abs(a - b) % period;
  if (d > period / 2) d = period - d;
  return d;
}

/** Tree centre of orchard cell (i, j) in parcel-local metres, jittered but fixed. */
function treeCentre(i: number, j: number): [number, number] {
  return [(i + 0.5) * TREE_SPACING + (hash2(i, j, 7) - 0.5), (j + 0.5) * TREE_SPACING + (hash2(i, j, 8) - 0.5)];
}

const smallCache = new Map<string, Uint16Array>();
/** Renderings at most this many pixels are kept (mono bands, thumbnails); larger ones are not. */
const CACHE_MAX_PIXELS = 1280 * 960;

/** Orchard trees (parcel 2) in field metres: centre x, centre y. */
function orchardTrees(): [number, number][] {
  const trees: [number, number][] = [];
  for (let j = 0; j < 7; j++)
    for (let i = 0; i < 6; i++) {
      const [cx, cy] = treeCentre(i, j);
      trees.push([cx + 80, cy]);
    }
  return trees;
}

/**
 * The field rendered over exactly one period at width × height pixels: codes
 * `material << 12 | shade`. `grain` is the amplitude of per-pixel noise on the shade factor.
 * Renderings up to 1280×960 are cached and shared — do not modify the returned array.
 *
 * Drawn in layers a row at a time — parcels from per-column tables, orchard shadows and crowns as
 * spans, tracks over all, then shading and grain — because a per-pixel scene function costs
 * seconds at 16 megapixels; this costs a few hundred milliseconds.
 */
export function renderFieldCodes(width: number, height: number, grain = 0.05): Uint16Array {
  const key = `${width}x${height}:${grain}`;
  const hit = smallCache.get(key);
  if (hit) return hit;
  const { nx, ny, low, mid } = shading();
  const out = new Uint16Array(width * height);
  const mpx = FIELD_PERIOD_M.x / width;
  const mpy = FIELD_PERIOD_M.y / height;
  const scale = (SHADE_LEVELS - 1) / (SHADE_MAX - SHADE_MIN);
  const material = new Uint8Array(width);
  const factor = new Float32Array(width);

  // Per-column tables.
  const colX = new Float64Array(width);
  const colParcel = new Uint8Array(width);
  const colTrack = new Float32Array(width); // 0 = not a track, else its factor
  const colGrid = new Uint32Array(width);
  // Column-only parts of the row patterns: maize rows (parcel 0) and the diagonal's x term.
  const colMaize = new Float32Array(width); // 0 = inter-row soil, else canopy factor
  const colDiag = new Float32Array(width);
  const frac = (v: number) => v - Math.floor(v);
  for (let px = 0; px < width; px++) {
    const x = (px + 0.5) * mpx;
    colX[px] = x;
    colParcel[px] = Math.floor(x / 40);
    const lx = x - 40 * colParcel[px]!;
    const fr = frac(lx / 0.75);
    colMaize[px] = fr < 0.55 ? 1.05 - 0.3 * Math.abs(fr - 0.275) : 0;
    colDiag[px] = frac(lx / 0.85);
    const edge = Math.min(
      wrapDistance(x, 0, FIELD_PERIOD_M.x),
      wrapDistance(x, 40, FIELD_PERIOD_M.x),
      wrapDistance(x, 80, FIELD_PERIOD_M.x),
    );
    colTrack[px] = edge < TRACK_HALF_WIDTH ? (Math.abs(edge - 0.8) < 0.2 ? 0.85 : 1.05) : 0;
    colGrid[px] = Math.min(nx - 1, Math.floor((px / width) * nx));
  }
  const trees = orchardTrees();
  let seed = 0x9e3779b9 ^ width ^ (height << 16);

  for (let py = 0; py < height; py++) {
    const y = (py + 0.5) * mpy;
    const rowEdge = Math.min(wrapDistance(y, 0, FIELD_PERIOD_M.y), wrapDistance(y, 45, FIELD_PERIOD_M.y));
    const rowTrack = rowEdge < TRACK_HALF_WIDTH ? (Math.abs(rowEdge - 0.8) < 0.2 ? 0.85 : 1.05) : 0;
    const prow = Math.floor(y / 45);
    const ly = y % 45;
    const fyYoung = frac(ly / 0.75);
    const rowDiag = frac(ly / 0.85);
    const furrow = 0.9 + 0.25 * Math.sin(frac(ly / 0.9) * 2 * Math.PI);
    const gridRow = Math.min(ny - 1, Math.floor((py / height) * ny)) * nx;

    // 1. Parcels.
    for (let px = 0; px < width; px++) {
      const parcel = colParcel[px]! + 3 * prow;
      let m: number = SOIL;
      let f = 1;
      switch (parcel) {
        case 0: {
          const canopy = colMaize[px]!;
          if (canopy) {
            m = CROP;
            f = canopy;
          } else f = 0.75;
          break;
        }
        case 1:
          f = furrow;
          break;
        case 2:
          break; // orchard floor; crowns and shadows below
        case 3:
          if (fyYoung < 0.25) {
            m = CROP;
            f = 0.95;
          } else f = 1.05;
          break;
        case 4: {
          const g = gridRow + colGrid[px]!;
          // Pasture with bare, trampled patches where the terrain is low.
          m = low[g]! + 0.35 * mid[g]! < -0.35 ? SOIL : CROP;
          break;
        }
        default: {
          let fr = colDiag[px]! + rowDiag;
          if (fr >= 1) fr -= 1;
          if (fr < 0.6) {
            m = CROP;
            f = 1.1;
          } else f = 0.85;
        }
      }
      material[px] = m;
      factor[px] = f;
    }

    // 2. Orchard: shadows, then crowns over them (parcel 2 is x 80…120, y 0…45).
    if (prow === 0) {
      const r2 = TREE_RADIUS * TREE_RADIUS;
      for (const [cx, cy] of trees) {
        const dys = y - (cy + SHADOW_DY);
        if (dys * dys < r2) {
          const half = Math.sqrt(r2 - dys * dys);
          const from = Math.max(Math.ceil((cx + SHADOW_DX - half) / mpx - 0.5), 0);
          const to = Math.min(Math.floor((cx + SHADOW_DX + half) / mpx - 0.5), width - 1);
          for (let px = from; px <= to; px++) if (colParcel[px] === 2) factor[px] = 0.55;
        }
      }
      for (const [cx, cy] of trees) {
        const dy = y - cy;
        if (dy * dy >= r2) continue;
        const half = Math.sqrt(r2 - dy * dy);
        const from = Math.max(Math.ceil((cx - half) / mpx - 0.5), 0);
        const to = Math.min(Math.floor((cx + half) / mpx - 0.5), width - 1);
        for (let px = from; px <= to; px++) {
          if (colParcel[px] !== 2) continue;
          const dx = colX[px]! - cx;
          const cover = 1 - (dx * dx + dy * dy) / r2;
          if (cover <= 0) continue;
          material[px] = TREE;
          factor[px] = 0.8 + 0.45 * cover;
        }
      }
    }

    // 3. Tracks over everything, then shading and grain.
    const o = py * width;
    for (let px = 0; px < width; px++) {
      let m = material[px]!;
      let f = factor[px]!;
      const t = rowTrack || colTrack[px]!;
      if (t) {
        m = TRACK;
        f = t;
      }
      const g = gridRow + colGrid[px]!;
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      f *= 1 + 0.15 * low[g]! + 0.08 * mid[g]! + grain * ((seed >>> 0) / 2147483648 - 1);
      const shade = ((f - SHADE_MIN) * scale + 0.5) | 0;
      out[o + px] = (m << 12) | (shade < 0 ? 0 : shade >= SHADE_LEVELS ? SHADE_LEVELS - 1 : shade);
    }
  }
  if (width * height <= CACHE_MAX_PIXELS) smallCache.set(key, out);
  return out;
}

/** Cyclic shift, in pixels of a width × height rendering, for a camera at (x, y) metres. */
export function panPixels(x: number, y: number, width: number, height: number): [number, number] {
  const wrap = (v: number, n: number) => ((Math.round(v) % n) + n) % n;
  return [wrap((x / FIELD_PERIOD_M.x) * width, width), wrap((y / FIELD_PERIOD_M.y) * height, height)];
}
