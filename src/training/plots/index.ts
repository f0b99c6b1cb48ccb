/** Evaluation figures as SVG strings, built with Vega-Lite from plain data (no tensors). */
export { renderSvg } from './render';
export * from './roc-plot';
export * from './confusion-plot';
export * from './reliability-plot';
export * from './training-curves-plot';
