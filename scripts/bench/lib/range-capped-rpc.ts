/**
 * A JSON-RPC proxy that refuses `eth_getLogs` over more than `maxBlocks` blocks with the error public
 * RPCs give (Infura: 10,000), and forwards everything else untouched, batches included.
 */
import { createServer } from 'node:http';

interface RpcRequest {
  id?: unknown;
  method?: string;
  params?: { fromBlock?: string; toBlock?: string }[];
}

export async function startRangeCappedRpc(
  upstream: string,
  maxBlocks: number,
): Promise<{ url: string; refused: () => number; stop: () => Promise<void> }> {
  let refused = 0;
  const head = async (): Promise<bigint> => {
    const response = await fetch(upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
    });
    return BigInt(((await response.json()) as { result: string }).result);
  };
  const blockOf = async (tag: string | undefined): Promise<bigint> =>
    tag === undefined || tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized'
      ? head()
      : tag === 'earliest'
        ? 0n
        : BigInt(tag);
  const tooWide = async (request: RpcRequest): Promise<boolean> => {
    if (request.method !== 'eth_getLogs') return false;
    const filter = request.params?.[0] ?? {};
    return (await blockOf(filter.toBlock)) - (await blockOf(filter.fromBlock ?? 'earliest')) + 1n > BigInt(maxBlocks);
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString();
        const parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
        const requests = Array.isArray(parsed) ? parsed : [parsed];
        const refusals = await Promise.all(requests.map(tooWide));
        if (refusals.some(Boolean)) {
          refused += refusals.filter(Boolean).length;
          // Answer the whole batch here: the wide ones refused, the others forwarded one by one.
          const answers = await Promise.all(
            requests.map(async (each, index) =>
              refusals[index]
                ? {
                    jsonrpc: '2.0',
                    id: each.id,
                    error: { code: -32005, message: `query exceeds max block range ${maxBlocks}` },
                  }
                : ((await (
                    await fetch(upstream, {
                      method: 'POST',
                      headers: { 'content-type': 'application/json' },
                      body: JSON.stringify(each),
                    })
                  ).json()) as unknown),
            ),
          );
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]));
          return;
        }
        const forwarded = await fetch(upstream, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        response.writeHead(forwarded.status, { 'content-type': 'application/json' });
        response.end(Buffer.from(await forwarded.arrayBuffer()));
      })().catch((error: unknown) => {
        response
          .writeHead(502)
          .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: String(error) } }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    refused: () => refused,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
