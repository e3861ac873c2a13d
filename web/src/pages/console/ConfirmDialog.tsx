import { useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from "react";
import { createPortal } from "react-dom";

interface ConfirmDialogProps {
  title: string;
  /** What will happen, in words. */
  children: ReactNode;
  confirmLabel: string;
  /** While it runs the buttons wait; the caller closes the dialog when it is done. */
  onConfirm: () => Promise<void> | void;
  onCancel: () => void;
  danger?: boolean;
  /**
   * Typed confirmation: the confirm button works only once the field holds one of these (case and
   * a leading "@" ignored).
   */
  typeToConfirm?: { label: string; accepts: string[] };
}

const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

const normalize = (text: string) => text.trim().replace(/^@/, "").toLowerCase();

/**
 * A modal confirmation: role=dialog, aria-modal, named by its title and described by its text.
 * The page behind is inert while it is open; the focus moves into it (the typed field, else
 * Cancel: the safe choice), Tab and Shift+Tab stay inside, Escape cancels, and on closing the focus
 * goes back to what opened it.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, danger, typeToConfirm }: ConfirmDialogProps) {
  const titleId = useId();
  const textId = useId();
  const fieldId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const first = useRef<HTMLInputElement & HTMLButtonElement>(null);
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);

  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = document.getElementById("root");
    // Anything that takes the focus out (a click on the backdrop) gives it back to the dialog.
    const keepInside = (event: FocusEvent) => {
      if (dialog.current && event.target instanceof Node && !dialog.current.contains(event.target)) first.current?.focus();
    };
    root?.setAttribute("inert", "");
    document.addEventListener("focusin", keepInside);
    first.current?.focus();
    return () => {
      // In this order: the listener would pull the focus back into the closing dialog.
      document.removeEventListener("focusin", keepInside);
      root?.removeAttribute("inert");
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const confirmed = !typeToConfirm || typeToConfirm.accepts.some((word) => normalize(word) === normalize(typed));
  const canConfirm = confirmed && !busy;

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      if (!busy) onCancel();
      return;
    }
    if (event.key !== "Tab" || !dialog.current) return;
    const items = [...dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (items.length === 0) return;
    const [head, tail] = [items[0], items[items.length - 1]];
    if (event.shiftKey && document.activeElement === head) {
      event.preventDefault();
      tail.focus();
    } else if (!event.shiftKey && document.activeElement === tail) {
      event.preventDefault();
      head.focus();
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canConfirm) return;
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  };

  return createPortal(
    <div className="console-dialog-backdrop">
      <div ref={dialog} className="console-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} aria-describedby={textId} onKeyDown={onKeyDown}>
        <form onSubmit={submit}>
          <h2 id={titleId}>{title}</h2>
          <div id={textId} className="console-dialog-text">
            {children}
          </div>
          {typeToConfirm && (
            <div className="field">
              <label htmlFor={fieldId}>{typeToConfirm.label}</label>
              <input
                id={fieldId}
                ref={first}
                value={typed}
                onChange={(event) => setTyped(event.target.value)}
                autoComplete="off"
                autoCapitalize="off"
                spellCheck={false}
              />
            </div>
          )}
          <div className="console-dialog-actions">
            <button type="button" className="secondary" ref={typeToConfirm ? undefined : first} onClick={() => !busy && onCancel()} aria-disabled={busy}>
              Cancel
            </button>
            <button type="submit" className={danger ? "danger" : undefined} aria-disabled={!canConfirm}>
              {busy ? "Working…" : confirmLabel}
            </button>
          </div>
        </form>
      </div>
    </div>,
    document.body,
  );
}
