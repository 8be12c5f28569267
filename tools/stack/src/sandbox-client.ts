import type { LedgerJson, MerchantJson, SandboxStatsJson } from './api-types.js';
import { requestJson } from './http.js';

export interface FaultRule {
  endpoint: 'jsapi' | 'query' | 'close' | 'refund' | 'jscode2session' | 'notify';
  kind: string;
  rate?: number;
  count?: number;
  ms?: number;
  status?: number;
  code?: string;
}

export interface RequestPaymentArgs {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

/** The sandbox's control API: what the WeChat app does, and the ledger (ground truth). */
export function sandboxClient(baseUrl: string) {
  const ok = async <T>(p: Promise<{ status: number; body: T }>, what: string): Promise<T> => {
    const r = await p;
    if (r.status >= 400) throw new Error(`${what} failed: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    url: baseUrl,
    /** What wx.login() yields for a (new) user. */
    login: (openid?: string) =>
      ok(
        requestJson<{ code: string; openid: string }>('POST', `${baseUrl}/__sandbox/login`, {
          body: openid ? { openid } : {},
        }),
        'login',
      ),
    /** What wx.requestPayment() does, for `openid`. */
    requestPayment: (openid: string, params: RequestPaymentArgs, action?: 'cancel') =>
      ok(
        requestJson<{ errMsg: string }>('POST', `${baseUrl}/__sandbox/requestPayment`, {
          body: { openid, ...params, ...(action ? { action } : {}) },
        }),
        'requestPayment',
      ),
    transactions: () =>
      ok(
        requestJson<{ transactions: LedgerJson[] }>('GET', `${baseUrl}/__sandbox/transactions`),
        'transactions',
      ),
    transaction: async (outTradeNo: string): Promise<LedgerJson | undefined> => {
      const r = await requestJson<LedgerJson>('GET', `${baseUrl}/__sandbox/transactions/${outTradeNo}`);
      if (r.status === 404) return undefined;
      if (r.status >= 400) throw new Error(`transaction ${outTradeNo}: HTTP ${r.status}`);
      return r.body;
    },
    stats: () => ok(requestJson<SandboxStatsJson>('GET', `${baseUrl}/__sandbox/stats`), 'stats'),
    merchant: () => ok(requestJson<MerchantJson>('GET', `${baseUrl}/__sandbox/merchant`), 'merchant'),
    addFault: (rule: FaultRule) =>
      ok(requestJson<{ id: string }>('POST', `${baseUrl}/__sandbox/faults`, { body: rule }), 'add fault'),
    clearFaults: () => ok(requestJson('DELETE', `${baseUrl}/__sandbox/faults`), 'clear faults'),
  };
}
export type SandboxClient = ReturnType<typeof sandboxClient>;
