import type { Answer, CreateOrderJson, OrderJson, PaymentParamsJson, ProductsJson } from './api-types.js';
import { requestJson, type JsonResponse } from './http.js';
import type { SandboxClient } from './sandbox-client.js';

/**
 * What a mini program does against our order API, step by step. Used by `npm run demo`, the smoke
 * tests and the end-to-end tests, so they all exercise the same client path.
 */
export class MiniProgram {
  token?: string;
  openid?: string;

  constructor(
    readonly apiUrl: string,
    readonly sandbox: SandboxClient,
  ) {}

  private auth(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  /** wx.login() → POST /v1/sessions. */
  async login(openid?: string): Promise<this> {
    const { code, openid: id } = await this.sandbox.login(openid);
    const r = await requestJson<{ token: string }>('POST', `${this.apiUrl}/v1/sessions`, { body: { code } });
    if (r.status !== 201) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.token;
    this.openid = id;
    return this;
  }

  products(): Promise<JsonResponse<ProductsJson>> {
    return requestJson('GET', `${this.apiUrl}/v1/products`);
  }

  placeOrder(
    items: { sku: string; quantity: number }[],
    idempotencyKey: string,
  ): Promise<JsonResponse<Answer<CreateOrderJson>>> {
    return requestJson('POST', `${this.apiUrl}/v1/orders`, {
      body: { items },
      headers: { ...this.auth(), 'idempotency-key': idempotencyKey },
    });
  }

  order(id: string): Promise<JsonResponse<Answer<OrderJson>>> {
    return requestJson('GET', `${this.apiUrl}/v1/orders/${id}`, { headers: this.auth() });
  }

  orders(query = ''): Promise<JsonResponse<Answer<{ orders: OrderJson[]; nextCursor: string | null }>>> {
    return requestJson('GET', `${this.apiUrl}/v1/orders${query}`, { headers: this.auth() });
  }

  payment(id: string): Promise<JsonResponse<Answer<PaymentParamsJson>>> {
    return requestJson('GET', `${this.apiUrl}/v1/orders/${id}/payment`, { headers: this.auth() });
  }

  /** Polls GET /payment until 200 (or a final answer), honouring Retry-After. */
  async paymentWhenReady(id: string, timeoutMs = 20_000): Promise<JsonResponse<Answer<PaymentParamsJson>>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.payment(id);
      if (r.status !== 202 || Date.now() > deadline) return r;
      await new Promise((res) =>
        setTimeout(res, Math.min(1000, Number(r.headers.get('retry-after') ?? '1') * 200)),
      );
    }
  }

  /** wx.requestPayment() with the parameters exactly as the server returned them. */
  pay(params: PaymentParamsJson): Promise<{ errMsg: string }> {
    if (!this.openid) throw new Error('log in first');
    return this.sandbox.requestPayment(this.openid, params);
  }

  sync(id: string): Promise<JsonResponse<Answer<OrderJson>>> {
    return requestJson('POST', `${this.apiUrl}/v1/orders/${id}/sync`, { headers: this.auth() });
  }

  cancel(id: string): Promise<JsonResponse<Answer<OrderJson>>> {
    return requestJson('POST', `${this.apiUrl}/v1/orders/${id}/cancel`, { headers: this.auth() });
  }
}
