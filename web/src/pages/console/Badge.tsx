import { tone, words } from "./format";

/** A state as a coloured word (the colour repeats the word, it never replaces it). */
export function Badge({ value, of }: { value: string | null | undefined; of?: "job" }) {
  const t = tone(value, of);
  return <span className={t ? `badge ${t}` : "badge"}>{words(value)}</span>;
}
