import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';

/** The request's query string parameters. */
export function queryOf(request: IncomingMessage): URLSearchParams {
  const url = request.url ?? '/';
  const mark = url.indexOf('?');
  return new URLSearchParams(mark === -1 ? '' : url.slice(mark + 1));
}

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${message}`, { param });
}

/** An instant as ISO 8601 or epoch milliseconds; undefined when absent. */
export function timeParam(query: URLSearchParams, param: string): number | undefined {
  const value = query.get(param);
  if (value === null || value === '') return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(parsed)) throw invalid(param, `not an ISO 8601 time or epoch milliseconds: "${value}"`);
  // Past what a Date can hold (year 275760), the value cannot be a time.
  if (!Number.isSafeInteger(parsed) || Math.abs(parsed) > 8.64e15) throw invalid(param, `out of range: "${value}"`);
  return parsed;
}

export function intParam(query: URLSearchParams, param: string, fallback: number, min: number, max: number): number {
  const value = query.get(param);
  if (value === null || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw invalid(param, `must be an integer from ${min} to ${max}, got "${value}"`);
  return parsed;
}

export function enumParam<T extends string>(query: URLSearchParams, param: string, allowed: readonly T[]): T | undefined {
  const value = query.get(param);
  if (value === null || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw invalid(param, `must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

export function stringParam(query: URLSearchParams, param: string): string | undefined {
  const value = query.get(param);
  return value === null || value === '' ? undefined : value;
}
