/**
 * §2.7 /v3/certificates through the client: authenticated decryption with the APIv3 key and the bootstrap
 * verification of a response signed by a certificate from its own list.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aesGcmEncrypt, publicKeyPem, WechatPayError, type WechatPayConfig } from '@wxpay-saga/wechatpay';
import { createClientInternal } from '../src/client.js';
import { APIV3_KEY, testConfig } from './client-fixtures.js';
import { captureLogger, GO_SERIAL, startFakeServer, type FakeServer } from './helpers.js';
import { goPlatformCert, officialMerchantKey, responseSamplePublicKey } from './vectors-keys.js';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
});

const client = (over: Partial<WechatPayConfig> = {}) =>
  createClientInternal(testConfig(server.url, over), { logger: captureLogger().logger });

async function failure(p: Promise<unknown>): Promise<WechatPayError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WechatPayError);
  return err as WechatPayError;
}

describe('§2.7 platform certificates: authenticated decrypt and bootstrap verification', () => {
  const certEntry = (key = APIV3_KEY, serial = GO_SERIAL) => {
    const nonce = crypto.randomBytes(6).toString('hex');
    return {
      serial_no: serial,
      effective_time: '2021-04-27T16:55:23+08:00',
      expire_time: '2031-04-25T16:55:23+08:00',
      encrypt_certificate: {
        algorithm: 'AEAD_AES_256_GCM',
        associated_data: 'certificate',
        nonce,
        ciphertext: aesGcmEncrypt(goPlatformCert, key, nonce, 'certificate'),
      },
    };
  };
  // The client knows only a public key id; the response is signed by the certificate it is downloading.
  const pkOnly = { verifierKeys: { PUB_KEY_ID_0000000000000024101100397200000006: responseSamplePublicKey } };

  it('bootstraps: a response signed by a certificate in its own (authenticated) list verifies', async () => {
    server.reply(() => ({ status: 200, body: JSON.stringify({ data: [certEntry()] }) }));
    const certs = await client(pkOnly).fetchPlatformCertificates();
    expect(server.seen[0]).toMatchObject({ method: 'GET', url: '/v3/certificates' });
    expect(certs).toEqual([
      {
        serialNo: GO_SERIAL,
        effectiveTime: '2021-04-27T16:55:23+08:00',
        expireTime: '2031-04-25T16:55:23+08:00',
        certificatePem: goPlatformCert,
      },
    ]);
    expect(publicKeyPem(certs[0]!.certificatePem)).toBe(publicKeyPem(goPlatformCert));
  });

  it('a certificate encrypted with another APIv3 key → RESPONSE_MALFORMED (the library would accept it)', async () => {
    server.reply(() => ({ status: 200, body: JSON.stringify({ data: [certEntry('c'.repeat(32))] }) }));
    expect((await failure(client(pkOnly).fetchPlatformCertificates())).code).toBe('RESPONSE_MALFORMED');
  });

  it('serial_no that does not match the decrypted certificate → RESPONSE_MALFORMED', async () => {
    server.reply(() => ({
      status: 200,
      body: JSON.stringify({ data: [certEntry(APIV3_KEY, '5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC')] }),
    }));
    expect((await failure(client(pkOnly).fetchPlatformCertificates())).code).toBe('RESPONSE_MALFORMED');
  });

  it('signed by a serial that is neither configured nor in the list → RESPONSE_UNKNOWN_SERIAL', async () => {
    server.reply(() => ({
      status: 200,
      body: JSON.stringify({ data: [certEntry()] }),
      sign: { serial: 'ABCDEF0123', key: officialMerchantKey },
    }));
    expect((await failure(client(pkOnly).fetchPlatformCertificates())).code).toBe('RESPONSE_UNKNOWN_SERIAL');
  });

  it('a known signer is checked first: a bad signature fails before the body is read', async () => {
    server.reply(() => ({ status: 200, body: '{not json', sign: { signature: 'AAAA' } }));
    expect((await failure(client().fetchPlatformCertificates())).code).toBe('RESPONSE_SIGNATURE_INVALID');
  });
});
