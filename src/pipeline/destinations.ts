/**
 * Which exporter a study's results go to. export.target "source" sends them back where the study came from: the
 * DICOMweb service it was polled from (with the poller's auth, unless a destination with that URL is configured), or,
 * for DIMSE, the configured destination whose AE title is the calling AE that sent the study.
 */
import { DicomWebAuth } from '../dicomweb/client';
import { StudyRecord } from '../domain/study';
import { Exporter } from '../export/types';
import { createCStoreExporter } from '../export/cstore';
import { createStowExporter } from '../export/stow';
import { UnrecoverableJobError } from './queue';

export type Destination =
  | { name: string; type: 'stow'; url: string; auth: DicomWebAuth; aet?: string }
  | { name: string; type: 'cstore'; aet: string; host: string; port: number };

export interface DestinationConfig {
  target: string;
  destinations: Destination[];
  /** Our AE title (calling AE of C-STORE exports). */
  nodeAet: string;
  /** The poller's auth, for STOW back to the service a study was polled from. */
  pollerAuth: DicomWebAuth;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

export function resolveDestination(study: StudyRecord, config: DestinationConfig): Destination {
  if (config.target !== 'source') {
    const named = config.destinations.find((d) => d.name === config.target);
    if (!named) throw new UnrecoverableJobError(`export.target ${config.target} is not a configured destination`);
    return named;
  }
  if (study.source === 'dicomweb' && study.sourceUrl) {
    const url = trimSlash(study.sourceUrl);
    return config.destinations.find((d) => d.type === 'stow' && trimSlash(d.url) === url) ?? { name: `source ${url}`, type: 'stow', url, auth: config.pollerAuth };
  }
  const aet = study.callingAet;
  const match = config.destinations.find((d) => d.aet === aet);
  if (!match)
    throw new UnrecoverableJobError(
      `export.target is "source" but no destination in export.destinations has aet ${JSON.stringify(aet)}, the calling AE that sent this study`,
    );
  return match;
}

export function exporterFor(config: DestinationConfig): (study: StudyRecord) => Exporter {
  return (study) => {
    const d = resolveDestination(study, config);
    return d.type === 'stow'
      ? createStowExporter({ name: d.name, url: d.url, auth: d.auth })
      : createCStoreExporter({ name: d.name, callingAet: config.nodeAet, calledAet: d.aet, host: d.host, port: d.port });
  };
}
