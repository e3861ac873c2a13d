import { tone, words } from "./format";

/** A state as a coloured word (the colour repeats the word, it never replaces it). */
export function Badge({ value }: { value: string | null | undefined }) {
  const t = tone(value);
  return <span className={t ? `badge ${t}` : "badge"}>{words(value)}</span>;
}
