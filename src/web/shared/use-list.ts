import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "./api.ts";
import { explain, type FieldErrors } from "./forms.tsx";

export type Message = { kind: "error" | "success"; text: string } | null;

/**
 * A list of the person's own things read from the API (contacts, services, payment methods), and
 * the one way to change it: `act` runs a change, reloads the list, and says how it went: the
 * success text, or the API's problem in plain words with its fields' errors. `busy` is true while
 * a change runs, so the buttons can wait.
 */
export function useList<T>(read: () => Promise<T[]>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => setItems(await read()), [read]);
  useEffect(() => {
    load().catch((error: unknown) => {
      if (error instanceof ApiError) setMessage({ kind: "error", text: explain(error.problem).message });
    });
  }, [load]);

  const act = async (work: () => Promise<unknown>, done: string): Promise<boolean> => {
    setBusy(true);
    try {
      await work();
      await load();
      setMessage({ kind: "success", text: done });
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const explained = explain(error.problem);
      setErrors(explained.fields);
      setMessage({ kind: "error", text: explained.message });
      return false;
    } finally {
      setBusy(false);
    }
  };

  return { items, errors, setErrors, message, busy, act };
}

/** Reads `{ items }` from a GET route of the account API. */
export const itemsOf =
  <T>(path: string) =>
  async (): Promise<T[]> =>
    (await api<{ items: T[] }>("GET", path)).data.items;
