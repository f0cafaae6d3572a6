import { useNavigate } from 'react-router';
import type { SessionProject } from '../api/session';

/** The project in the URL, switched by choosing another (its experiments open). */
export function ProjectSwitcher({
  projects,
  current,
}: {
  projects: SessionProject[];
  current: number | null;
}) {
  const navigate = useNavigate();
  if (projects.length === 0) return null;
  const known = projects.some((p) => p.id === current);
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="text-zinc-400">Project</span>
      <select
        className="rounded-md border border-zinc-600 bg-zinc-800 py-1 pr-7 pl-2 text-sm text-zinc-100"
        value={known ? String(current) : ''}
        onChange={(event) => navigate(`/projects/${event.target.value}/experiments`)}
      >
        {!known && (
          <option value="" disabled>
            Choose a project
          </option>
        )}
        {projects.map((project) => (
          <option key={project.id} value={project.id}>
            {project.name}
          </option>
        ))}
      </select>
    </label>
  );
}
