/** The processes of the stack, how each is started, and the URL that says it is ready. */
export const SERVICES = ['order-api', 'notify-gateway', 'payment-worker', 'reconciler'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const PORT_VARIABLE: Record<ServiceName | 'sandbox', string> = {
  'order-api': 'ORDER_API_PORT',
  'notify-gateway': 'NOTIFY_GATEWAY_PORT',
  'payment-worker': 'PAYMENT_WORKER_PORT',
  reconciler: 'RECONCILER_PORT',
  sandbox: 'SANDBOX_PORT',
};

export const DEFAULT_PORTS: Record<ServiceName | 'sandbox', number> = {
  'order-api': 8080,
  'notify-gateway': 8081,
  'payment-worker': 8082,
  reconciler: 8083,
  sandbox: 8090,
};

export const entryOf = (name: ServiceName | 'sandbox'): string =>
  name === 'sandbox' ? 'tools/wechatpay-sandbox/src/main.ts' : `services/${name}/src/main.ts`;
