// One labelled form input, styled alike on the login and account pages: a <label for> names
// the input (clicking the text focuses it, screen readers read it), and an optional hint
// sits outside the label, tied by aria-describedby, so it is not part of the input's name.
import { useId, type InputHTMLAttributes } from 'react';

export function Field({ label, hint, invalid, className, id, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; invalid?: boolean }) {
  const ownId = useId();
  const inputId = id ?? ownId;
  const hintId = `${inputId}-hint`;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label className="field__label" htmlFor={inputId}>
        {label}
      </label>
      <input id={inputId} className="field__input" aria-invalid={invalid || undefined} aria-describedby={hint ? hintId : undefined} {...input} />
      {hint && (
        <span className="field__hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}
