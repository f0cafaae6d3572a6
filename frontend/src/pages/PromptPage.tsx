import { type FormEvent, useId, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import {
  type Message,
  type MessageRole,
  type Prompt,
  type PromptVersion,
  useAddPromptVersion,
  usePrompt,
  usePromptVersions,
  versionMessages,
} from '../api/prompts';
import { useCurrentProject } from '../api/useSignedIn';
import { errorsByPath, Field, fieldProps, FormError, INPUT_CLASS } from '../components/curation/fields';
import { PromptDiff } from '../components/curation/PromptDiff';
import { EmptyState, ErrorState, Loading, QueryView } from '../components/States';
import { Timestamp } from '../components/Timestamp';
import { shortHash } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parseId } from '../lib/params';
import { messagesText } from '../lib/promptDiff';
import { NotFoundPage } from './NotFoundPage';

/** One prompt: its versions, any two side by side, and a new version (editors, owners). */
export function PromptPage() {
  const { project } = useCurrentProject();
  const promptId = parseId(useParams().promptId);
  if (!project || promptId === null) return <NotFoundPage />;
  const canEdit = project.role === 'owner' || project.role === 'editor';
  return <PromptDetail projectId={project.id} promptId={promptId} canEdit={canEdit} />;
}

function PromptDetail({ projectId, promptId, canEdit }: { projectId: number; promptId: number; canEdit: boolean }) {
  const prompt = usePrompt(promptId);
  const versions = usePromptVersions(promptId);
  useDocumentTitle(prompt.data?.name, 'Prompts');

  if (prompt.isPending) return <Loading label="Loading the prompt" />;
  if (prompt.isError) {
    return <ErrorState title="Could not load the prompt" error={prompt.error} onRetry={() => void prompt.refetch()} />;
  }
  if (prompt.data.project !== projectId) return <NotFoundPage />;
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link to={`/projects/${projectId}/prompts`} className="link">
            Prompts
          </Link>
        </p>
        <h1 className="mt-1 text-lg font-semibold">
          {prompt.data.name}
          {prompt.data.version !== null && (
            <span className="ml-2 text-sm font-normal text-zinc-500">latest v{prompt.data.version}</span>
          )}
        </h1>
        {prompt.data.description && <p className="mt-1 text-sm text-zinc-600">{prompt.data.description}</p>}
      </div>
      <QueryView
        query={versions}
        loading="Loading the versions"
        error="Could not load the versions"
        isEmpty={(data) => data.results.length === 0}
        empty={<EmptyState title="This prompt has no versions yet" />}
      >
        {(data) => (
          <>
            <VersionList versions={data.results} />
            <VersionDiff name={prompt.data.name} versions={data.results} />
          </>
        )}
      </QueryView>
      {canEdit && <AddVersion prompt={prompt.data} />}
    </div>
  );
}

function VersionList({ versions }: { versions: PromptVersion[] }) {
  return (
    <section aria-labelledby="versions-heading" className="panel">
      <h2 id="versions-heading" className="border-b border-zinc-200 px-3 py-2 text-sm font-semibold">
        Versions
      </h2>
      <div className="overflow-x-auto">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Created</th>
              <th scope="col">By</th>
              <th scope="col">Content hash</th>
              <th scope="col">First message</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => {
              const first = versionMessages(version)[0];
              return (
                <tr key={version.number}>
                  <td className="font-medium tabular-nums">v{version.number}</td>
                  <td>
                    <Timestamp iso={version.created_at} />
                  </td>
                  <td>{version.created_by ?? <span className="text-zinc-400">unknown</span>}</td>
                  <td className="font-mono text-xs" title={version.content_hash}>
                    {shortHash(version.content_hash)}
                  </td>
                  <td className="max-w-md truncate text-xs text-zinc-600">
                    {first ? `[${first.role}] ${first.content}` : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The versions to compare: `?a=` and `?b=` when they name versions, else the two latest. */
function pickedVersions(search: URLSearchParams, versions: PromptVersion[]): [PromptVersion, PromptVersion] {
  const byNumber = (value: string | null) => versions.find((v) => v.number === parseId(value));
  const latest = versions[0]!;
  const previous = versions[1] ?? latest;
  return [byNumber(search.get('a')) ?? previous, byNumber(search.get('b')) ?? latest];
}

function VersionDiff({ name, versions }: { name: string; versions: PromptVersion[] }) {
  const [search, setSearch] = useSearchParams();
  const [a, b] = pickedVersions(search, versions);
  const ids = useId();
  const pick = (which: 'a' | 'b', value: string) => {
    const next = new URLSearchParams(search);
    next.set(which, value);
    setSearch(next, { replace: true });
  };
  const picker = (which: 'a' | 'b', label: string, current: PromptVersion) => (
    <div className="flex items-center gap-1.5">
      <label htmlFor={`${ids}-${which}`} className="text-sm text-zinc-600">
        {label}
      </label>
      <select
        id={`${ids}-${which}`}
        value={current.number}
        onChange={(event) => pick(which, event.target.value)}
        className="rounded border border-zinc-300 bg-white px-2 py-1 text-sm"
      >
        {versions.map((v) => (
          <option key={v.number} value={v.number}>
            v{v.number}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <section aria-labelledby="diff-heading" className="panel">
      <div className="flex flex-wrap items-center gap-4 border-b border-zinc-200 px-3 py-2">
        <h2 id="diff-heading" className="text-sm font-semibold">
          Compare versions
        </h2>
        {picker('a', 'A', a)}
        {picker('b', 'B', b)}
      </div>
      <PromptDiff
        a={messagesText(versionMessages(a))}
        b={messagesText(versionMessages(b))}
        labelA={`${name} v${a.number}`}
        labelB={`${name} v${b.number}`}
      />
    </section>
  );
}

const ROLES: MessageRole[] = ['system', 'user', 'assistant'];

/** New messages for the prompt, starting from the latest version's. */
function AddVersion({ prompt }: { prompt: Prompt }) {
  const add = useAddPromptVersion(prompt.id);
  const [messages, setMessages] = useState<Message[]>(() =>
    prompt.messages.length > 0 ? prompt.messages.map((m) => ({ ...m })) : [{ role: 'user', content: '' }],
  );
  const [outcome, setOutcome] = useState<string | null>(null);
  const ids = useId();

  const paths = ['messages', ...messages.flatMap((_, i) => [`messages[${i}]`, `messages[${i}].role`, `messages[${i}].content`])];
  const errors = errorsByPath(add.error, paths);
  const change = (index: number, patch: Partial<Message>) =>
    setMessages((current) => current.map((m, i) => (i === index ? { ...m, ...patch } : m)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOutcome(null);
    const before = prompt.version;
    add.mutate(messages, {
      onSuccess(saved) {
        setOutcome(
          saved.version === before
            ? `Same messages as v${before}: no version added.`
            : `Added v${saved.version}.`,
        );
      },
    });
  };

  return (
    <section aria-labelledby="add-version-heading" className="panel">
      <h2 id="add-version-heading" className="border-b border-zinc-200 px-3 py-2 text-sm font-semibold">
        Add a version
      </h2>
      <form onSubmit={submit} noValidate className="space-y-3 p-3">
        <p className="text-sm text-zinc-600">
          Saving messages that differ from the latest version's adds a version; earlier versions stay as they are.
          Messages are Jinja2 templates over an item's input fields.
        </p>
        {messages.map((message, index) => {
          const at = `messages[${index}]`;
          const rowErrors = errors.get(at);
          return (
            <fieldset key={index} className="rounded border border-zinc-200 p-2">
              <legend className="px-1 text-xs font-medium text-zinc-600">Message {index + 1}</legend>
              <div className="flex flex-wrap items-start gap-2">
                <Field id={`${ids}-${index}-role`} label="Role" errors={errors.get(`${at}.role`)} className="w-36">
                  <select
                    {...fieldProps(`${ids}-${index}-role`, errors.get(`${at}.role`))}
                    value={message.role}
                    onChange={(event) => change(index, { role: event.target.value as MessageRole })}
                    className={INPUT_CLASS}
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field
                  id={`${ids}-${index}-content`}
                  label="Content"
                  errors={[...(rowErrors ?? []), ...(errors.get(`${at}.content`) ?? [])]}
                  className="min-w-64 flex-1"
                >
                  <textarea
                    {...fieldProps(`${ids}-${index}-content`, [...(rowErrors ?? []), ...(errors.get(`${at}.content`) ?? [])])}
                    value={message.content}
                    rows={Math.min(12, Math.max(3, message.content.split('\n').length))}
                    spellCheck={false}
                    onChange={(event) => change(index, { content: event.target.value })}
                    className={`${INPUT_CLASS} resize-y font-mono text-xs`}
                  />
                </Field>
                <button
                  type="button"
                  className="btn-secondary mt-4"
                  aria-label={`Remove message ${index + 1}`}
                  disabled={messages.length <= 1}
                  onClick={() => setMessages((current) => current.filter((_, i) => i !== index))}
                >
                  Remove
                </button>
              </div>
            </fieldset>
          );
        })}
        {errors.get('messages') && (
          <ul className="text-xs text-red-700">
            {errors.get('messages')!.map((message, i) => (
              <li key={i}>{message}</li>
            ))}
          </ul>
        )}
        <div className="flex flex-wrap items-center gap-2">
          <button
            type="button"
            className="btn-secondary"
            onClick={() => setMessages((current) => [...current, { role: 'user', content: '' }])}
          >
            Add a message
          </button>
          <button type="submit" className="btn-primary" disabled={add.isPending}>
            {add.isPending ? 'Saving…' : 'Save as a new version'}
          </button>
          {outcome && (
            <p role="status" className="text-sm text-emerald-800">
              {outcome}
            </p>
          )}
        </div>
        <FormError title="The version was not saved" error={add.error} general={errors.get('')} />
      </form>
    </section>
  );
}
