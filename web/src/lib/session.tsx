import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { ApiError, get, post } from "./api";

/** GET /me: who is signed in (docs/api.md). */
export interface Me {
  email: string;
  roles: string[];
  customer: { id: string; email: string; displayName: string | null; status: string; plan: string; telegramUserId: number | null; createdAt: string } | null;
}

interface SessionState {
  me: Me | null;
  /** True until the first GET /me has answered. */
  loading: boolean;
  isAdmin: boolean;
  reload: () => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  const reload = useCallback(() => {
    get<Me>("/me")
      .then(setMe)
      .catch((e) => {
        if (!(e instanceof ApiError) || e.unauthorized) setMe(null);
      })
      .finally(() => setLoading(false));
  }, []);

  useEffect(reload, [reload]);

  const signOut = useCallback(async () => {
    try {
      await post("/auth/logout");
    } finally {
      setMe(null);
    }
  }, []);

  const isAdmin = !!me?.roles.includes("admin");
  return <SessionContext.Provider value={{ me, loading, isAdmin, reload, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside SessionProvider");
  return state;
}
