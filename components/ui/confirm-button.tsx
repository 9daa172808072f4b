"use client";

import { useId, useRef, type ReactNode } from "react";

type Props = {
  /** The button that opens the dialog. */
  children: ReactNode;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  className?: string;
};

/**
 * A destructive action behind a native modal <dialog>: it traps focus, closes on Escape and
 * gives focus back to the button, which a home-made overlay would all have to re-implement.
 */
export function ConfirmButton({ children, title, description, confirmLabel, onConfirm, disabled, className }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  return (
    <>
      <button type="button" className={className ?? "button button-danger"} disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {children}
      </button>
      <dialog ref={dialog} className="dialog" aria-labelledby={titleId} aria-describedby={descriptionId}>
        <form
          method="dialog"
          onSubmit={(event) => {
            const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
            if (submitter?.value === "confirm") onConfirm();
          }}
        >
          <h2 id={titleId}>{title}</h2>
          <div id={descriptionId}>{description}</div>
          <div className="actions">
            <button type="submit" value="cancel" className="button" autoFocus>
              Cancel
            </button>
            <button type="submit" value="confirm" className="button button-danger">
              {confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
