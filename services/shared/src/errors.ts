import type { Middleware } from 'koa';
import type { Logger } from './logger';

/** An error a client caused. `code` is the stable UPPER_SNAKE name clients branch on. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends HttpError {
  constructor(code: string, message: string) {
    super(400, code, message);
  }
}

export class UnprocessableError extends HttpError {
  constructor(code: string, message: string) {
    super(422, code, message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

/** The caller's condition (If-Match) no longer holds: it must read again. */
export class PreconditionFailedError extends HttpError {
  constructor(code: string, message: string) {
    super(412, code, message);
  }
}

export class NotFoundError extends HttpError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

/**
 * The one place errors become responses: `{"error":{"code","message"}}`.
 * Client errors carry their message; anything else is a 500 without details, logged once.
 */
export function errorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new NotFoundError('ROUTE_NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`);
      }
      // The router's own answers for a known path with another method are plain text: make them JSON too.
      if ((ctx.status === 405 || ctx.status === 501) && typeof ctx.body !== 'object') {
        ctx.body = { error: { code: ctx.status === 405 ? 'METHOD_NOT_ALLOWED' : 'NOT_IMPLEMENTED', message: `${ctx.method} is not allowed on ${ctx.path}` } };
      }
    } catch (err) {
      const { status, code, message } = toHttpError(err);
      if (status >= 500) log.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.status = status;
      ctx.body = { error: { code, message } };
    }
  };
}

function toHttpError(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof HttpError) return err;
  // Errors raised by Koa's body parser (malformed JSON, too large, wrong charset) carry a 4xx status.
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'MALFORMED_REQUEST';
    return { status, code, message: (err as Error).message };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
}
