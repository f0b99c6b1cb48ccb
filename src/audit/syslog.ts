/**
 * RFC 5424 syslog messages carrying an audit message (IHE ITI-20 / DICOM PS3.15 A.6): facility 10 (authpriv),
 * MSGID "IHE+RFC-3881", no structured data, the XML as MSG after a UTF-8 BOM; and the RFC 6587 octet-counting
 * frame that TCP and TLS (RFC 5425) put around each one. UDP (RFC 5426) sends the message alone in one datagram.
 */
import type { AuditOutcome } from './events';

const AUTHPRIV = 10;
/** Success is notice; failures rise with their severity (warning, error, critical). */
const SEVERITY: Record<AuditOutcome, number> = { success: 5, 'minor-failure': 4, 'serious-failure': 3, 'major-failure': 2 };
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** RFC 5424 6.2: HOSTNAME, APP-NAME, PROCID, MSGID are printable US-ASCII without spaces, or "-". */
function header(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

export interface SyslogFields {
  outcome: AuditOutcome;
  at: Date;
  hostname: string;
  appName: string;
  procId: string;
}

export function syslogMessage(xml: string, f: SyslogFields): Buffer {
  const pri = AUTHPRIV * 8 + SEVERITY[f.outcome];
  const head = `<${pri}>1 ${f.at.toISOString()} ${header(f.hostname, 255)} ${header(f.appName, 48)} ${header(f.procId, 128)} IHE+RFC-3881 - `;
  return Buffer.concat([Buffer.from(head, 'ascii'), BOM, Buffer.from(xml, 'utf8')]);
}

/** RFC 6587 3.4.1 octet counting: "LEN SP MSG". */
export function octetCounted(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}
