import { createContext, useContext, useEffect } from "react";
import { ApiError } from "../../lib/api";
import { useResource, type Resource } from "../../lib/useResource";

/**
 * Called with any error of an /admin call: a 403 means this session is not (or no longer) an
 * admin's, and the console then shows nothing but that.
 */
export const DenyContext = createContext<(error: unknown) => void>(() => {});

export function useDeny() {
  return useContext(DenyContext);
}

export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403;
}

/** useResource for an /admin route: a refusal takes the whole console down to the refusal. */
export function useAdmin<T>(path: string | null): Resource<T> {
  const resource = useResource<T>(path);
  const deny = useDeny();
  const { error } = resource;
  useEffect(() => {
    if (error) deny(error);
  }, [error, deny]);
  return resource;
}
