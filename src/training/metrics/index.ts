/** Evaluation metrics for `gastric-ai evaluate`: pure functions over plain arrays, no tensors. */
export * from './errors';
export * from './percentile';
export * from './roc';
export * from './threshold';
export * from './multiclass';
export * from './calibration';
export * from './pointing';
