import { forwardRef, useEffect, useRef, type ReactNode, type RefObject } from "react";

export interface OutcomeMessage {
  ok: boolean;
  text: ReactNode;
}

/**
 * What an action did, in a live region that is always there (so screen readers hear each new
 * message). It takes the focus when the button that started the action is gone after the refresh.
 */
export const Outcome = forwardRef<HTMLDivElement, { message: OutcomeMessage | null }>(function Outcome({ message }, ref) {
  return (
    <div ref={ref} role="status" tabIndex={-1} className="outcome">
      {message && <p className={message.ok ? "notice notice-ok" : "notice notice-error"}>{message.text}</p>}
    </div>
  );
});

/**
 * Call the returned `arm` when an action starts a refresh; once `current` (the refreshed answer)
 * differs from what it was then, if the focus fell to the page itself (the button that had it is
 * gone), `target` takes it.
 */
export function useFocusFallback(target: RefObject<HTMLElement | null>, current: unknown): () => void {
  const armed = useRef<{ before: unknown } | null>(null);
  useEffect(() => {
    if (!armed.current || armed.current.before === current) return;
    armed.current = null;
    const active = document.activeElement;
    if (active === null || active === document.body) target.current?.focus();
  }, [current, target]);
  return () => {
    armed.current = { before: current };
  };
}
