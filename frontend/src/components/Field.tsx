// One labelled form input, styled alike on the login and account pages: the <label> wraps
// the input (so clicking the text focuses it and screen readers name it), with an optional
// hint tied to the input by aria-describedby.
import { useId, type InputHTMLAttributes } from 'react';

export function Field({ label, hint, invalid, className, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; invalid?: boolean }) {
  const hintId = useId();
  return (
    <label className={`field ${className ?? ''}`}>
      <span className="field__label">{label}</span>
      <input className="field__input" aria-invalid={invalid || undefined} aria-describedby={hint ? hintId : undefined} {...input} />
      {hint && (
        <span className="field__hint" id={hintId}>
          {hint}
        </span>
      )}
    </label>
  );
}
