import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { deployments } from '../lib/chain/deployments';
import { indexerUrlOf, readRuntimeConfig, RuntimeConfigError } from './runtime-config.server';

describe('readRuntimeConfig', () => {
  it('defaults to the devnet on 127.0.0.1:8545 without the burner wallet', () => {
    assert.deepEqual(readRuntimeConfig({}), {
      rpcUrl: 'http://127.0.0.1:8545',
      chain: { id: 31337, name: 'MedLedger devnet' },
      burner: false,
      maxUploadBytes: 2_147_483_648,
      indexer: false,
    });
    assert.equal(readRuntimeConfig({ MEDLEDGER_BURNER: '1' }).burner, true);
    assert.equal(readRuntimeConfig({ MEDLEDGER_BURNER: 'yes' }).burner, false, 'only "1" switches it on');
  });

  it('says whether an indexer serves lists, and refuses an indexer address that is not http(s)', () => {
    assert.equal(readRuntimeConfig({ MEDLEDGER_INDEXER_URL: 'http://127.0.0.1:42069/' }).indexer, true);
    assert.equal(indexerUrlOf({ MEDLEDGER_INDEXER_URL: ' http://127.0.0.1:42069/ ' }), 'http://127.0.0.1:42069');
    assert.equal(indexerUrlOf({ MEDLEDGER_INDEXER_URL: '' }), undefined);
    assert.throws(
      () => readRuntimeConfig({ MEDLEDGER_INDEXER_URL: 'postgres://db/ponder' }),
      (error: unknown) => error instanceof RuntimeConfigError && /MEDLEDGER_INDEXER_URL=.*http\(s\)/.test(error.message),
    );
  });

  it("takes the chain id and name of a hospital's chain when the build holds its deployment", () => {
    // What a build made after `npm run deploy` on another network holds.
    const deployed = { ...deployments, 424242: { ...deployments['31337'], chainId: 424242 } };
    const config = readRuntimeConfig(
      {
        MEDLEDGER_RPC_URL: 'https://rpc.hospital.example',
        MEDLEDGER_CHAIN_ID: ' 424242 ',
        MEDLEDGER_CHAIN_NAME: 'St. Mary consortium',
      },
      deployed,
    );
    assert.deepEqual(config, {
      rpcUrl: 'https://rpc.hospital.example',
      chain: { id: 424242, name: 'St. Mary consortium' },
      burner: false,
      maxUploadBytes: 2_147_483_648,
      indexer: false,
    });
    assert.equal(readRuntimeConfig({ MEDLEDGER_CHAIN_ID: '424242' }, deployed).chain.name, 'Chain 424242');
    assert.throws(
      () => readRuntimeConfig({ MEDLEDGER_CHAIN_ID: '424242', MEDLEDGER_BURNER: '1' }, deployed),
      (error: unknown) =>
        error instanceof RuntimeConfigError && /MEDLEDGER_BURNER=1 .* refused on chain 424242/.test(error.message),
    );
  });

  it('refuses a chain the build holds no deployment for, saying how to add one', () => {
    assert.throws(
      () => readRuntimeConfig({ MEDLEDGER_CHAIN_ID: '11155111' }, { 31337: deployments['31337'], 1337: {} }),
      (error: unknown) =>
        error instanceof RuntimeConfigError &&
        error.message.includes('no MedLedger deployment for chain 11155111 (it has: 1337, 31337)') &&
        error.message.includes('npm run deploy') &&
        error.message.includes('npm run web:build'),
    );
  });

  it('refuses chain ids and RPC URLs that are not what they claim', () => {
    for (const chainId of ['0', '-1', '0x7a69', '31337.0', 'devnet', '1e5']) {
      assert.throws(
        () => readRuntimeConfig({ MEDLEDGER_CHAIN_ID: chainId }),
        (error: unknown) => error instanceof RuntimeConfigError && error.message.includes('is not a chain id'),
        chainId,
      );
    }
    assert.throws(() => readRuntimeConfig({ MEDLEDGER_RPC_URL: 'localhost:8545' }), /must be an http\(s\)/);
    assert.throws(() => readRuntimeConfig({ MEDLEDGER_RPC_URL: 'not a url' }), /is not a URL/);
    assert.throws(() => readRuntimeConfig({ MEDLEDGER_RPC_URL: 'ws://127.0.0.1:8545' }), /must be an http\(s\)/);
  });

  it('takes the upload limit from MEDLEDGER_MAX_UPLOAD_BYTES, and names the variable when it is not a byte count', () => {
    assert.equal(readRuntimeConfig({ MEDLEDGER_MAX_UPLOAD_BYTES: '5368709120' }).maxUploadBytes, 5_368_709_120);
    for (const value of ['2GB', '0', '-1', '1.5']) {
      assert.throws(
        () => readRuntimeConfig({ MEDLEDGER_MAX_UPLOAD_BYTES: value }),
        (error: unknown) =>
          error instanceof RuntimeConfigError &&
          error.message.startsWith(`MEDLEDGER_MAX_UPLOAD_BYTES="${value}" is not an upload limit`),
      );
    }
  });
});
