/**
 * The node's peer identity. It never dials anyone, but `/api/v0/id` must answer with a real peer ID
 * (clients parse it), and a stable one across restarts so the same data dir is the same node.
 */
import {
  generateKeyPair,
  privateKeyFromProtobuf,
  privateKeyToProtobuf,
  publicKeyToProtobuf,
} from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { Key, type Datastore } from 'interface-datastore';

/** What `/api/v0/id` reports about the node. */
export interface NodeIdentity {
  /** Base58 peer ID (`12D3Koo…`). */
  readonly peerId: string;
  /** Base64 of the protobuf-encoded public key, as Kubo reports it. */
  readonly publicKey: string;
}

const IDENTITY_KEY = new Key('/medledger/identity');

/**
 * Loads the node's Ed25519 identity from the datastore, creating and saving one on first start.
 *
 * @param datastore - The node's persistent datastore.
 */
export async function loadOrCreateIdentity(datastore: Datastore): Promise<NodeIdentity> {
  let privateKey;
  if (await datastore.has(IDENTITY_KEY)) {
    privateKey = privateKeyFromProtobuf(await datastore.get(IDENTITY_KEY));
  } else {
    privateKey = await generateKeyPair('Ed25519');
    await datastore.put(IDENTITY_KEY, privateKeyToProtobuf(privateKey));
  }
  return {
    peerId: peerIdFromPrivateKey(privateKey).toString(),
    publicKey: Buffer.from(publicKeyToProtobuf(privateKey.publicKey)).toString('base64'),
  };
}
