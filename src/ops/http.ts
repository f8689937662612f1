import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import type { Readiness } from './readiness.ts';

/** What the listener serves: each route's answer, computed per request. */
export interface OpsRoutes {
  readiness(): Promise<Readiness>;
  metrics(): Promise<{ contentType: string; text: string }>;
}

/** The listener could not start: one line naming HTTP_PORT or HTTP_HOST. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export interface OpsListener {
  /** Where it listens, e.g. http://127.0.0.1:9464 (the port the system chose for port 0). */
  url: string;
  close(): Promise<void>;
}

/**
 * The health and metrics listener (node's http): GET (or HEAD) /healthz, /readyz and
 * /metrics; anything else is 404, another method 405. It binds `host` only (127.0.0.1 by
 * default: nothing outside the machine sees it). A port in use or an address the machine
 * does not have is an Error with one line naming HTTP_PORT/HTTP_HOST.
 */
export async function listen(port: number, host: string, routes: OpsRoutes, log: Logger): Promise<OpsListener> {
  const server = createServer((req, res) => {
    handle(req, res, routes).catch((err: unknown) => {
      log.error({ err, path: req.url }, 'the health and metrics listener failed to answer');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new ListenError(listenProblem(err, port, host), { cause: err })));
    server.listen(port, host, () => resolve());
  });
  server.on('error', (err) => log.error({ err }, 'the health and metrics listener failed'));
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url }, 'health and metrics listening (/healthz, /readyz, /metrics)');
  return { url, close: () => closeServer(server) };
}

async function handle(req: IncomingMessage, res: ServerResponse, routes: OpsRoutes): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') {
    return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /healthz, /readyz or /metrics\n');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed: GET or HEAD\n');
  }
  if (path === '/healthz') return send(res, 200, 'application/json', `${JSON.stringify({ alive: true })}\n`);
  if (path === '/readyz') {
    const verdict = await routes.readiness();
    return send(res, verdict.ready ? 200 : 503, 'application/json', `${JSON.stringify(verdict)}\n`);
  }
  const { contentType, text } = await routes.metrics();
  send(res, 200, contentType, text);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function listenProblem(err: NodeJS.ErrnoException, port: number, host: string): string {
  if (err.code === 'EADDRINUSE') return `HTTP_PORT ${port}: already in use on ${host} (another Emcee, or another program): choose another port`;
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `HTTP_HOST ${host}: not an address of this machine (${err.code})`;
  if (err.code === 'EACCES') return `HTTP_PORT ${port}: not allowed to listen on it (ports below 1024 need privileges): choose one above 1024`;
  return `HTTP_PORT ${port} on ${host}: cannot listen (${err.code ?? err.message})`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
