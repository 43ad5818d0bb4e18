/**
 * A devnet in a process of its own, for benches that must not time the node's work on their own event
 * loop: prints `{"rpcUrl", "deployment"}` as one JSON line once MedLedger is deployed, and runs until
 * killed.
 */
import { startDevnet } from '../../devnet';

const devnet = await startDevnet();
console.log(JSON.stringify({ rpcUrl: devnet.rpcUrl, deployment: devnet.deployment }));
