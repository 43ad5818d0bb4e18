/**
 * Sets the Content-Security-Policy of every page at request time: scripts only from this origin with a
 * fresh nonce (Next.js applies it to its own inline scripts), and network access only to this origin
 * and the chain RPC the server was started with. The IPFS node is reached through this origin's
 * `/api/ipfs` proxy, so nothing else is needed.
 */
import { type NextRequest, NextResponse } from 'next/server';

import { readRuntimeConfig } from './components/runtime-config.server';

function contentSecurityPolicy(nonce: string, rpcUrl: string, development: boolean): string {
  return [
    "default-src 'self'",
    // wasm-unsafe-eval: onnxruntime-web compiles its WebAssembly runtime. unsafe-eval only for dev's HMR.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "frame-src 'self' blob:",
    "worker-src 'self' blob:",
    "object-src 'self' blob:",
    `connect-src 'self' ${new URL(rpcUrl).origin}${development ? ' ws:' : ''}`,
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const policy = contentSecurityPolicy(nonce, readRuntimeConfig().rpcUrl, process.env.NODE_ENV === 'development');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // Pages only: API routes, static chunks, the served wasm/models and prefetches need no policy.
  matcher: [
    {
      source: '/((?!api|_next/static|_next/image|ort|models|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
