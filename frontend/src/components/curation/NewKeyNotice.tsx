import { useEffect, useRef, useState } from 'react';
import type { NewApiKey } from '../../api/apiKeys';

/** The key just made, shown this once: copy it now, it cannot be shown again. */
export function NewKeyNotice({ apiKey, onDone }: { apiKey: NewApiKey; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(apiKey.key);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };

  return (
    <section aria-labelledby="new-key-heading" className="rounded-md border border-amber-300 bg-amber-50 p-3">
      <h2 id="new-key-heading" ref={heading} tabIndex={-1} className="text-sm font-semibold text-amber-900">
        Your new API key “{apiKey.name}”
      </h2>
      <p className="mt-1 text-sm text-amber-900">
        Copy it now and keep it somewhere safe: this is the only time it is shown. PromptLooper stores only its
        hash, so a lost key cannot be recovered; revoke it and make another.
      </p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <label htmlFor="new-key-value" className="sr-only">
          API key
        </label>
        <input
          id="new-key-value"
          readOnly
          value={apiKey.key}
          onFocus={(event) => event.target.select()}
          className="min-w-0 flex-1 rounded border border-amber-300 bg-white px-2 py-1 font-mono text-xs"
        />
        <button type="button" className="btn-secondary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="btn-primary" onClick={onDone}>
          I have copied it
        </button>
      </div>
      <p role="status" className="mt-1 text-xs text-amber-900">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not copy: select the key and copy it yourself.' : ''}
      </p>
    </section>
  );
}
