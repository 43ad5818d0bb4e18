import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEFAULT_PORTS, StartUsageError, parseStartOptions } from './start-options';

describe('parseStartOptions', () => {
  test('defaults to 8545, 5001, 8080, 42069 and 3000, with the indexer', () => {
    assert.deepEqual(parseStartOptions([], {}), { ports: DEFAULT_PORTS, indexer: true, help: false });
    assert.deepEqual(DEFAULT_PORTS, { rpc: 8545, ipfsApi: 5001, gateway: 8080, indexer: 42069, web: 3000 });
  });

  test('leaves the indexer out on --no-indexer', () => {
    assert.equal(parseStartOptions(['--no-indexer'], {}).indexer, false);
  });

  test('reads every port from its flag', () => {
    const argv = ['--rpc-port', '18545', '--ipfs-api-port', '15001', '--gateway-port=18080', '--web-port', '13000'];
    argv.push('--indexer-port', '14069');
    assert.deepEqual(parseStartOptions(argv, {}).ports, {
      rpc: 18545,
      ipfsApi: 15001,
      gateway: 18080,
      indexer: 14069,
      web: 13000,
    });
  });

  test('reads the environment, and a flag wins over it', () => {
    const env = {
      MEDLEDGER_RPC_PORT: '28545',
      MEDLEDGER_IPFS_API_PORT: ' 25001 ',
      MEDLEDGER_GATEWAY_PORT: '',
      MEDLEDGER_WEB_PORT: '23000',
      MEDLEDGER_INDEXER_PORT: '24069',
    };
    assert.deepEqual(parseStartOptions(['--web-port', '3001'], env).ports, {
      rpc: 28545,
      ipfsApi: 25001,
      gateway: 8080,
      indexer: 24069,
      web: 3001,
    });
  });

  test('refuses what is not a port, naming where it came from', () => {
    assert.throws(() => parseStartOptions(['--rpc-port', '70000'], {}), /--rpc-port must be a port number.*"70000"/);
    assert.throws(() => parseStartOptions(['--web-port', '0'], {}), StartUsageError);
    assert.throws(
      () => parseStartOptions([], { MEDLEDGER_GATEWAY_PORT: '80a' }),
      /MEDLEDGER_GATEWAY_PORT must be a port/,
    );
  });

  test('refuses two services on one port', () => {
    assert.throws(
      () => parseStartOptions(['--web-port', '8545'], {}),
      /The devnet JSON-RPC and the web app cannot share port 8545/,
    );
  });

  test('refuses unknown flags and reports --help', () => {
    assert.throws(() => parseStartOptions(['--port', '1'], {}), StartUsageError);
    assert.equal(parseStartOptions(['--help'], {}).help, true);
  });
});
