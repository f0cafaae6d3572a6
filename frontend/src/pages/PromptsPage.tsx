import { Link, useSearchParams } from 'react-router';
import { PAGE_SIZE, usePrompts } from '../api/prompts';
import { useCurrentProject } from '../api/useSignedIn';
import { Pagination } from '../components/Pagination';
import { EmptyState, QueryView, Spinner } from '../components/States';
import { Timestamp } from '../components/Timestamp';
import { formatCount, MISSING } from '../lib/format';
import { useDocumentTitle } from '../lib/hooks';
import { parsePage } from '../lib/params';
import { NotFoundPage } from './NotFoundPage';

/** A project's prompts, each with its latest version. */
export function PromptsPage() {
  const { project } = useCurrentProject();
  if (!project) return <NotFoundPage />;
  return <PromptList projectId={project.id} projectName={project.name} />;
}

function PromptList({ projectId, projectName }: { projectId: number; projectName: string }) {
  useDocumentTitle('Prompts', projectName);
  const [search] = useSearchParams();
  const page = parsePage(search);
  const prompts = usePrompts(projectId, page);

  return (
    <section aria-labelledby="prompts-heading">
      <div className="mb-3 flex items-baseline gap-3">
        <h1 id="prompts-heading" className="text-lg font-semibold">
          Prompts
        </h1>
        <span className="text-sm text-zinc-500">{projectName}</span>
        {prompts.data && (
          <span className="text-sm text-zinc-500 tabular-nums">{formatCount(prompts.data.count)} in all</span>
        )}
        {prompts.isFetching && !prompts.isPending && (
          <span className="text-zinc-400" title="Refreshing">
            <Spinner />
          </span>
        )}
      </div>
      <QueryView
        query={prompts}
        loading="Loading prompts"
        error="Could not load the prompts"
        isEmpty={(data) => data.results.length === 0}
        empty={
          <EmptyState title={`No prompts in ${projectName} yet`}>
            A prompt is stored with <code>POST /api/prompts/</code>; writing new messages to it adds a version.
          </EmptyState>
        }
      >
        {(data) => (
          <div className="panel">
            <div className="overflow-x-auto">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Prompt</th>
                    <th scope="col" className="num">
                      Latest version
                    </th>
                    <th scope="col" className="num">
                      Messages
                    </th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {data.results.map((prompt) => (
                    <tr key={prompt.id}>
                      <td>
                        <Link to={`/projects/${projectId}/prompts/${prompt.id}`} className="link">
                          {prompt.name}
                        </Link>
                        {prompt.description && (
                          <p className="mt-0.5 max-w-md truncate text-xs text-zinc-500">{prompt.description}</p>
                        )}
                      </td>
                      <td className="num">{prompt.version === null ? MISSING : `v${prompt.version}`}</td>
                      <td className="num">{formatCount(prompt.messages.length)}</td>
                      <td>
                        <Timestamp iso={prompt.created_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination page={page} count={data.count} pageSize={PAGE_SIZE} label="Prompt pages" />
          </div>
        )}
      </QueryView>
    </section>
  );
}
