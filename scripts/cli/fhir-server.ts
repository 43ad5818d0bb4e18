/**
 * `fhir-server [--port 8090] [--host 127.0.0.1] [--purpose treatment]`: serves the records the acting
 * wallet may read — a provider its patients' granted categories, a patient their own record — as a
 * FHIR R4 REST API with Bulk Data export (lib/fhir-server), until Ctrl-C. Records are decrypted on
 * this machine; a provider's reads are logged on-chain with the purpose, each record once a session.
 */
import type { Address } from 'viem';

import { type ChainContext, PURPOSES_OF_USE, purposeNamed, readMedLedger } from '../../lib/chain';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { DEFAULT_FHIR_PORT, createRecordSource, isLoopback, startFhirServer } from '../../lib/fhir-server';
import type { KuboRPCClient } from '../../lib/ipfs';
import { type Vault, enrollWallet } from '../../lib/records';

/** What the command needs from the CLI: the acting wallet's chain and the IPFS node. */
export interface FhirServerCliEnv {
  chain(): Promise<ChainContext>;
  ipfs(): KuboRPCClient;
}

type Values = Record<string, string | boolean | undefined>;
type Output = { out(human: string, data: unknown): void };
type Command = (positionals: string[], values: Values, io: Output) => Promise<void>;

/** `--port` as a port number. */
export function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_FHIR_PORT;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) {
    throw new ValidationError([{ path: '--port', message: `"${text}" is not a port (0–65535)` }]);
  }
  return Number(text);
}

/** The warning printed when the server listens beyond this machine. */
export function exposureWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  return (
    `WARNING: --host ${host} serves decrypted health records, without access tokens, to anyone who can ` +
    'reach this address on the network. Bind to 127.0.0.1 (the default) unless the network is yours alone.'
  );
}

/** Whether the acting wallet reads as a patient (its own record) or as a provider. */
async function roleOf(chain: ChainContext, account: Address): Promise<'patient' | 'provider'> {
  if (await readMedLedger(chain, 'isPatient', [account])) return 'patient';
  if (await readMedLedger(chain, 'isActiveProvider', [account])) return 'provider';
  throw new NotFoundError(`${account} is neither a registered patient nor an active provider, so it may read nothing.`);
}

/** Resolves when the process is asked to stop. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * The `fhir-server` command.
 *
 * @param env - the acting wallet's chain and the IPFS node
 */
export function fhirServerCommands(env: FhirServerCliEnv): Record<'fhir-server', Command> {
  return {
    async 'fhir-server'(positionals, values, io) {
      if (positionals.length > 0) {
        throw new ValidationError([{ path: positionals[0]!, message: 'fhir-server takes no arguments' }]);
      }
      const port = parsePort(values.port as string | undefined);
      const host = String(values.host ?? '127.0.0.1');
      const purposeText = values.purpose as string | undefined;
      const purpose = purposeText === undefined ? undefined : purposeNamed(purposeText);
      if (purposeText !== undefined && !purpose) {
        throw new ValidationError([
          { path: '--purpose', message: `use one of ${PURPOSES_OF_USE.map((item) => item.name).join(', ')}` },
        ]);
      }
      const chain = await env.chain();
      const account = chain.account!;
      const role = await roleOf(chain, account);
      const { key } = await enrollWallet(chain, { role });
      const vault: Vault = { chain, ipfs: env.ipfs(), identity: key };
      const source = createRecordSource(vault, {
        role,
        ...(purpose ? { purpose } : {}),
        onProgress: ({ done, total }) => {
          if (process.stderr.isTTY)
            process.stderr.write(`\rreading patients ${done}/${total}`.padEnd(40) + (done === total ? '\n' : ''));
        },
      });
      const server = await startFhirServer({
        source,
        host,
        port,
        software: { name: 'MedLedger', version: process.env.npm_package_version ?? '0' },
      });
      const warning = exposureWarning(host);
      if (warning) console.error(warning);
      const serves =
        role === 'patient'
          ? `the record of ${account}`
          : `the records ${account} was granted (reads logged on-chain ${(purpose ?? PURPOSES_OF_USE[0]!).phrase}, each record once a session)`;
      io.out(
        `FHIR R4 server at ${server.url} serving ${serves}. CapabilityStatement: ${server.url}/metadata. Ctrl-C stops.`,
        {
          url: server.url,
          role,
          account,
          purpose: role === 'provider' ? (purpose ?? PURPOSES_OF_USE[0]!).name : null,
        },
      );
      await stopSignal();
      await server.stop();
    },
  };
}
