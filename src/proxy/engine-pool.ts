/**
 * The undici Pool bound to the engine socket, keeping each answer's header lines as the engine
 * wrote them. undici's request() lower-cases header names, and @fastify/reply-from deletes
 * Transfer-Encoding from what it hands on; the engine's own lines are what tell a chunked answer
 * from a close-delimited one, and what the client must see (`Api-Version`, not `api-version`).
 * Every request made through the pool is asked for raw headers, kept per answer body
 * (engineRawHeaders); the parsed map is rebuilt for the promise-form callers (target lookups).
 */
import { Pool, type Dispatcher } from 'undici';

const RAW_HEADERS = new WeakMap<object, readonly string[]>();

/** The header lines (name, value, name, value, …) of the engine answer whose body this is. */
export function engineRawHeaders(body: object): readonly string[] | undefined {
  return RAW_HEADERS.get(body);
}

/** Raw header lines → the lower-cased map undici's request() would have given. */
function headerMap(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function withRawHeaders<T>(data: Dispatcher.ResponseData<T>): Dispatcher.ResponseData<T> {
  const raw = data.headers as unknown as string[];
  RAW_HEADERS.set(data.body, raw);
  return Object.assign(data, { headers: headerMap(raw) });
}

export class EnginePool extends Pool {
  override request<T = null>(options: Dispatcher.RequestOptions<T>): Promise<Dispatcher.ResponseData<T>>;
  override request<T = null>(options: Dispatcher.RequestOptions<T>, callback: (err: Error | null, data: Dispatcher.ResponseData<T>) => void): void;
  override request<T = null>(
    options: Dispatcher.RequestOptions<T>,
    callback?: (err: Error | null, data: Dispatcher.ResponseData<T>) => void,
  ): Promise<Dispatcher.ResponseData<T>> | void {
    const raw = { ...options, responseHeaders: 'raw' as const };
    if (callback === undefined) return super.request(raw).then(withRawHeaders);
    // The callback form is @fastify/reply-from's forward, the hot path: sockgate reads only the
    // raw lines (engineRawHeaders), so the lower-cased map is not built for it.
    super.request(raw, (err, data) => {
      if (!err) RAW_HEADERS.set(data.body, data.headers as unknown as string[]);
      callback(err, data);
    });
  }
}
