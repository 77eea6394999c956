// Copies a text to the clipboard, saying so for a moment. The Clipboard API needs a secure
// context (HTTPS or localhost); a hosted server over plain HTTP falls back to execCommand.
import { useEffect, useState } from 'react';

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}

export function CopyButton({ text, label = 'Copy', testId }: { text: string; label?: string; testId?: string }) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (status === 'idle') return;
    const timer = setTimeout(() => setStatus('idle'), 2500);
    return () => clearTimeout(timer);
  }, [status]);
  return (
    <button
      type="button"
      className="button button--small"
      data-testid={testId}
      onClick={() => copyText(text).then(() => setStatus('copied'), () => setStatus('failed'))}
    >
      {status === 'copied' ? 'Copied' : status === 'failed' ? 'Select and copy it' : label}
    </button>
  );
}
