import { type FormEvent, useId, useState } from 'react';
import { ApiError, errorMessage } from '../api/errors';
import { type Member, MEMBER_ROLES, type MemberRole, useMembers, useRemoveMember, useSetMember } from '../api/members';
import type { SessionProject } from '../api/session';
import { useCurrentProject, useSignedIn } from '../api/useSignedIn';
import { EmptyState, QueryView } from '../components/States';
import { useDocumentTitle } from '../lib/hooks';
import { NotFoundPage } from './NotFoundPage';

const ROLE_HELP: Record<MemberRole, string> = {
  viewer: 'reads everything in the project',
  editor: 'also edits endpoints, prompts, datasets and experiments, starts sweeps and promotes',
  owner: 'also deletes, manages members and purges the cache',
};

/** Who may see and change the project, and as what; owners manage them. */
export function MembersPage() {
  const { project } = useCurrentProject();
  if (!project) return <NotFoundPage />;
  return <Members project={project} />;
}

function Members({ project }: { project: SessionProject }) {
  const session = useSignedIn();
  const members = useMembers(project.id);
  const isOwner = session.is_superuser || project.role === 'owner';
  const [announced, setAnnounced] = useState('');
  useDocumentTitle('Members', project.name);

  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-xl font-semibold">Members of {project.name}</h1>
        <ul className="mt-2 space-y-0.5 text-sm text-zinc-600">
          {MEMBER_ROLES.map((role) => (
            <li key={role}>
              <span className="font-medium text-zinc-800">{role}</span>: {ROLE_HELP[role]}
            </li>
          ))}
        </ul>
        {!isOwner && <p className="mt-2 text-sm text-zinc-600">Only the project’s owners change its members.</p>}
      </header>
      {isOwner && <AddMember projectId={project.id} onDone={setAnnounced} />}
      <p role="status" className="text-sm text-emerald-800">
        {announced}
      </p>
      <QueryView
        query={members}
        loading="Loading the members"
        error="Could not load the members"
        isEmpty={(data) => data.length === 0}
        empty={<EmptyState title="No members" />}
      >
        {(data) => (
          <div className="panel">
            <div className="overflow-x-auto">
              <table className="data-table">
                <caption className="sr-only">Members of {project.name} and their roles</caption>
                <thead>
                  <tr>
                    <th scope="col">Member</th>
                    <th scope="col">Role</th>
                    {isOwner && <th scope="col">Remove</th>}
                  </tr>
                </thead>
                <tbody>
                  {data.map((member) => (
                    <MemberRow
                      // A role changed elsewhere (the add form) resets the row's choice.
                      key={`${member.username}:${member.role}`}
                      member={member}
                      project={project}
                      isOwner={isOwner}
                      you={member.username === session.username}
                      onDone={setAnnounced}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </QueryView>
    </div>
  );
}

/** "victor is now an editor." */
function nowA(member: Member): string {
  return `${member.username} is now ${member.role === 'viewer' ? 'a' : 'an'} ${member.role}.`;
}

function fieldError(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError)) return null;
  return error.errors.find((e) => e.path === field)?.message ?? null;
}

function AddMember({ projectId, onDone }: { projectId: number; onDone: (message: string) => void }) {
  const setMember = useSetMember(projectId);
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<MemberRole>('viewer');
  const [blank, setBlank] = useState(false);
  const ids = useId();

  const usernameError = blank ? 'Give a user name.' : fieldError(setMember.error, 'username');
  const roleError = fieldError(setMember.error, 'role');
  const formError = setMember.error && !usernameError && !roleError ? errorMessage(setMember.error) : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const name = username.trim();
    setBlank(name === '');
    if (name === '') return;
    setMember.mutate(
      { username: name, role },
      {
        onSuccess(member) {
          onDone(nowA(member));
          setUsername('');
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-labelledby={`${ids}-heading`} className="panel space-y-2 p-3 text-sm" noValidate>
      <h2 id={`${ids}-heading`} className="font-semibold text-zinc-700">
        Add a member
      </h2>
      <p className="text-zinc-600">
        By their user name. Adding someone who is already a member changes their role.
      </p>
      <div className="flex flex-wrap items-start gap-3">
        <div>
          <label htmlFor={`${ids}-username`} className="block text-xs font-medium text-zinc-600">
            User name
          </label>
          <input
            id={`${ids}-username`}
            value={username}
            autoComplete="off"
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={usernameError ? true : undefined}
            aria-describedby={usernameError ? `${ids}-username-error` : undefined}
            className="mt-0.5 w-56 rounded-md border border-zinc-300 px-2 py-1"
          />
          {usernameError && (
            <p id={`${ids}-username-error`} className="mt-1 max-w-xs text-xs text-red-700">
              {usernameError}
            </p>
          )}
        </div>
        <div>
          <label htmlFor={`${ids}-role`} className="block text-xs font-medium text-zinc-600">
            Role
          </label>
          <select
            id={`${ids}-role`}
            value={role}
            onChange={(e) => setRole(e.target.value as MemberRole)}
            aria-invalid={roleError ? true : undefined}
            aria-describedby={roleError ? `${ids}-role-error` : undefined}
            className="mt-0.5 rounded-md border border-zinc-300 bg-white px-2 py-1"
          >
            {MEMBER_ROLES.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          {roleError && (
            <p id={`${ids}-role-error`} className="mt-1 text-xs text-red-700">
              {roleError}
            </p>
          )}
        </div>
        <button type="submit" className="btn-primary self-end" disabled={setMember.isPending}>
          {setMember.isPending ? 'Adding…' : 'Add member'}
        </button>
      </div>
      {formError && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800">
          Could not add the member: {formError}
        </p>
      )}
    </form>
  );
}

function MemberRow({
  member,
  project,
  isOwner,
  you,
  onDone,
}: {
  member: Member;
  project: SessionProject;
  isOwner: boolean;
  you: boolean;
  onDone: (message: string) => void;
}) {
  const setMember = useSetMember(project.id);
  const remove = useRemoveMember(project.id);
  const [role, setRole] = useState<MemberRole>(member.role);
  const [confirming, setConfirming] = useState(false);
  const ids = useId();
  const name = (
    <>
      <span className="font-medium">{member.username}</span>
      {you && <span className="ml-1 text-xs text-zinc-600">(you)</span>}
    </>
  );
  if (!isOwner) {
    return (
      <tr>
        <td>{name}</td>
        <td>{member.role}</td>
      </tr>
    );
  }

  const saveRole = (event: FormEvent) => {
    event.preventDefault();
    setMember.mutate(
      { username: member.username, role },
      { onSuccess: (saved) => onDone(nowA(saved)) },
    );
  };

  return (
    <tr>
      <td>{name}</td>
      <td>
        <form onSubmit={saveRole} className="flex flex-wrap items-center gap-2" aria-label={`Change the role of ${member.username}`}>
          <label htmlFor={`${ids}-role`} className="sr-only">
            Role of {member.username}
          </label>
          <select
            id={`${ids}-role`}
            value={role}
            onChange={(e) => setRole(e.target.value as MemberRole)}
            className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm"
          >
            {MEMBER_ROLES.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          <button
            type="submit"
            className="btn-secondary"
            disabled={role === member.role || setMember.isPending}
            aria-label={`Save the role of ${member.username}`}
          >
            {setMember.isPending ? 'Saving…' : 'Save'}
          </button>
        </form>
        {setMember.isError && (
          <p role="alert" className="mt-1 max-w-sm text-xs text-red-700">
            Could not change the role: {errorMessage(setMember.error)}
          </p>
        )}
      </td>
      <td>
        {confirming ? (
          <div
            role="group"
            aria-label={`Remove ${member.username}?`}
            className="max-w-sm rounded-md border border-red-200 bg-red-50 px-2 py-1.5 text-sm text-red-800"
          >
            <p>
              Remove <strong>{member.username}</strong> from {project.name}? {you ? 'You lose' : 'They lose'} access to
              its experiments, sweeps, prompts, datasets and cache at once, API keys included.
            </p>
            <div className="mt-1.5 flex gap-2">
              <button
                type="button"
                className="rounded-md bg-red-700 px-2 py-0.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60"
                disabled={remove.isPending}
                onClick={() =>
                  remove.mutate(member.username, {
                    onSuccess: () => onDone(`${member.username} no longer has access to ${project.name}.`),
                  })
                }
              >
                {remove.isPending ? 'Removing…' : `Remove ${member.username}`}
              </button>
              {/* Focus lands on the safe choice. */}
              <button type="button" className="btn-secondary" autoFocus onClick={() => setConfirming(false)}>
                Keep
              </button>
            </div>
            {remove.isError && <p role="alert">Could not remove them: {errorMessage(remove.error)}</p>}
          </div>
        ) : (
          <button
            type="button"
            className="btn-secondary"
            aria-label={`Remove ${member.username}`}
            onClick={() => setConfirming(true)}
          >
            Remove…
          </button>
        )}
      </td>
    </tr>
  );
}
