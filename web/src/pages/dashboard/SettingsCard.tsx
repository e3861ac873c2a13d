import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { ApiError, put } from "../../lib/api";
import type { Resource } from "../../lib/useResource";
import { ErrorState, Loading } from "../../ui/States";
import { changeError, sentence } from "./format";
import { JobProgress, type JobWords } from "./JobProgress";
import type { Box, BoxSettings, Job } from "./types";
import type { Followed } from "./useJobFollower";

const MAX_IDS = 50;
type Field = "allowedTelegramUserIds" | "model" | "thinkingLevel" | "newId" | "form";
type Errors = Partial<Record<Field, string>>;

const APPLY_WORDS: JobWords = {
  running: "Applying your new settings",
  done: "Applied: your agent uses the new settings.",
  failed: "The new settings were saved but not applied",
};

const LEVEL_WORDS: Record<string, string> = { off: "Off", minimal: "Minimal", low: "Low", medium: "Medium", high: "High", xhigh: "Extra high" };

function sameSettings(a: BoxSettings, b: BoxSettings) {
  return a.model === b.model && a.thinkingLevel === b.thinkingLevel && a.allowedTelegramUserIds.join() === b.allowedTelegramUserIds.join();
}

/** The choices of a select: the plan's, plus the current value should the plan no longer offer it. */
function choices(allowed: string[] | undefined, current: string) {
  const list = allowed ?? [];
  return list.includes(current) ? list : [current, ...list];
}

interface Props {
  box: Resource<Box>;
  apply: Followed & { follow: (job: Job) => void };
}

/** Who may talk to the agent, its model and thinking level: PUT /me/box/settings, then the job. */
export function SettingsCard({ box, apply }: Props) {
  if (box.data) return <SettingsForm box={box.data} apply={apply} reload={box.reload} />;
  return (
    <section className="card" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      {box.error?.status === 404 ? (
        <div className="state state-empty">
          <p>Settings appear here once you have an agent.</p>
        </div>
      ) : box.error ? (
        <ErrorState error={box.error} retry={box.reload} />
      ) : (
        <Loading what="your settings" />
      )}
    </section>
  );
}

function SettingsForm({ box, apply, reload }: { box: Box; apply: Props["apply"]; reload: () => void }) {
  const [draft, setDraft] = useState<BoxSettings>(box.settings);
  const [dirty, setDirty] = useState(false);
  const [newId, setNewId] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const addInput = useRef<HTMLInputElement>(null);
  const modelSelect = useRef<HTMLSelectElement>(null);
  const levelSelect = useRef<HTMLSelectElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const [focusAfterRemove, setFocusAfterRemove] = useState<number | null>(null);

  // What the agent has, while nobody is editing (a change made elsewhere shows up here).
  useEffect(() => {
    if (!dirty) setDraft(box.settings);
  }, [box.settings, dirty]);

  useEffect(() => {
    if (focusAfterRemove === null) return;
    const buttons = list.current?.querySelectorAll<HTMLButtonElement>("button");
    if (buttons && buttons.length > 0) buttons[Math.min(focusAfterRemove, buttons.length - 1)].focus();
    else addInput.current?.focus();
    setFocusAfterRemove(null);
  }, [focusAfterRemove]);

  const change = (next: BoxSettings) => {
    setDraft(next);
    setDirty(!sameSettings(next, box.settings));
    setSaved(null);
  };

  const add = () => {
    const text = newId.trim();
    let problem: string | undefined;
    if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) <= 0) {
      problem = "A Telegram user id is a positive whole number, such as 123456789.";
    } else if (draft.allowedTelegramUserIds.includes(Number(text))) {
      problem = `${text} is already allowed.`;
    } else if (draft.allowedTelegramUserIds.length >= MAX_IDS) {
      problem = `At most ${MAX_IDS} people can be allowed.`;
    }
    if (problem) {
      setErrors((e) => ({ ...e, newId: problem }));
      addInput.current?.focus();
      return;
    }
    change({ ...draft, allowedTelegramUserIds: [...draft.allowedTelegramUserIds, Number(text)] });
    setNewId("");
    setErrors((e) => ({ ...e, newId: undefined, allowedTelegramUserIds: undefined }));
  };

  const remove = (index: number) => {
    change({ ...draft, allowedTelegramUserIds: draft.allowedTelegramUserIds.filter((_, i) => i !== index) });
    setErrors((e) => ({ ...e, allowedTelegramUserIds: undefined }));
    setFocusAfterRemove(index);
  };

  const onAddKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add();
    }
  };

  const focusField = (field: Field | undefined) => {
    if (field === "model") modelSelect.current?.focus();
    else if (field === "thinkingLevel") levelSelect.current?.focus();
    else if (field === "allowedTelegramUserIds" || field === "newId") addInput.current?.focus();
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (saving) return;
    setSaved(null);
    const count = draft.allowedTelegramUserIds.length;
    if (count === 0 || count > MAX_IDS) {
      setErrors({ allowedTelegramUserIds: count === 0 ? "Allow at least one Telegram user id." : `Allow at most ${MAX_IDS} Telegram user ids.` });
      focusField("allowedTelegramUserIds");
      return;
    }
    if (!dirty) {
      setErrors({});
      setSaved("Nothing changed: there is nothing to save.");
      return;
    }
    setErrors({});
    setSaving(true);
    put<{ box: Box; job: Job }>("/me/box/settings", draft)
      .then((answer) => {
        setDirty(false);
        setDraft(answer.box?.settings ?? draft);
        setSaved("Saved.");
        apply.follow(answer.job);
        reload();
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 400 && e.field && ["allowedTelegramUserIds", "model", "thinkingLevel"].includes(e.field)) {
          setErrors({ [e.field]: sentence(e.message) });
          focusField(e.field as Field);
        } else {
          setErrors({ form: e instanceof ApiError ? changeError(e, "change") : String(e) });
        }
      })
      .finally(() => setSaving(false));
  };

  const describedBy = (field: Field, hint?: string) => [hint, errors[field] ? `settings-${field}-error` : undefined].filter(Boolean).join(" ") || undefined;
  const ids = draft.allowedTelegramUserIds;

  return (
    <section className="card" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <form onSubmit={save} noValidate>
        <fieldset className="field id-editor" aria-invalid={errors.allowedTelegramUserIds ? true : undefined} aria-describedby={describedBy("allowedTelegramUserIds", "settings-ids-hint")}>
          <legend>Who may talk to your agent</legend>
          <p className="field-hint" id="settings-ids-hint">
            Telegram user ids, 1 to {MAX_IDS}. Anyone else who writes to your bot gets no answer.
          </p>
          <ul className="id-list" ref={list} aria-label="Allowed Telegram user ids">
            {ids.map((id, i) => (
              <li key={id}>
                <span className="id-value">{id}</span>
                <button type="button" className="link-button" aria-label={`Remove ${id}`} onClick={() => remove(i)}>
                  Remove
                </button>
              </li>
            ))}
            {ids.length === 0 && <li className="muted">Nobody yet: add at least one id.</li>}
          </ul>
          <label htmlFor="settings-new-id">Add a Telegram user id</label>
          <div className="add-row">
            <input
              id="settings-new-id"
              ref={addInput}
              inputMode="numeric"
              autoComplete="off"
              value={newId}
              onChange={(e) => setNewId(e.target.value)}
              onKeyDown={onAddKey}
              aria-invalid={errors.newId || errors.allowedTelegramUserIds ? true : undefined}
              aria-describedby={[errors.newId ? "settings-newId-error" : undefined, errors.allowedTelegramUserIds ? "settings-allowedTelegramUserIds-error" : undefined].filter(Boolean).join(" ") || undefined}
            />
            <button type="button" className="secondary" onClick={add}>
              Add
            </button>
          </div>
          {errors.newId && (
            <p className="field-error" id="settings-newId-error">
              {errors.newId}
            </p>
          )}
          {errors.allowedTelegramUserIds && (
            <p className="field-error" id="settings-allowedTelegramUserIds-error">
              {errors.allowedTelegramUserIds}
            </p>
          )}
        </fieldset>

        <div className="settings-selects">
          <div className="field">
            <label htmlFor="settings-model">Model</label>
            <select
              id="settings-model"
              ref={modelSelect}
              value={draft.model}
              onChange={(e) => change({ ...draft, model: e.target.value })}
              aria-invalid={errors.model ? true : undefined}
              aria-describedby={describedBy("model")}
            >
              {choices(box.allowed?.models, draft.model).map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
            {errors.model && (
              <p className="field-error" id="settings-model-error">
                {errors.model}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor="settings-thinking">Thinking level</label>
            <select
              id="settings-thinking"
              ref={levelSelect}
              value={draft.thinkingLevel}
              onChange={(e) => change({ ...draft, thinkingLevel: e.target.value })}
              aria-invalid={errors.thinkingLevel ? true : undefined}
              aria-describedby={describedBy("thinkingLevel", "settings-thinking-hint")}
            >
              {choices(box.allowed?.thinkingLevels, draft.thinkingLevel).map((level) => (
                <option key={level} value={level}>
                  {LEVEL_WORDS[level] ?? level}
                </option>
              ))}
            </select>
            <p className="field-hint" id="settings-thinking-hint">
              More thinking: better answers to hard questions, more tokens used.
            </p>
            {errors.thinkingLevel && (
              <p className="field-error" id="settings-thinkingLevel-error">
                {errors.thinkingLevel}
              </p>
            )}
          </div>
        </div>

        {errors.form && (
          <p className="field-error" role="alert" data-testid="settings-error">
            {errors.form}
          </p>
        )}
        <div className="row">
          <button type="submit" aria-disabled={saving || undefined}>
            Save settings
          </button>
          {dirty && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setDraft(box.settings);
                setDirty(false);
                setErrors({});
                setNewId("");
              }}
            >
              Undo changes
            </button>
          )}
          <span className="muted small" role="status">
            {saving ? "Saving…" : dirty ? "You have unsaved changes." : (saved ?? "")}
          </span>
        </div>
        <JobProgress followed={apply} words={APPLY_WORDS} testId="settings-progress" />
      </form>
    </section>
  );
}
