/**
 * wechatpay-node-v3 as our request signer and wx.requestPayment builder. The subclass changes one thing:
 * `buildAuthorization` takes its nonce from a CSPRNG (the library uses Math.random, 10–11 chars; §4 asks for
 * 32 alphanumerics) and its timestamp from our clock. The message, the signature (`getSignature`) and the
 * header (`getAuthorization`) are still the library's.
 */
import WxPay from 'wechatpay-node-v3';
import { nonce as randomNonce, PROD_BASE_URL, unixSeconds } from './crypto.js';

export interface SignerOptions {
  readonly appid: string;
  readonly mchid: string;
  /** Upper-case hex merchant certificate serial (§4). Passed explicitly so the library never derives it. */
  readonly serialNo: string;
  readonly privateKey: string;
  /** The library requires a `publicKey` (it only derives serial_no from it); cert or merchant public key. */
  readonly publicKey: string;
  readonly userAgent: string;
  readonly now: () => number;
  readonly nonce?: () => string;
}

export class SigningPay extends WxPay {
  private readonly clock: () => number;
  private readonly makeNonce: () => string;

  constructor(o: SignerOptions) {
    super({
      appid: o.appid,
      mchid: o.mchid,
      serial_no: o.serialNo,
      privateKey: Buffer.from(o.privateKey),
      publicKey: Buffer.from(o.publicKey),
      userAgent: o.userAgent,
      // No `key`: we never call the library's decipher_gcm (it skips the GCM tag check) or verifySign.
    });
    this.clock = o.now;
    this.makeNonce = o.nonce ?? (() => randomNonce(32));
  }

  protected override buildAuthorization(
    method: string,
    url: string,
    params?: Record<string, unknown>,
  ): string {
    const nonceStr = this.makeNonce();
    const timestamp = unixSeconds(this.clock());
    // As the library does: the production origin is stripped, so the signed URL line is path?query (§4).
    const signature = this.getSignature(method, nonceStr, timestamp, url.replace(PROD_BASE_URL, ''), params);
    return this.getAuthorization(nonceStr, timestamp, signature);
  }

  /** Signed headers for a GET the library has no safe method for (/v3/certificates: its own decrypt is unauthenticated). */
  signedGetHeaders(url: string): Record<string, string> {
    return this.getHeaders(this.buildAuthorization('GET', url));
  }
}
