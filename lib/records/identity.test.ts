import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { bytesToHex, keccak256, toHex, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { startDevnet, type Devnet } from '../../scripts/devnet';
import { type ChainContext, connectChain, readMedLedger, writeMedLedger } from '../chain';
import { generateIdentityKey, randomBytes } from '../crypto';
import { KeyMismatchError, describeError } from '../errors';
import { addBytes, createIpfsClient } from '../ipfs';
import { startIpfsNode, type RunningIpfsNode } from '../ipfs/node';
import { DEVNET_KEYS } from '../testing/devnet-accounts';
import { cidToBytes, enrollWallet, isPublishedKey, publishProviderKey, registerPatient } from '.';

/**
 * Enrollment against the key published on-chain (issue 14): a wallet that derives another key than the
 * one its account published must fail at enrollment with a sentence saying so, not later with keyrings
 * and records that will not open.
 */
describe('enrollWallet against the published key (devnet)', () => {
  let devnet: Devnet;
  let ipfsNode: RunningIpfsNode;
  let dataDir: string;
  const address = (key: keyof typeof DEVNET_KEYS): Address => privateKeyToAccount(DEVNET_KEYS[key]).address;
  const chainFor = (key: keyof typeof DEVNET_KEYS) =>
    connectChain({ rpcUrl: devnet.rpcUrl, privateKey: DEVNET_KEYS[key], deployment: devnet.deployment });
  const vaultFrom = async (chain: ChainContext, options: Parameters<typeof enrollWallet>[1]) => ({
    chain,
    ipfs: createIpfsClient(ipfsNode.apiUrl),
    identity: (await enrollWallet(chain, options)).key,
  });

  /** The same wallet, but signing like a hardware wallet with random nonces: never the same signature twice. */
  const nonDeterministic = (chain: ChainContext): ChainContext => ({
    ...chain,
    walletClient: { ...chain.walletClient!, signTypedData: async () => bytesToHex(randomBytes(65)) },
  });

  before(async () => {
    devnet = await startDevnet();
    dataDir = await mkdtemp(path.join(tmpdir(), 'medledger-identity-'));
    ipfsNode = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    const admin = await chainFor('admin');
    for (const key of ['doctor', 'lab'] as const) {
      await writeMedLedger(admin, 'registerProvider', [address(key), 1, keccak256(toHex(key))]);
    }
  });

  after(async () => {
    await ipfsNode.stop();
    await devnet.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a patient whose published key this wallet does not derive, naming both keys and what to do', async () => {
    const chain = await chainFor('otherPatient');
    // Registered by another client: the published key is not this wallet's derivation.
    const foreignKey = bytesToHex(generateIdentityKey().publicKey);
    const profile = await addBytes(createIpfsClient(ipfsNode.apiUrl), new TextEncoder().encode('profile'));
    await writeMedLedger(chain, 'registerPatient', [foreignKey, cidToBytes(profile)]);

    await assert.rejects(enrollWallet(chain, { role: 'patient' }), (error: unknown) => {
      assert.ok(error instanceof KeyMismatchError);
      assert.equal(error.published, foreignKey);
      assert.match(error.derived!, /^0x[0-9a-f]{64}$/);
      const sentence = describeError(error);
      assert.ok(sentence.includes(address('otherPatient')) && sentence.includes(foreignKey));
      assert.ok(sentence.includes(error.derived!));
      assert.match(sentence, /records are sealed under the published key.*Sign with the wallet you registered with/);
      assert.match(sentence, /Nothing was changed\.$/);
      return true;
    });
  });

  it('accepts a registered patient whose wallet re-derives the published key', async () => {
    const chain = await chainFor('patient');
    const vault = await vaultFrom(chain, { role: 'patient' });
    await registerPatient(vault, { resourceType: 'Patient' });
    const again = await enrollWallet(chain, { role: 'patient' });
    assert.deepEqual(again.key.publicKey, vault.identity.publicKey);
  });

  it('refuses a registered patient whose wallet signs differently each time, without asking for a passphrase', async () => {
    const chain = nonDeterministic(await chainFor('patient'));
    let asked = false;
    const choosePassphrase = async () => {
      asked = true;
      return 'a passphrase that would protect a useless key';
    };
    await assert.rejects(enrollWallet(chain, { role: 'patient', choosePassphrase }), (error: unknown) => {
      assert.ok(error instanceof KeyMismatchError);
      assert.equal(error.derived, undefined);
      assert.match(describeError(error), /signs differently each time, so it cannot re-derive the one published/);
      return true;
    });
    assert.equal(asked, false);
  });

  it('publishes a provider key once: publishing it again sends nothing, so the next enrollment still matches', async () => {
    const chain = await chainFor('doctor');
    const vault = await vaultFrom(chain, { role: 'provider' });
    assert.equal(await publishProviderKey(vault), true);
    assert.equal(await publishProviderKey(vault), false);
    assert.equal((await readMedLedger(chain, 'providerInfo', [address('doctor')])).keyVersion, 1);
    const again = await enrollWallet(chain, { role: 'provider' });
    assert.deepEqual(again.key.publicKey, vault.identity.publicKey);
  });

  it('refuses a provider that published twice from different derivations, and lets it publish its next key', async () => {
    const chain = await chainFor('lab');
    const first = await vaultFrom(chain, { role: 'provider' });
    await publishProviderKey(first);
    // What an older client did: the same key sent again raised the version to 2, whose derivation differs.
    await writeMedLedger(chain, 'setProviderKey', [bytesToHex(first.identity.publicKey)]);

    await assert.rejects(enrollWallet(chain, { role: 'provider' }), (error: unknown) => {
      assert.ok(error instanceof KeyMismatchError);
      const sentence = describeError(error);
      assert.ok(sentence.includes(bytesToHex(first.identity.publicKey)), sentence);
      assert.match(sentence, /provider 0x[0-9a-fA-F]{40} .*key version 2/);
      assert.match(sentence, /Publish this wallet's next key .* share their keys again/);
      return true;
    });

    const next = await vaultFrom(chain, { role: 'provider', newKey: true });
    assert.equal(await publishProviderKey(next), true);
    const again = await enrollWallet(chain, { role: 'provider' });
    assert.deepEqual(again.key.publicKey, next.identity.publicKey);
  });

  it('tells whether a key kept on a device is still the one the account published', async () => {
    const chain = await chainFor('patient');
    const { key } = await enrollWallet(chain, { role: 'patient' });
    assert.equal(await isPublishedKey(chain, address('patient'), key.publicKey), true);
    assert.equal(await isPublishedKey(chain, address('patient'), generateIdentityKey().publicKey), false);
    const unpublished = address('secondDoctor');
    assert.equal(
      await isPublishedKey(chain, unpublished, generateIdentityKey().publicKey),
      true,
      'nothing published yet',
    );
  });
});
