'use client';

import { type ReactNode, useEffect, useRef, useState } from 'react';

/**
 * A button that asks before it acts: the first click reveals what will happen with a confirm and a
 * cancel button (focus moves to confirm; Escape cancels), the second one runs `onConfirm`.
 */
export function ConfirmAction({
  label,
  confirmLabel,
  children,
  onConfirm,
  disabled = false,
  danger = false,
}: {
  label: string;
  confirmLabel: string;
  /** What confirming will do, in a sentence or two. */
  children: ReactNode;
  onConfirm: () => void;
  disabled?: boolean;
  danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const askButton = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirmButton.current?.focus();
    else if (wasAsking.current) askButton.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button ref={askButton} type="button" className="secondary" onClick={() => setAsking(true)} disabled={disabled}>
        {label}
      </button>
    );
  }
  return (
    <div
      className="confirm"
      role="group"
      aria-label={confirmLabel}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setAsking(false);
      }}
    >
      <p className="small">{children}</p>
      <button
        ref={confirmButton}
        type="button"
        className={danger ? 'danger' : undefined}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
        disabled={disabled}
      >
        {confirmLabel}
      </button>{' '}
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </div>
  );
}
