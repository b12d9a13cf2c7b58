import type { ServerResponse } from 'node:http';
import type { ApiError, SourceName } from './api-types.js';

/** JSON with no caching: the API's answers are always "now". */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: { source?: SourceName; errorType?: string } = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body: ApiError = { error: { code, message, ...extra } };
  sendJson(res, status, body);
}

/** An error a route throws to answer with a status and an ApiError. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { source?: SourceName; errorType?: string } = {},
  ) {
    super(message);
  }
}
