/**
 * The command line and environment of `npm start`: which ports the devnet, the IPFS node, the indexer
 * and the web app listen on, and whether to run the indexer. A flag wins over its environment
 * variable, which wins over the default.
 */
import { parseArgs } from 'node:util';

/** The ports `npm start` listens on, all on 127.0.0.1. */
export interface StartPorts {
  readonly rpc: number;
  readonly ipfsApi: number;
  readonly gateway: number;
  readonly indexer: number;
  readonly web: number;
}

export interface StartOptions {
  readonly ports: StartPorts;
  /** Run the indexer (Ponder); `--no-indexer` leaves the app reading events from the chain alone. */
  readonly indexer: boolean;
  readonly help: boolean;
}

/** A mistake in the command line or the environment: printed with the usage text, exit code 2. */
export class StartUsageError extends Error {
  override readonly name = 'StartUsageError';
}

/** Each port: its key, flag, environment variable and what listens on it. */
export const PORT_SETTINGS = [
  { key: 'rpc', flag: 'rpc-port', env: 'MEDLEDGER_RPC_PORT', what: 'devnet JSON-RPC' },
  { key: 'ipfsApi', flag: 'ipfs-api-port', env: 'MEDLEDGER_IPFS_API_PORT', what: 'IPFS RPC API' },
  { key: 'gateway', flag: 'gateway-port', env: 'MEDLEDGER_GATEWAY_PORT', what: 'IPFS gateway' },
  { key: 'indexer', flag: 'indexer-port', env: 'MEDLEDGER_INDEXER_PORT', what: 'indexer API' },
  { key: 'web', flag: 'web-port', env: 'MEDLEDGER_WEB_PORT', what: 'web app' },
] as const satisfies readonly { key: keyof StartPorts; flag: string; env: string; what: string }[];

/** The ports of a plain `npm start`. */
export const DEFAULT_PORTS: StartPorts = { rpc: 8545, ipfsApi: 5001, gateway: 8080, indexer: 42069, web: 3000 };

export const START_USAGE = `Usage: npm start -- [options]
${PORT_SETTINGS.map((s) => `  --${`${s.flag} N`.padEnd(20)} ${`${s.what} port`.padEnd(22)} (env ${s.env}, default ${DEFAULT_PORTS[s.key]})`).join('\n')}
  --no-indexer           do not run the indexer: the app reads events from the chain alone
  --help                 this text`;

function portOf(value: string, source: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65_535))
    throw new StartUsageError(`${source} must be a port number (1–65535), got ${JSON.stringify(value)}`);
  return port;
}

/**
 * Reads the ports from the command line, then the environment, then the defaults.
 *
 * @param argv - the arguments after `npm start --`
 * @param env - the environment (`process.env`)
 * @throws {@link StartUsageError} for an unknown flag, a value that is not a port, or two services on one port
 */
export function parseStartOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StartOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(PORT_SETTINGS.map((s) => [s.flag, { type: 'string' as const }])),
        'no-indexer': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new StartUsageError(error instanceof Error ? error.message : String(error));
  }
  const ports = { ...DEFAULT_PORTS };
  const portOwners = new Map<number, string>();
  for (const setting of PORT_SETTINGS) {
    const flag = values[setting.flag];
    const fromEnv = env[setting.env]?.trim();
    if (typeof flag === 'string') ports[setting.key] = portOf(flag.trim(), `--${setting.flag}`);
    else if (fromEnv) ports[setting.key] = portOf(fromEnv, setting.env);
    const owner = portOwners.get(ports[setting.key]);
    if (owner)
      throw new StartUsageError(`The ${owner} and the ${setting.what} cannot share port ${ports[setting.key]}.`);
    portOwners.set(ports[setting.key], setting.what);
  }
  return { ports, indexer: values['no-indexer'] !== true, help: values.help === true };
}
