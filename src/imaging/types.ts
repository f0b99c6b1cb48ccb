/** Contracts between DICOM pixel decoding, modality preprocessing, inference and localisation. */

/** One decoded frame, photometric interpretation normalised: colour is always interleaved RGB. */
export interface DecodedFrame {
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  /** 'MONOCHROME1' | 'MONOCHROME2' | 'RGB' (YBR_* and PALETTE COLOR are converted to RGB by the decoder). */
  photometricInterpretation: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  bitsStored: number;
  /** 0 unsigned, 1 two's complement (as in the dataset). */
  pixelRepresentation: 0 | 1;
  /** Row-major, interleaved samples; stored values (before Modality LUT / rescale). */
  pixels: Uint8Array | Uint16Array | Int16Array;
}

/**
 * Where a model input came from in the source image, so a map on the model grid can be put back on the source pixels:
 * source (x, y) = crop.x + (inputX + 0.5) * crop.width / size - 0.5, and likewise for y.
 */
export interface InputGeometry {
  sourceColumns: number;
  sourceRows: number;
  /** The source rectangle (pixels) that was resized to the model input. */
  crop: { x: number; y: number; width: number; height: number };
  /** Model input is size × size. */
  size: number;
}

/** A model input: size × size × 3, float32, HWC, already normalised. */
export interface ModelInput {
  data: Float32Array;
  geometry: InputGeometry;
}
