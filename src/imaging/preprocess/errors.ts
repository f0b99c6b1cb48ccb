/** A source image that cannot become a model input (missing SUV attributes, wrong photometry): bad input, not a bug. */
export class PreprocessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreprocessError';
  }
}
