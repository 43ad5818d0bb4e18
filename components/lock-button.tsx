'use client';

import { useIdentityStore } from './identity-store';

/** When a kept key locks itself: the time today, the date and time later. */
export function unlockedUntil(time: number): string {
  const sameDay = new Date(time).toDateString() === new Date().toDateString();
  return new Date(time).toLocaleString(
    undefined,
    sameDay ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' },
  );
}

/**
 * Lock, in the header whenever the connected account's encryption key is unlocked: forgets the key in
 * every tab, deletes what this device keeps, and drops the decrypted records shown. Says until when a
 * key kept on this device would stay unlocked.
 */
export function LockButton({ account }: { account: string }) {
  const { identityOf, keptUntil, lock } = useIdentityStore();
  if (!identityOf(account)) return null;
  const kept = keptUntil(account);
  return (
    <>
      {kept === undefined ? null : (
        <span
          className="lock-state small muted"
          title="Your encryption key is kept unlocked on this device until then."
        >
          Unlocked until {unlockedUntil(kept)}
        </span>
      )}
      <button
        type="button"
        className="secondary"
        onClick={() => void lock(account)}
        title={
          kept === undefined
            ? 'Your encryption key is unlocked in this tab. Lock forgets it; your wallet unlocks it again.'
            : 'Lock forgets your encryption key in this browser and on this device; your wallet unlocks it again.'
        }
      >
        Lock
      </button>
    </>
  );
}
