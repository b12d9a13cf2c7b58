/**
 * What Hono's two integrations, the middleware (index.ts) and `instrument(app)`
 * (instrument.ts), read the same way: the node:http response under @hono/node-server, and
 * the route label of the handler that answered.
 */
import type { ServerResponse } from 'node:http';
import { UNMATCHED_ROUTE } from '../core.js';

/** A matched route as Hono's router holds it (its `RouterRoute`). */
export interface RouteInfo {
  path: string;
  handler: { length: number };
}

/** The node:http response of @hono/node-server's `c.env.outgoing`, if this is one. */
export function nodeResponse(env: unknown): ServerResponse | undefined {
  if (env === undefined || env === null) return undefined;
  const out = (env as { outgoing?: Partial<ServerResponse> }).outgoing;
  return out !== undefined && typeof out.on === 'function' && typeof out.writableEnded === 'boolean'
    ? (out as ServerResponse)
    : undefined;
}

/**
 * The route label of a request whose last handler to run was `route`. A middleware (it
 * takes `next`) that ends in a 404 called next() and nobody answered: Hono's not-found
 * handler did, so the request matched no route, whatever the middleware's path.
 */
export function routeLabel(route: RouteInfo, status: number): string {
  return status === 404 && route.handler.length >= 2 ? UNMATCHED_ROUTE : route.path;
}
