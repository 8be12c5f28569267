/** The goods the mini program sells. Prices are integer fen (分) and only ever come from here. */
export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly unitPrice: number;
}

export const DEFAULT_CATALOG: readonly Product[] = Object.freeze([
  { sku: 'COFFEE-LATTE', name: '拿铁咖啡', unitPrice: 2800 },
  { sku: 'COFFEE-AMERICANO', name: '美式咖啡', unitPrice: 2200 },
  { sku: 'TEA-OOLONG', name: '乌龙茶', unitPrice: 1800 },
  { sku: 'CAKE-CHEESE', name: '芝士蛋糕', unitPrice: 3500 },
  { sku: 'BEANS-250G', name: '咖啡豆 250g', unitPrice: 8800 },
  { sku: 'MUG-CERAMIC', name: 'Ceramic mug', unitPrice: 6900 },
  { sku: 'TEST-1FEN', name: '测试商品', unitPrice: 1 },
]);

export interface RequestedItem {
  readonly sku: string;
  readonly quantity: number;
}

export interface PricedItem {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly lineTotal: number;
}

export type PricingResult =
  | { readonly ok: true; readonly items: PricedItem[]; readonly total: number }
  | {
      readonly ok: false;
      readonly code: 'UNKNOWN_SKU' | 'DUPLICATE_SKU' | 'TOTAL_TOO_LARGE';
      readonly sku?: string;
    };

/** WeChat takes a 32-bit integer total; we cap well below it (¥1,000,000). */
export const MAX_ORDER_TOTAL_FEN = 100_000_000;

/** Prices the request from the catalog. The client never sends prices, so it cannot choose them. */
export function priceOrder(catalog: readonly Product[], requested: readonly RequestedItem[]): PricingResult {
  const bySku = new Map(catalog.map((p) => [p.sku, p]));
  const seen = new Set<string>();
  const items: PricedItem[] = [];
  for (const r of requested) {
    if (seen.has(r.sku)) return { ok: false, code: 'DUPLICATE_SKU', sku: r.sku };
    seen.add(r.sku);
    const product = bySku.get(r.sku);
    if (!product) return { ok: false, code: 'UNKNOWN_SKU', sku: r.sku };
    items.push({ ...product, quantity: r.quantity, lineTotal: product.unitPrice * r.quantity });
  }
  const total = items.reduce((sum, i) => sum + i.lineTotal, 0);
  if (total > MAX_ORDER_TOTAL_FEN) return { ok: false, code: 'TOTAL_TOO_LARGE' };
  return { ok: true, items, total };
}

/**
 * The bill text the payer sees (`description`, §2.1): ≤127 characters of 1–3-byte UTF-8.
 * Catalog names are ours, but we still drop 4-byte characters defensively.
 */
export function describeOrder(items: readonly PricedItem[], shopName = 'wxpay-saga'): string {
  const first = items[0];
  if (!first) return shopName;
  const count = items.reduce((n, i) => n + i.quantity, 0);
  const text = count > 1 ? `${shopName}-${first.name}等${count}件` : `${shopName}-${first.name}`;
  return [...text]
    .filter((ch) => ch.codePointAt(0)! <= 0xffff)
    .slice(0, 127)
    .join('');
}
