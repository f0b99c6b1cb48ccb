/** One entry point for every modality: the same function prepares training and serving inputs. */
import { Dataset } from '../../dicom/io';
import { DecodedFrame, ModelInput } from '../types';
import { preprocessCt } from './ct';
import { preprocessEndoscopy } from './endoscopy';
import { preprocessPet } from './pet';
import { PreprocessSpec } from './spec';

export { PreprocessError } from './errors';
export { defaultPreprocessSpec } from './spec';
export type { PreprocessSpec } from './spec';

export function preprocess(frame: DecodedFrame, dataset: Dataset, spec: PreprocessSpec): ModelInput {
  switch (spec.modality) {
    case 'ES':
      return preprocessEndoscopy(frame, spec);
    case 'CT':
      return preprocessCt(frame, dataset, spec);
    case 'PT':
      return preprocessPet(frame, dataset, spec);
  }
}
