/**
 * Error-code normalisation and the retry table of wechatpay-v3.md §3.3, §3.5, §3.6.
 */
import { describe, expect, it } from 'vitest';
import {
  isRetriableWechatPayCode,
  normaliseCode,
  WECHATPAY_ERROR_CODES,
  WechatPayError,
} from '@wxpay-saga/wechatpay';

describe('§3.5 both spellings normalise to the current underscore spelling', () => {
  it.each([
    ['SYSTEMERROR', 'SYSTEM_ERROR'],
    ['SYSTEM_ERROR', 'SYSTEM_ERROR'],
    ['systemerror', 'SYSTEM_ERROR'],
    ['ORDERNOTEXIST', 'ORDER_NOT_EXIST'],
    ['NOTENOUGH', 'NOT_ENOUGH'],
    ['USERPAYING', 'USER_PAYING'],
    ['ACCOUNTERROR', 'ACCOUNT_ERROR'],
    ['NOAUTH', 'NO_AUTH'],
    ['RULELIMIT', 'RULE_LIMIT'],
    ['BANKERROR', 'BANK_ERROR'],
    ['ORDERCLOSED', 'ORDER_CLOSED'],
    ['ORDERPAID', 'ORDER_PAID'],
    ['INVALID_TRANSACTIONID', 'INVALID_TRANSACTIONID'],
    ['INVALID_TRANSACTION_ID', 'INVALID_TRANSACTIONID'],
    ['OPENIDMISMATCH', 'OPENID_MISMATCH'],
    ['FREQUENCYLIMITED', 'FREQUENCY_LIMITED'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseCode(raw)).toBe(expected);
    expect(new WechatPayError(raw, 'x').code).toBe(expected);
  });

  it('unknown codes come back upper-cased, unchanged otherwise', () => {
    expect(normaliseCode('some_NEW_code')).toBe('SOME_NEW_CODE');
    expect(normaliseCode('NEWCODE')).toBe('NEWCODE');
  });

  it('every declared code is its own normal form', () => {
    for (const code of Object.values(WECHATPAY_ERROR_CODES)) expect(normaliseCode(code)).toBe(code);
  });
});

describe('retriable table (§3.3, §3.5, §3.6)', () => {
  it.each<[string, number | null, boolean]>([
    ['SYSTEM_ERROR', 500, true],
    ['SYSTEMERROR', 500, true],
    ['BANK_ERROR', 500, true],
    ['BANKERROR', 500, true],
    ['SERVICE_UNAVAILABLE', 503, true],
    ['FREQUENCY_LIMITED', 429, true],
    ['RATELIMIT_EXCEEDED', 429, true],
    ['TIMEOUT', null, true],
    ['NETWORK_ERROR', null, true],
    // 500 but retrying is useless (§0.5, §3.5)
    ['OPENID_MISMATCH', 500, false],
    ['INVALID_TRANSACTIONID', 500, false],
    // 4xx: fix the request
    ['PARAM_ERROR', 400, false],
    ['INVALID_REQUEST', 400, false],
    ['SIGN_ERROR', 401, false],
    ['ORDER_CLOSED', 400, false],
    ['ORDERNOTEXIST', 404, false],
    ['NOT_ENOUGH', 403, false],
    ['RESOURCE_NOT_EXISTS', 404, false],
    // response verification never fixes itself
    ['RESPONSE_SIGNATURE_INVALID', 200, false],
    ['RESPONSE_UNKNOWN_SERIAL', 200, false],
    ['RESPONSE_TIMESTAMP_SKEW', 200, false],
    ['RESPONSE_PROBE_SIGNATURE', 200, false],
    ['RESPONSE_MALFORMED', 200, false],
    // unknown codes: the generic §3.3 rule by status
    ['SOMETHING_NEW', 500, true],
    ['SOMETHING_NEW', 502, true],
    ['SOMETHING_NEW', 429, true],
    ['SOMETHING_NEW', 400, false],
    ['SOMETHING_NEW', 403, false],
    ['SOMETHING_NEW', null, false],
    ['HTTP_ERROR', 503, true],
    ['HTTP_ERROR', 404, false],
  ])('%s with HTTP %s → retriable %s', (code, status, expected) => {
    expect(isRetriableWechatPayCode(code, status)).toBe(expected);
    expect(new WechatPayError(code, 'x', { httpStatus: status }).retriable).toBe(expected);
  });

  it('an explicit retriable flag wins over the table', () => {
    expect(new WechatPayError('SYSTEM_ERROR', 'x', { httpStatus: 500, retriable: false }).retriable).toBe(
      false,
    );
  });
});

describe('serialisation', () => {
  it('toJSON has code, status, retriable, requestId and message only', () => {
    const e = new WechatPayError('SYSTEMERROR', 'WeChat Pay failed', { httpStatus: 500, requestId: 'rid-1' });
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: 'WechatPayError',
      code: 'SYSTEM_ERROR',
      httpStatus: 500,
      retriable: true,
      requestId: 'rid-1',
      message: 'WeChat Pay failed',
    });
    expect(e).toBeInstanceOf(Error);
  });
});
