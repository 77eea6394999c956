// The lap page's keyboard help: [ and ] step between the session's laps, r toggles the reference.
export function KeyHint({ referenceShown, hasReference }: { referenceShown: boolean; hasReference: boolean }) {
  return (
    <p className="key-hint muted" data-testid="key-hint">
      <kbd>[</kbd> <kbd>]</kbd> previous / next lap · <kbd>r</kbd> reference {hasReference ? (referenceShown ? 'shown' : 'hidden') : 'none'}
    </p>
  );
}
