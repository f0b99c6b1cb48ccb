/**
 * DICOM TLS for a launched Orthanc (1.9+: DicomTlsEnabled and friends; Orthanc uses dcmtk's TLS layer). With it,
 * Orthanc's DICOM port speaks only TLS, requires a client certificate signed by a trusted CA (unless told otherwise),
 * and uses the same certificate as a client towards modalities marked "UseDicomTls". Applied to the rendered
 * configuration, because a modality with UseDicomTls needs Orthanc's object form, not the template's array form.
 */
export interface OrthancDicomTls {
  /** Orthanc's certificate (PEM), presented as server and as client. */
  certificateFile: string;
  privateKeyFile: string;
  /** PEM CA bundle that the peers' certificates must chain to. */
  trustedCertificatesFile: string;
  /** Refuse an SCU without a certificate (Orthanc's default: true). */
  remoteCertificateRequired?: boolean;
}

type Config = Record<string, unknown>;

/** The node's modality entry ("gastric-ai", array form) in object form with UseDicomTls. */
export function useTlsForModality(config: Config, name: string): Config {
  const modalities = (config.DicomModalities ?? {}) as Record<string, unknown>;
  const entry = modalities[name];
  if (!Array.isArray(entry)) return config;
  const [AET, Host, Port] = entry as [string, string, number];
  return { ...config, DicomModalities: { ...modalities, [name]: { AET, Host, Port, UseDicomTls: true } } };
}

export function withDicomTls(config: Config, tls: OrthancDicomTls): Config {
  return {
    ...config,
    DicomTlsEnabled: true,
    DicomTlsCertificate: tls.certificateFile,
    DicomTlsPrivateKey: tls.privateKeyFile,
    DicomTlsTrustedCertificates: tls.trustedCertificatesFile,
    DicomTlsRemoteCertificateRequired: tls.remoteCertificateRequired ?? true,
  };
}
