import { useStartDemo } from '../api/hooks';

export function StartDemoButton({ testId = 'start-demo', className = 'button', label = 'Start demo' }: { testId?: string; className?: string; label?: string }) {
  const { start, busy, error } = useStartDemo();
  return (
    <span className="start-demo">
      <button type="button" className={className} data-testid={testId} onClick={start} disabled={busy} title="Start the synthetic demo driver on Purple Park">
        {busy ? 'Starting…' : label}
      </button>
      {error && (
        <span className="start-demo__error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
