/** Self-signed X.509 certificates for the dev merchant and the platform (node-forge; Node cannot issue). */
import crypto, { type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface CertSubject {
  readonly commonName: string;
  readonly organization: string;
  readonly organizationalUnit: string;
}

/**
 * A positive 20-byte serial (40 hex digits, like real API certificates), uppercase. The first byte is kept
 * in 0x10..0x7f so DER needs no sign byte and no leading zero is dropped: what we write is what
 * `openssl x509 -serial` and `X509Certificate.serialNumber` print.
 */
export function randomSerial(): string {
  const bytes = crypto.randomBytes(20);
  bytes[0] = 0x10 + (bytes[0]! % 0x70);
  return bytes.toString('hex').toUpperCase();
}

export function selfSignedCertificate(
  privateKey: KeyObject,
  subject: CertSubject,
  serialHex: string,
  validFromMs: number,
  validYears: number,
): string {
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const spki = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(spki);
  cert.serialNumber = serialHex.toLowerCase();
  cert.validity.notBefore = new Date(validFromMs);
  cert.validity.notAfter = new Date(validFromMs + validYears * 365 * 24 * 3600_000);
  // UTF8String (forge encodes the JS string itself): its default PrintableString would mangle 微信商户系统.
  // The typings call the tag a Class; at runtime it is the universal tag number.
  const utf8 = (value: string) => ({
    value,
    valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class,
  });
  const attrs = [
    { name: 'commonName', ...utf8(subject.commonName) },
    { name: 'organizationName', ...utf8(subject.organization) },
    { shortName: 'OU', ...utf8(subject.organizationalUnit) },
    { name: 'countryName', value: 'CN' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, keyEncipherment: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(pkcs1), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
