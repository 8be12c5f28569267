/**
 * The official and SDK test vectors of wechatpay-v3.md §10, reproduced exactly by our primitives.
 * Section numbers refer to that document.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  buildAuthorization,
  certificateSerial,
  paySignMessage,
  parseAuthorization,
  requestSignMessage,
  responseSignMessage,
  signSha256Rsa,
  verifySha256Rsa,
} from '@wxpay-saga/wechatpay';
import {
  goPlatformCert,
  goPlatformKey,
  officialMerchantKey,
  responseSamplePublicKey,
} from './vectors-keys.js';

const TS = '1554208460';
const NONCE = '593BEC0C930BF1AFEB40B4A08C8FB242';

describe('§10.1 official request signatures (documentation test key)', () => {
  it('key file matches the published SHA-256', () => {
    expect(crypto.createHash('sha256').update(officialMerchantKey).digest('hex')).toBe(
      '1379c659e6e256edeb94168dd34624549f5ebe3a597e0ff346448782639bca65',
    );
  });

  it('(a) GET with a path parameter', () => {
    const msg = requestSignMessage('GET', '/v3/refund/domestic/refunds/123123123123', TS, NONCE, '');
    expect(msg).toBe(`GET\n/v3/refund/domestic/refunds/123123123123\n${TS}\n${NONCE}\n\n`);
    expect(signSha256Rsa(msg, officialMerchantKey)).toBe(
      'Lc9VXxmeonkdV8Xk9tmigQFLhl0vRWTerdmoRu01aAnYwIrD/5nsSwE1WlmZGLRlAFTNQ3QsMa0+VRDlJp1Wp5p0nO8EK68b5sJBbjouxaFciIfq1zfDWWz+jqhcMoKXI1A6dPm1AW7D4d30WsMTNzp6g23OXakIsh9LO3lUmwvTuE0BY8ncf6tNGk4wKmvXwERd/ZpoQY3MAVKz+Nakwc+2XBmzT66KcUehU5kr4IvGa/lEU5RZb/q00zP9VLdBhC/jQSX3X1UcJLCtEc4gTmib4tnmAT+bHF/e17ZAuxDNcx6rqT8gNEXqaJGG+1OflMSTU2tpyG65G4dMKdFcoA==',
    );
  });

  it('(b) POST JSAPI with a UTF-8 body', () => {
    const body =
      '{"appid":"wxd678efh567hg6787","mchid":"1900007291","description":"Image形象店-深圳腾大-QQ公仔","out_trade_no":"1217752501201407033233368018","notify_url":"https://www.weixin.qq.com/wxpay/pay.php","amount":{"total":100,"currency":"CNY"},"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}';
    const msg = requestSignMessage('POST', '/v3/pay/transactions/jsapi', TS, NONCE, body);
    expect(signSha256Rsa(msg, officialMerchantKey)).toBe(
      'jnks4dlrPw3ZX+ozVvSK39oa0t7OMBsg83BHAwd8BRdUFiVaQNTLTvci+wURgP1OQBbKYhFGvt7iqYpDSTQkp7Uq1sltaQKyncCyrA1g88m5bsKERQfPyT0ahSwKTYJ1CAn9QiJuSJRq1QsQs07eehbU/k9BCS51jTyc1Jpsi2H77HF9f/BnjXAOP3/sPObg6V5Ee4EzwLox684hhuMuIwHo7D8KFk3LIHOKDcNI4It1aCXydFWNpNK+SG86VUDe5kwoDpw4Ulqfu9z8OFDGbDs9TCxEv8iqQzbpxOlEVoOe2kalSYM5kApQb3nZcxdUtoE0liJGW3RGUNE0t4v01A==',
    );
  });

  it('(c) image-upload meta signature prefix', () => {
    const meta =
      '{ "filename": "wechatpay_logo.png", "sha256": "d2973a45b1d528c21ebb77792ef3fcea40fa9a4e04a17e35369102ba9c84c8b1"}';
    const msg = requestSignMessage('POST', '/v3/marketing/favor/media/image-upload', TS, NONCE, meta);
    expect(signSha256Rsa(msg, officialMerchantKey)).toMatch(/^oykQTJijZbHL\+0QjYjOcwvovGxlU9LMcfVheUUdvr94D/);
  });

  it('(d) paySign with the same key', () => {
    const msg = paySignMessage(
      'wx2421b1c4370ec43b',
      TS,
      NONCE,
      'prepay_id=wx201410272009395522657a690389285100',
    );
    expect(signSha256Rsa(msg, officialMerchantKey)).toBe(
      'mI35pfNEQV6777ke/1T+LJLQDNTm7yeoUJH+j/adPGhmCCi0PbgkvYQTRcXH0uibcLVtvFLdGLpmoYO9FV6lBBsTAjuhh5YOvQi0e2g3e0yytitiNET9FEuqM0pjnKfRW4K6LIZDdbWJv9KhZUx3DrJa5TL7OJ7VdADVivxVySIlPVKjGwuCXzuXSJes0UcILgWQUMyha5/3nYofuHtS7r+KYyMuxD+oJ9VM1Qdxk4UIG59CP5Y3wtYIFybyF3bdu1caHTRRX+DLyMXyYA/IrTmiW01c4RPjpHBX5Dk1sZyY1zVsWNsvMHr2e1NTWtBxKJ+qk5N61J7caYoepHFaxw==',
    );
  });

  it('(e) derived: query by out_trade_no and the D14 paySign example', () => {
    const q = requestSignMessage(
      'GET',
      '/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1900007291',
      TS,
      NONCE,
      '',
    );
    expect(signSha256Rsa(q, officialMerchantKey)).toBe(
      'cVvdVujlEmASmAYpcmKXmIrlQualKxd87f8XZtnTeLCw3V7kZ1ST6YwX0kSLsqJeecZqmKJfd6ieRl/hRLZUodxXU1NzoTz1OXNh6TzBfcxU8xRNFbmPiEHwMJM7Jo52TYGk71MaCbvkPlUpUL6WhpmAgfC7jg/3IcA/UILbby4Nro0Nbq0An/DYEEp8vZMaags/5ed52JpGqxEOcTLIuqihy+Amy5z+t8m3a93YTRNDRi0W5b332UQBtrWRSwJOMU96Nof7hJC2MM71Y1bHB8YP8kBKaoDW7vEoNsEMVzkyp0pyjUHFWc6yaRVHE054z79S2koj3jSRbCiY+CaJzg==',
    );
    const p = paySignMessage(
      'wx8888888888888888',
      '1414561699',
      '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
      'prepay_id=wx201410272009395522657a690389285100',
    );
    expect(signSha256Rsa(p, officialMerchantKey)).toBe(
      'mIDSHc+67tlJlgnSkB1BD1+B08suWtz70aoSI6wwGE+0FC5qnMkKFLn/yl0aFCeD+vrTrztwbyAhgb+RuVEMk3N/d2VYVR+uWt27BqR58mWdlYufNvBwmMwCLXYyDrnWXFUF5OYnVX8ey3NouScOWlCAr7QzbmL7pja1MbuupT7JfIJbI5rzDcVFvFpKbLX93nG5eJcYomKf2Ubiwu0/ZdlLOx848ToI0US0g9g7I0jBUB7tx1eDV+InsYDvHSkGdNjz2xvg3lx7ZaPgIuTRQzf8o5W2RVndInqYfRdyDn0pmqILM76lUlTAlub38D4oViu5To7WihblSEIa+O47Bg==',
    );
  });

  it('builds and parses the official Authorization header example', () => {
    const header = buildAuthorization({
      mchid: '1900007291',
      nonce_str: NONCE,
      timestamp: TS,
      serial_no: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
      signature: 'Lc9V…oA==',
    });
    expect(header).toBe(
      `WECHATPAY2-SHA256-RSA2048 mchid="1900007291",nonce_str="${NONCE}",timestamp="${TS}",serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB",signature="Lc9V…oA=="`,
    );
    // The documentation's own order (signature before timestamp) parses too: order is free (§4).
    const docOrder = `WECHATPAY2-SHA256-RSA2048 mchid="1900007291",nonce_str="${NONCE}",signature="abc=",timestamp="${TS}",serial_no="408B"`;
    expect(parseAuthorization(docOrder)).toEqual({
      mchid: '1900007291',
      nonce_str: NONCE,
      timestamp: TS,
      serial_no: '408B',
      signature: 'abc=',
    });
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1"')).toBeNull();
    expect(parseAuthorization('Bearer abc')).toBeNull();
  });
});

describe('§10.2 official response-verification sample (public-key mode)', () => {
  const sig =
    'mfI1CPqvBrgcXfgXMFjdNIhBf27ACE2YyeWsWV9ZI7T7RU0vHvbQpu9Z32ogzc+k8ZC5n3kz7h70eWKjgqNdKQF0eRp8mVKlmfzMLBVHbssB9jEZEDXThOX1XFqX7s7ymia1hoHQxQagPGzkdWxtlZPZ4ZPvr1RiqkgAu6Is8MZgXXrRoBKqjmSdrP1N7uxzJ/cjfSiis9FiLjuADoqmQ1P7p2N876YPAol7Rn0+GswwAwxldbdLrmVSjfytfSBJFqTMHn4itojgxSWWN1byuckQt8hSTEv/Lg97QoeGniYP17T80pJeQyL3b+295FPHSO2AtvCgyIbKMZ0BALilAA==';
  const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=JyC91EIz1"}';
  it('verifies, and fails for a changed body', () => {
    expect(
      verifySha256Rsa(
        responseSignMessage('1722850421', 'd824f2e086d3c1df967785d13fcd22ef', body),
        sig,
        responseSamplePublicKey,
      ),
    ).toBe(true);
    expect(
      verifySha256Rsa(
        responseSignMessage('1722850421', 'd824f2e086d3c1df967785d13fcd22ef', body + ' '),
        sig,
        responseSamplePublicKey,
      ),
    ).toBe(false);
  });
});

describe('§10.3 wechatpay-go vectors', () => {
  it('(a) SignSHA256WithRSA("source")', () => {
    expect(signSha256Rsa('source', goPlatformKey)).toBe(
      'BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==',
    );
    expect(certificateSerial(goPlatformCert)).toBe('D7CE59D1F522D701');
  });

  it('(c) AES-GCM with the 16-byte test key (AES-128, as Go selects by key length)', () => {
    expect(
      aesGcmDecrypt(
        'FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC',
        'testAPIv3Key0000',
        'wCq51qZv4Yfg',
        'Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8',
      ),
    ).toBe('Hello World');
  });
});

describe('§10.4 wechatpay-java vectors', () => {
  it('(a) AES-256-GCM in both directions, and tampering is detected', () => {
    const key = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
    expect(aesGcmEncrypt('message', key, 'uluk4a9R25RW', 'associatedData')).toBe(
      'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=',
    );
    expect(aesGcmDecrypt('ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=', key, 'uluk4a9R25RW', 'associatedData')).toBe(
      'message',
    );
    expect(() =>
      aesGcmDecrypt('ulwSiIajGClcvcOYvOQ7+l+0PAbzzwA=', key, 'uluk4a9R25RW', 'associatedData'),
    ).toThrow();
    expect(() =>
      aesGcmDecrypt('ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=', key, 'uluk4a9R25RW', 'otherData'),
    ).toThrow();
    expect(() =>
      aesGcmDecrypt(
        'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=',
        key.replace('a', 'b'),
        'uluk4a9R25RW',
        'associatedData',
      ),
    ).toThrow();
  });
});
