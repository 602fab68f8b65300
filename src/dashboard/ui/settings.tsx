/**
 * The camera's configuration as a form built from the generic setting descriptions: enums as
 * selects of the allowed values, numbers with their range and unit, read-only ones disabled.
 * Only changed fields are sent; the camera's answer per field (or the dashboard's check of the
 * value) is shown beside that field. When the camera announces a setting change (its own event),
 * the form re-reads the values unless the person is editing.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CameraView, SetConfigReply, Setting, SettingValue } from './types.js';
import { api, ApiCallError, cameraPath } from './api.js';
import { useStore } from './store.js';

export function ConfigForm({ camera }: { camera: CameraView }) {
  const [settings, setSettings] = useState<Setting[] | undefined>();
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const [busy, setBusy] = useState(false);
  // The newest setting event for this camera: re-read when the camera says something changed.
  const lastSettingEvent = useStore((s) => {
    for (let i = s.log.length - 1; i >= 0; i--) {
      const e = s.log[i]!;
      if (e.cameraId === camera.id && e.event?.type === 'setting') return e.seq;
    }
    return 0;
  });
  const dirty = Object.keys(draft).length > 0;

  const load = async (): Promise<void> => {
    try {
      setSettings(await api<Setting[]>('GET', cameraPath(camera.id, 'config')));
    } catch (err) {
      setMessage({ text: err instanceof ApiCallError ? err.message : String(err), error: true });
    }
  };
  useEffect(() => {
    if (camera.state === 'online' && !dirty) void load();
  }, [camera.id, camera.state, lastSettingEvent]);

  if (!settings) return <p class="muted">{message?.text ?? 'Reading settings…'}</p>;

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const values: Record<string, SettingValue> = {};
    const local: Record<string, string> = {};
    for (const [key, text] of Object.entries(draft)) {
      const s = settings.find((x) => x.key === key);
      if (!s) continue;
      const v = convert(s, text);
      if (typeof v === 'object') local[key] = v.error;
      else values[key] = v;
    }
    setErrors(local);
    if (Object.keys(local).length > 0 || Object.keys(values).length === 0) {
      if (Object.keys(values).length === 0 && Object.keys(local).length === 0)
        setMessage({ text: 'Nothing changed.', error: false });
      return;
    }
    setBusy(true);
    setMessage(undefined);
    try {
      const r = await api<SetConfigReply>('POST', cameraPath(camera.id, 'config'), { values });
      setSettings(r.settings);
      // Applied keys now show the camera's values; refused ones keep what the person typed, with
      // the camera's reason beside them, so they can correct just those.
      const kept: Record<string, string> = {};
      const refusedText: Record<string, string> = {};
      for (const x of r.refused) {
        if (draft[x.key] !== undefined) kept[x.key] = draft[x.key]!;
        refusedText[x.key] = `The camera refused ${String(x.value)}: ${x.reason}`;
      }
      setDraft(kept);
      setErrors(refusedText);
      setMessage({ text: outcomeText(r), error: r.refused.length > 0 });
    } catch (err) {
      if (err instanceof ApiCallError) {
        setErrors(err.fields);
        // The reason is shown once, beside its field; the form's message only points there.
        const marked = Object.keys(err.fields).length;
        setMessage({
          text:
            marked > 0 ? `Nothing was changed: correct the field${marked === 1 ? '' : 's'} marked above.` : err.message,
          error: true,
        });
        // Accepted keys stay set on the camera: show what it has now.
        if (err.code === 'REJECTED') void load();
      } else setMessage({ text: String(err), error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="config card" onSubmit={submit} noValidate aria-labelledby="config-title">
      <h3 id="config-title">Settings</h3>
      {settings.map((s) => {
        const id = `set-${s.key}`;
        const text = draft[s.key] ?? (s.value === null ? '' : String(s.value));
        const error = errors[s.key];
        const onChange = (v: string): void => {
          setDraft({ ...draft, [s.key]: v });
          if (errors[s.key]) {
            const { [s.key]: _gone, ...rest } = errors;
            setErrors(rest);
          }
        };
        const hint = hintOf(s);
        return (
          <div class={`field ${error ? 'invalid' : ''}`} key={s.key}>
            <label for={id}>
              {s.label}
              {s.unit && <span class="unit"> ({s.unit})</span>}
            </label>
            {s.type === 'enum' || (s.allowed && s.allowed.length > 0) ? (
              <select
                id={id}
                name={s.key}
                value={text}
                disabled={!s.writable}
                onChange={(e) => onChange(e.currentTarget.value)}
                aria-invalid={error ? 'true' : undefined}
                aria-describedby={`${id}-hint${error ? ` ${id}-err` : ''}`}
              >
                {s.value === null && <option value="">(not reported)</option>}
                {(s.allowed ?? []).map((v) => (
                  <option key={String(v)} value={String(v)}>
                    {String(v)}
                  </option>
                ))}
              </select>
            ) : s.type === 'boolean' ? (
              <input
                id={id}
                name={s.key}
                type="checkbox"
                checked={text === 'true'}
                disabled={!s.writable}
                onChange={(e) => onChange(String(e.currentTarget.checked))}
                aria-describedby={`${id}-hint`}
              />
            ) : s.type === 'string' ? (
              <input
                id={id}
                name={s.key}
                type="text"
                value={text}
                maxLength={s.maxBytes}
                disabled={!s.writable}
                onInput={(e) => onChange(e.currentTarget.value)}
                aria-invalid={error ? 'true' : undefined}
                aria-describedby={`${id}-hint${error ? ` ${id}-err` : ''}`}
              />
            ) : (
              <input
                id={id}
                name={s.key}
                type="number"
                inputMode={s.type === 'integer' ? 'numeric' : 'decimal'}
                step={s.type === 'integer' ? 1 : (s.range?.step ?? 'any')}
                min={s.range?.min}
                max={s.range?.max}
                value={text}
                placeholder={s.value === null ? 'not reported in this mode' : undefined}
                disabled={!s.writable}
                onInput={(e) => onChange(e.currentTarget.value)}
                aria-invalid={error ? 'true' : undefined}
                aria-describedby={`${id}-hint${error ? ` ${id}-err` : ''}`}
              />
            )}
            <span id={`${id}-hint`} class="hint">
              {hint}
            </span>
            {error && (
              <span id={`${id}-err`} class="field-error" role="alert" data-testid={`error-${s.key}`}>
                {error}
              </span>
            )}
          </div>
        );
      })}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy || !dirty || camera.state !== 'online'}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" disabled={!dirty} onClick={() => (setDraft({}), setErrors({}), void load())}>
          Discard
        </button>
      </div>
      {message && (
        <p
          class={message.error ? 'error' : 'ok'}
          role={message.error ? 'alert' : 'status'}
          data-testid="config-message"
        >
          {message.text}
        </p>
      )}
    </form>
  );
}

/** "Applied: a, b. Refused: c (Bad value)." — which keys the camera took, which not and why. */
function outcomeText(r: SetConfigReply): string {
  const applied = r.applied.map((a) => a.key).join(', ');
  const refused = r.refused.map((x) => `${x.key} (${x.reason})`).join(', ');
  if (r.refused.length === 0) return `Camera applied ${applied}.`;
  if (r.applied.length === 0) return `Camera refused ${refused}; nothing was changed.`;
  return `Camera applied ${applied}; refused ${refused}.`;
}

function hintOf(s: Setting): string {
  const parts: string[] = [];
  if (s.range) parts.push(`${s.range.min} to ${s.range.max}${s.unit ? ` ${s.unit}` : ''}`);
  if (s.description) parts.push(s.description);
  if (!s.writable) parts.push('read-only');
  return parts.join(' · ');
}

/** Text from the form → the setting's type; a message when it cannot be (checked again by the server). */
function convert(s: Setting, text: string): SettingValue | { error: string } {
  switch (s.type) {
    case 'number':
    case 'integer': {
      const n = text.trim() === '' ? NaN : Number(text);
      if (!Number.isFinite(n)) return { error: `${s.label} must be a number` };
      if (s.allowed && s.allowed.length > 0) {
        const hit = s.allowed.find((v) => String(v) === text.trim());
        if (hit !== undefined) return hit;
      }
      return n;
    }
    case 'boolean':
      return text === 'true';
    case 'enum':
      return s.allowed?.find((v) => String(v) === text) ?? text;
    case 'string':
      return text;
  }
}
