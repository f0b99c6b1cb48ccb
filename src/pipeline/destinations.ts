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
import { redactText } from '../security/redact';
import { loadCaFile, loadClientTls, type ClientTlsSettings } from '../security/tls';
import { UnrecoverableJobError } from './queue';

export type Destination =
  | { name: string; type: 'stow'; url: string; auth: DicomWebAuth; aet?: string; caFile?: string }
  | { name: string; type: 'cstore'; aet: string; host: string; port: number; tls?: (ClientTlsSettings & { certFile: string; keyFile: string; caFile: string }) | null };

export interface DestinationConfig {
  target: string;
  destinations: Destination[];
  /** Our AE title (calling AE of C-STORE exports). */
  nodeAet: string;
  /** The poller's auth, for STOW back to the service a study was polled from. */
  pollerAuth: DicomWebAuth;
  /** The poller's CA bundle (ingest.dicomweb.caFile), for the same. */
  pollerCaFile?: string | null;
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
    return config.destinations.find((d) => d.type === 'stow' && trimSlash(d.url) === url) ?? { name: `source ${redactText(url)}`, type: 'stow', url, auth: config.pollerAuth };
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
  // Certificate and CA files are read once, here at start, so that a bad one stops the start and names its key.
  const stowCa = new WeakMap<Destination, Buffer>();
  const cstoreTls = new WeakMap<Destination, ReturnType<typeof loadClientTls>>();
  config.destinations.forEach((d, i) => {
    const key = `export.destinations.${i}`;
    if (d.type === 'stow' && d.caFile) stowCa.set(d, loadCaFile(d.caFile, `${key}.caFile`));
    if (d.type === 'cstore' && d.tls) cstoreTls.set(d, loadClientTls(d.tls, `${key}.tls`));
  });
  const pollerCa = config.pollerCaFile ? loadCaFile(config.pollerCaFile, 'ingest.dicomweb.caFile') : undefined;
  return (study) => {
    const d = resolveDestination(study, config);
    if (d.type === 'stow') {
      const ca = config.destinations.includes(d) ? stowCa.get(d) : pollerCa;
      return createStowExporter({ name: d.name, url: d.url, auth: d.auth, ...(ca ? { ca } : {}) });
    }
    const tls = cstoreTls.get(d);
    return createCStoreExporter({ name: d.name, callingAet: config.nodeAet, calledAet: d.aet, host: d.host, port: d.port, ...(tls ? { tls } : {}) });
  };
}
