import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors.js';
import type { SessionStore } from './store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireSession` for authenticated routes. */
    openid?: string;
  }
}

/** preHandler for the authenticated routes: `Authorization: Bearer <token>` → request.openid. */
export function requireSession(sessions: SessionStore) {
  return async (req: FastifyRequest): Promise<void> => {
    const header = req.headers.authorization;
    if (!header) throw new ApiError('UNAUTHENTICATED', 'missing Authorization: Bearer <token>');
    const match = /^Bearer ([^\s]+)$/.exec(header);
    const openid = match ? await sessions.resolve(match[1]!) : undefined;
    if (!openid) throw new ApiError('INVALID_TOKEN', 'the session token is invalid or expired; log in again');
    req.openid = openid;
  };
}

export function userOf(req: FastifyRequest): string {
  if (!req.openid) throw new ApiError('UNAUTHENTICATED', 'not authenticated');
  return req.openid;
}
