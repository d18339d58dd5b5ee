import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.ts';

export function Spinner({ label }: { label: string }) {
  return (
    <p class="state state-loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function ErrorState({ error, retry, what }: { error: ApiError; retry?: () => void; what: string }) {
  return (
    <div class="state state-error" role="alert">
      <p>
        <strong>{what}</strong> {error.message}
        {error.code && !['NETWORK', 'SERVICE_UNAVAILABLE'].includes(error.code) ? (
          <span class="code"> ({error.code})</span>
        ) : null}
      </p>
      {retry ? (
        <button type="button" class="btn btn-small" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state state-empty">{children}</p>;
}
