/**
 * `GET /v3/certificates` (§2.7): the platform certificate, AES-256-GCM encrypted under the requesting
 * merchant's APIv3 key (AAD "certificate"), in certificate and both modes.
 *
 * In publicKey-only mode the live answer is UNCONFIRMED (§2.7, §12). We answer 404 RESOURCE_NOT_EXISTS:
 * an explicit error tells a client configured for certificate mode what is wrong, where an empty list
 * would surface later as "unknown serial".
 */
import type { FastifyInstance } from 'fastify';
import { aesGcmEncrypt, nonce } from '@wxpay-saga/wechatpay';
import type { Sandbox } from './context.js';
import { ApiError } from './errors.js';
import { defineRoute, sendJson } from './http.js';
import { rfc3339 } from './ids.js';
import { v3Route } from './v3.js';

export function registerCertificateRoutes(scope: FastifyInstance, sb: Sandbox): void {
  defineRoute(scope, '/v3/certificates', {
    GET: v3Route(sb, 'certificates', async (_req, reply, merchant) => {
      if (sb.settings.keyMode === 'publicKey') {
        throw new ApiError('RESOURCE_NOT_EXISTS', '商户未使用平台证书模式(仅开通微信支付公钥)');
      }
      const p = sb.platform;
      const certNonce = nonce(12);
      sendJson(reply, 200, {
        data: [
          {
            effective_time: rfc3339(p.certNotBefore),
            encrypt_certificate: {
              algorithm: 'AEAD_AES_256_GCM',
              associated_data: 'certificate',
              ciphertext: aesGcmEncrypt(p.certPem, merchant.apiV3Key, certNonce, 'certificate'),
              nonce: certNonce,
            },
            expire_time: rfc3339(p.certNotAfter),
            serial_no: p.certSerial,
          },
        ],
      });
    }),
  });
}
